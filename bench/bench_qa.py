"""Attitude check of agent replies (cskh.qa.attitude), issue #18.

Trains on ``cskh.qa.corpus.train()`` (set A) and measures on ``cskh.qa.corpus.heldout()``
(set B: other templates, other rude words, other domain facts, 40% typed without
diacritics): accuracy, recall and precision on impolite replies, and the time of one
``check_reply`` (rules + model + suggestion; model warm) as median / p95, wall clock and
CPU time of the thread (on a shared, loaded machine the wall-clock p95 measures the
scheduler, the CPU time the check). No database.

    .venv/bin/python bench/run.py qa
"""

from __future__ import annotations

import time

from _common import django_setup, ms

TARGET = "acc >= 0.90, recall >= 0.90, < 5 ms"


def run(args) -> list[dict]:
    django_setup()
    from cskh.qa import corpus
    from cskh.qa.attitude import check_reply, model_probability

    t0 = time.perf_counter()
    model_probability("khởi động")
    train_s = time.perf_counter() - t0
    train = corpus.train()
    rows = [
        {
            "benchmark": "qa attitude: train model",
            "data": f"{len(train)} replies (set A)",
            "median": f"{train_s * 1000:.0f} ms",
            "p95": "-",
            "result": "once per process",
            "target": "-",
        }
    ]
    for name, data in [("held-out set B", corpus.heldout()), ("training set A", train)]:
        times: list[float] = []
        cpu: list[float] = []
        tp = fp = tn = fn = 0
        for r in data:
            t, c = time.perf_counter(), time.thread_time()
            res = check_reply(r.text, r.domain)
            times.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
            flagged = not res.ok
            if r.impolite:
                tp += flagged
                fn += not flagged
            else:
                fp += flagged
                tn += not flagged
        median, p95 = ms(times)
        cpu_median, cpu_p95 = ms(cpu)
        n = len(data)
        rows.append(
            {
                "benchmark": f"qa attitude: {name}",
                "data": f"{n} replies ({tp + fn} impolite)",
                "median": median,
                "p95": p95,
                "result": f"acc {(tp + tn) / n:.3f}, recall {tp / max(1, tp + fn):.3f}, "
                f"precision {tp / max(1, tp + fp):.3f}; CPU time {cpu_median} / {cpu_p95}",
                "target": TARGET,
            }
        )
    return rows
