"""Social listening benchmarks (cskh.social). Figures are "loaded": the machine is shared.

1. Understanding on the project's held-out social posts (template set B of
   ``cskh.social.corpus``: whole templates never seen in training, half without diacritics,
   both profiles): sentiment accuracy and actionable F1 (targets ≥ 0.85), per subset.
2. Public research sets in ../shared/data (read in place, never copied or shipped; skipped
   when absent): UIT-VSFC, VLSP 2016, AIVIVN 2019, UIT-ViSFD (stars → 3 classes). For each:
   (a) the shipped social model zero-shot; (b) an evaluation-only model with the social
   feature recipe trained in memory on the set's own train split (research use only).
3. Ingestion through the batch API (``POST /api/v1/social/mentions``, 1,000 per request,
   duplicate detection on), sustained: ``--procs`` processes (default 2, one per core) each
   posting batches through the Django test client for ``--minutes`` (default 3), on the
   database of DATABASE_URL (PostgreSQL for the figure that counts): mentions per minute over
   the wall time, per-batch median/p95, the load average before and after.
   Target 10,000/min on 2 cores.
4. Storm replay: 4 weeks of ordinary traffic, then a storm ramp minute by minute; the crisis
   check runs every simulated minute (as the scheduler does); prints the minute the threshold
   is crossed and the minute the alert fires (target: within 1 minute), and the check's cost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_social .venv/bin/python bench/bench_social.py
    DATABASE_URL=… .venv/bin/python bench/bench_social.py ingest_rows --minutes 3 --procs 2
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Skip, django_setup  # noqa: E402

SHARED = next(
    (
        p
        for p in (
            Path(os.environ.get("CSKH_SHARED_DATA", "/nonexistent")),
            ROOT.parent / "shared" / "data",
            ROOT.parent.parent / "shared" / "data",
        )
        if p.is_dir()
    ),
    ROOT.parent / "shared" / "data",
)


def _f(x: float) -> str:
    return f"{x:.3f}"


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


# --------------------------------------------------------------------------- 1. held-out


def model_rows(args) -> list[dict]:
    from cskh.core.text import fold
    from cskh.social import corpus
    from cskh.social.understanding import evaluate, train_model

    t0 = time.perf_counter()
    train = corpus.train()
    model = train_model(train)
    took = time.perf_counter() - t0
    held = corpus.heldout()
    rows = [
        {
            "benchmark": "social: train model",
            "data": f"{len(train):,} posts (set A)",
            "median": f"{took:.2f} s",
            "result": "ok",
            "target": "at first use",
        }
    ]
    subsets = {
        "all": held,
        "no diacritics": [p for p in held if p.text == fold(p.text)],
        "with diacritics": [p for p in held if p.text != fold(p.text)],
        "electricity": [p for p in held if p.profile == "electricity"],
        "telecom": [p for p in held if p.profile == "telecom"],
    }
    for name, posts in subsets.items():
        r = evaluate(posts, model)
        rows.append(
            {
                "benchmark": f"social: held-out templates, {name}",
                "data": f"{r['n']} posts",
                "result": f"sentiment acc {_f(r['sentiment_accuracy'])}, actionable F1 "
                f"{_f(r['actionable_f1'])} (P {_f(r['actionable_precision'])}, "
                f"R {_f(r['actionable_recall'])})",
                "target": "≥ 0.85 / ≥ 0.85",
            }
        )
    t0 = time.perf_counter()
    texts = [p.text for p in held]
    model.predict(texts)
    per = (time.perf_counter() - t0) / len(texts) * 1000
    rows.append(
        {
            "benchmark": "social: model predict",
            "data": f"{len(texts)} posts, one batch",
            "median": f"{per:.3f} ms/post",
            "result": "ok",
            "target": "-",
        }
    )
    return rows


# --------------------------------------------------------------------------- 2. public sets


def _read(path: Path, enc: str = "utf-8") -> list[dict]:
    with path.open(encoding=enc, newline="") as fh:
        return list(csv.DictReader(fh))


def _scores(gold, pred, positive=None) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    out = {
        "acc": accuracy_score(gold, pred),
        "macro": f1_score(gold, pred, average="macro", zero_division=0),
        "weighted": f1_score(gold, pred, average="weighted", zero_division=0),
    }
    if positive:
        out["f1_pos"] = f1_score(gold, pred, pos_label=positive, zero_division=0)
    return out


def _eval_only(train_texts, train_labels):
    """Evaluation only, in memory, never stored: the social recipe on a set's train split."""
    from sklearn.linear_model import LogisticRegression

    from cskh.social.lexicon import normalize
    from cskh.social.understanding import feature_union

    feats = feature_union()
    x = feats.fit_transform([normalize(t) for t in train_texts])
    clf = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(x, train_labels)
    return lambda texts: list(clf.predict(feats.transform([normalize(t) for t in texts])))


def _zero(texts) -> list[str]:
    from cskh.social.understanding import get_model

    out: list[str] = []
    for i in range(0, len(texts), 1000):
        out += [r["sentiment"] for r in get_model().predict(texts[i : i + 1000])]
    return out


def _row(name, data, s, published) -> dict:
    extra = f", F1(neg) {_f(s['f1_pos'])}" if "f1_pos" in s else ""
    return {
        "benchmark": name,
        "data": data,
        "result": f"acc {_f(s['acc'])}, macro-F1 {_f(s['macro'])}, weighted-F1 "
        f"{_f(s['weighted'])}{extra}",
        "target": f"published: {published}",
    }


def _pair(label, train, test, published, positive=None, binary=False) -> list[dict]:
    gold = [y for _t, y in test]
    texts = [t for t, _y in test]
    zero = _zero(texts)
    if binary:
        zero = ["negative" if z == "negative" else "positive" for z in zero]
    predict = _eval_only([t for t, _y in train], [y for _t, y in train])
    return [
        _row(f"social: {label}, shipped model zero-shot", f"test {len(test):,}",
             _scores(gold, zero, positive), "not comparable (no training on the set)"),
        _row(f"social: {label}, eval-only model (own train split)",
             f"train {len(train):,} → test {len(test):,}",
             _scores(gold, predict(texts), positive), published),
    ]  # fmt: skip


def public_rows(args) -> list[dict]:
    rows: list[dict] = []
    quick = getattr(args, "quick", False)

    def cap(xs):
        return random.Random(0).sample(xs, min(len(xs), 3000)) if quick else xs

    f = SHARED / "uit-vsfc"
    if (f / "train.csv").exists():
        names = {"0": "negative", "1": "neutral", "2": "positive"}
        tr = [(r["sentence"], names[r["sentiment"]]) for r in _read(f / "train.csv")]
        te = [(r["sentence"], names[r["sentiment"]]) for r in _read(f / "test.csv")]
        rows += _pair("UIT-VSFC", cap(tr), te, "MaxEnt F1 87.94%, Bi-LSTM 0.92")
    else:
        rows.append({"benchmark": "social: UIT-VSFC", "result": "skipped: absent"})
    f = SHARED / "vlsp2016-sentiment"
    if (f / "vlsp_sentiment_train.csv").exists():
        names = {"-1": "negative", "0": "neutral", "1": "positive"}
        tr = [
            (r["Data"], names[r["Class"].strip()])
            for r in _read(f / "vlsp_sentiment_train.csv", "utf-8-sig")
        ]
        te = [
            (r["Data"], names[r["Class"].strip()])
            for r in _read(f / "vlsp_sentiment_test.csv", "utf-8-sig")
        ]
        rows += _pair("VLSP 2016 SA", cap(tr), te, "best team F1 80.05 (macro)")
    else:
        rows.append({"benchmark": "social: VLSP 2016", "result": "skipped: absent"})
    f = SHARED / "aivivn2019-sentiment"
    if (f / "train.csv").exists():
        data = _read(f / "train.csv")
        random.Random(0).shuffle(data)
        cut = int(len(data) * 0.8)
        names = {"0": "positive", "1": "negative"}
        tr = [(r["text"], names[r["label"].strip()]) for r in data[:cut]]
        te = [(r["text"], names[r["label"].strip()]) for r in data[cut:]]
        rows += _pair("AIVIVN 2019 (80/20 of train)", cap(tr), te,
                      "winner F1(neg) 0.900 hidden test", positive="negative", binary=True)  # fmt: skip
    else:
        rows.append({"benchmark": "social: AIVIVN 2019", "result": "skipped: absent"})
    f = SHARED / "uit-visfd"
    if (f / "Train.csv").exists():

        def stars(r):
            n = int(r["n_star"])
            return "negative" if n <= 2 else "neutral" if n == 3 else "positive"

        tr = [(r["comment"], stars(r)) for r in _read(f / "Train.csv")]
        te = [(r["comment"], stars(r)) for r in _read(f / "Test.csv")]
        rows += _pair("UIT-ViSFD (stars→3 classes)", cap(tr), te,
                      "aspect-level only (SA2SL 63.06% sentiment): not comparable")  # fmt: skip
    else:
        rows.append({"benchmark": "social: UIT-ViSFD", "result": "skipped: absent"})
    return rows


# --------------------------------------------------------------------------- 3. ingestion


def _texts() -> list[str]:
    """Every post of the social corpus (both template sets): varied, realistic texts."""
    from cskh.social import corpus

    return sorted(
        {p.text for p in corpus.train(per_template=150) + corpus.heldout(per_template=40)}
    )


def _text(rng: random.Random, pool: list[str], recent: list[str]) -> str:
    """One post: about 10 % are copies of an earlier post of the run (shared across groups,
    "up"), the rest are new (two template posts joined, so they are not copies of each
    other and the table of cluster heads and bands grows as it would)."""
    if recent and rng.random() < 0.1:
        return rng.choice(recent) + rng.choice([" up", " 😡", "", " !!!"])
    t = f"{rng.choice(pool)} {rng.choice(pool)}"
    recent.append(t)
    if len(recent) > 5000:
        del recent[:1000]
    return t


def _payload(
    rng: random.Random, tag: str, start: int, n: int, when, pool: list[str], recent: list[str]
) -> list[dict]:
    return [
        {
            "source": rng.choice(["facebook_group", "facebook_comment", "forum", "review"]),
            "external_id": f"bench-{tag}-{start + i}",
            "url": f"https://example.vn/p/{start + i}",
            "author": f"user{rng.randint(1, 5000)}",
            "author_id": f"a{rng.randint(1, 5000)}",
            "text": _text(rng, pool, recent),
            "posted_at": (when - timedelta(seconds=rng.randint(0, 3600))).isoformat(),
            "profile": "electricity",
            "reach": {"followers": rng.randint(0, 5000), "reactions": rng.randint(0, 200), "shares": rng.randint(0, 20)},
        }
        for i in range(n)
    ]  # fmt: skip


def _client():
    from django.test import Client

    from cskh.catalog.models import Profile
    from cskh.catalog.services import install_profile
    from cskh.org.models import Unit, User
    from cskh.org.services import create_api_token, create_user

    if not Profile.objects.filter(is_active=True).exists():
        install_profile("electricity")
    user = User.objects.filter(username="bench_social").first()
    if user is None:
        unit = Unit.objects.first()
        user = create_user(
            username="bench_social", password="Bench!2026x", role="integration", unit=unit
        )
    token = create_api_token(user=user, name="bench")
    return Client(headers={"Authorization": f"Bearer {token}"}, HTTP_HOST="127.0.0.1")


BATCH = 1000


def ingest_worker(seconds: float, seed: int) -> dict:
    """One process: batches of 1,000 new mentions through the API for ``seconds`` (after a
    warm-up batch that is not counted); per-batch latencies as JSON."""
    from django.utils import timezone

    from cskh.core.dbstats import analyze
    from cskh.social.understanding import get_model
    from cskh.textintel.services import analyze_text

    client = _client()
    get_model()  # first-use training is not ingestion
    analyze_text("khởi động", None)
    rng = random.Random(seed)
    pool = _texts()
    recent: list[str] = []
    tag = f"{os.getpid()}-{int(time.time())}"
    when = timezone.now()

    def post(start: int) -> tuple[float, int]:
        body = json.dumps(_payload(rng, tag, start, BATCH, when, pool, recent))
        t0 = time.perf_counter()
        r = client.post("/api/v1/social/mentions", body, content_type="application/json")
        took = time.perf_counter() - t0
        if r.status_code != 200:
            raise Skip(f"API answered {r.status_code}: {r.content[:200]!r}")
        return took, sum(1 for o in r.json() if o["duplicate_of"])

    post(0)  # warm-up: caches, address index, first plans
    analyze(["social_mention", "social_mentionband"])
    times: list[float] = []
    dups = 0
    started = time.perf_counter()
    b = 1
    while time.perf_counter() - started < seconds:
        took, d = post(b * BATCH)
        times.append(took)
        dups += d
        b += 1
    return {"times": times, "dups": dups, "wall": time.perf_counter() - started}


def ingest_rows(args) -> list[dict]:
    """``--procs`` processes (default 2, one per core) post batches for ``--minutes``
    (default 3) at the same time: mentions per minute over the wall time, batch latencies."""
    import subprocess

    from django.conf import settings
    from django.db import connection

    from cskh.social.models import Mention

    procs = getattr(args, "procs", None) or 2
    minutes = getattr(args, "minutes", None) or (0.5 if args.quick else 3.0)
    base = Mention.objects.count()
    load_before = os.getloadavg()
    connection.close()
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--ingest-worker", str(minutes * 60), str(7 + k)],
            stdout=subprocess.PIPE,
            env=os.environ.copy(),
        )
        for k in range(procs)
    ]
    results = []
    for w in workers:
        out, _ = w.communicate()
        if w.returncode != 0:
            raise Skip(f"ingest worker exited {w.returncode}")
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    load_after = os.getloadavg()
    times = [t for r in results for t in r["times"]]
    wall = max(r["wall"] for r in results)
    total = len(times) * BATCH
    rate = total / wall * 60
    engine = connection.vendor
    load = f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} / {load_after[1]:.2f} after (1/5 min)"
    return [
        {
            "benchmark": f"social: ingest via batch API ({engine}, {procs} processes, dedupe on)",
            "data": f"{total:,} new mentions in {len(times)} batches of {BATCH:,} over {wall:.0f} s "
            f"(table had {base:,}); {sum(r['dups'] for r in results):,} duplicates",
            "median": f"{statistics.median(times):.2f} s/batch",
            "p95": f"{_pct(times, 0.95):.2f} s/batch",
            "result": f"{rate:,.0f} mentions/min sustained; {load}",
            "target": f"10,000/min on {os.cpu_count()} cores",
        },
        {
            "benchmark": "social: dedupe threshold",
            "result": str(settings.CSKH_SOCIAL_DUPLICATE_THRESHOLD),
        },
    ]


# --------------------------------------------------------------------------- 4. storm replay


def storm_rows(args) -> list[dict]:
    from django.conf import settings
    from django.utils import timezone

    from cskh.social.models import CrisisAlert, Mention
    from cskh.social.services import crisis
    from cskh.social.services.intake import MentionData, ingest

    _client()  # an active profile
    rng = random.Random(11)
    topic_text = "Khu {p} mất điện từ {h}h, điện lực ơi sửa giúp với 😡 #{i}"
    # start on the next whole hour a day from now, so replays never collide with real data
    t0 = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    tag = f"storm{int(t0.timestamp())}-"
    # baseline: 2 negative actionable posts in that hour each of the last 4 weeks
    base_rows = []
    for k in range(1, 5):
        for j in range(2):
            base_rows.append(
                MentionData("facebook_group", f"{tag}b{k}-{j}",
                            topic_text.format(p=f"phường {j}", h=7, i=f"{k}{j}"),
                            t0 - timedelta(days=7 * k) + timedelta(minutes=10 + j))
            )  # fmt: skip
    ingest(items=base_rows)
    topic = Mention.objects.filter(external_id=f"{tag}b1-0").values_list("topic", flat=True)[0]
    factor, minimum = settings.CSKH_SOCIAL_CRISIS_FACTOR, settings.CSKH_SOCIAL_CRISIS_MIN
    threshold = max(minimum, int(factor * 2) + 1)
    per_minute = [0, 0, 1, 1, 2, 2, 3, 4, 6, 8, 12, 16, 20]
    crossed = fired = None
    n = 0
    check_times = []
    for minute, k in enumerate(per_minute, 1):
        at = t0 + timedelta(minutes=minute)
        items = [
            MentionData("facebook_group", f"{tag}s{minute}-{j}",
                        topic_text.format(p=f"phường {rng.randint(1, 50)}", h=rng.randint(5, 9), i=f"{minute}{j}"),
                        at - timedelta(seconds=rng.randint(1, 59)))
            for j in range(k)
        ]  # fmt: skip
        if items:
            ingest(items=items, now=at)
        n = Mention.objects.filter(
            external_id__startswith=f"{tag}s", topic=topic, sentiment="negative", actionable=True
        ).count()
        if crossed is None and n >= threshold:
            crossed = minute
        c0 = time.perf_counter()
        alerts = [
            a for a in crisis.check(now=at) if a.topic == topic and a.source == "facebook_group"
        ]
        check_times.append(time.perf_counter() - c0)
        if alerts and fired is None:
            fired = minute
    CrisisAlert.objects.filter(window_end__gte=t0).delete()
    return [
        {
            "benchmark": "social: storm replay, crisis alert",
            "data": f"baseline 2/h × 4 weeks; storm ramp {sum(per_minute)} posts in {len(per_minute)} min",
            "median": f"check {statistics.median(check_times) * 1000:.0f} ms",
            "p95": f"check {_pct(check_times, 0.95) * 1000:.0f} ms",
            "result": f"threshold ({threshold}) crossed at minute {crossed}, alert at minute {fired}"
            + (f" → {fired - crossed} min after" if crossed and fired else ""),
            "target": "alert ≤ 1 min after crossing",
        }
    ]


def run(args) -> list[dict]:
    django_setup()
    rows: list[dict] = []
    for fn in (model_rows, public_rows, ingest_rows, storm_rows):
        if getattr(args, "only_part", None) and fn.__name__ not in args.only_part:
            continue
        try:
            rows += fn(args)
        except Skip as exc:
            rows.append({"benchmark": f"social: {fn.__name__}", "result": f"skipped: {exc}"})
    return rows


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--ingest-worker":
        django_setup()
        print(json.dumps(ingest_worker(float(sys.argv[2]), int(sys.argv[3]))), flush=True)
        return
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--procs", type=int, default=2, help="ingesting processes (ingest_rows)")
    p.add_argument("--minutes", type=float, default=0, help="ingestion time (default 3)")
    p.add_argument("only_part", nargs="*", help="model_rows public_rows ingest_rows storm_rows")
    args = p.parse_args()
    cols = ["benchmark", "data", "median", "p95", "result", "target"]
    for r in run(args):
        print(" | ".join(str(r.get(c, "")) for c in cols), flush=True)


if __name__ == "__main__":
    main()
