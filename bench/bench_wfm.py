"""Workforce management: staffing 48 half-hours × 20 queues, and a 4-week roster for 150
agents with CP-SAT on 2 cores (coverage of the required agent-intervals and the gap to what
the roster allows). Pure computation: no database.

    python bench/run.py wfm [--quick]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def day_requirement(calls_per_day: float, *, aht: float = 300, seed: int = 0) -> np.ndarray:
    """Heads per half-hour for a two-peak day and a thin night, Erlang C, SL 80/20."""
    from cskh.wfm import erlang

    slots = np.arange(48)
    shape = np.exp(-((slots - 19) ** 2) / 18) + 0.8 * np.exp(-((slots - 29) ** 2) / 25) + 0.08
    shape[:14] = 0.02  # a 24-hour hotline: a thin night
    shape[44:] = 0.02
    calls = calls_per_day * shape / shape.sum()
    out = np.zeros(48, dtype=int)
    for s in range(48):
        if calls[s] > 0:
            out[s] = erlang.staffing(
                model="c",
                calls=float(calls[s]),
                interval_seconds=1800,
                aht_seconds=aht,
                target_seconds=20,
                service_level=0.8,
                max_occupancy=0.85,
                shrinkage=0.0,
            ).agents
    return out


def bench_staffing(repeats: int) -> dict:
    from cskh.wfm import erlang

    rng = np.random.default_rng(0)
    loads = rng.uniform(5, 400, size=(20, 48))  # calls per half-hour, per queue
    ahts = rng.uniform(120, 420, size=20)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        erlang.staffing_c_many(
            calls=loads,
            interval_seconds=1800,
            aht_seconds=ahts[:, None],
            target_seconds=20,
            service_level=0.8,
            max_occupancy=0.85,
            shrinkage=0.3,
        )
        times.append(time.perf_counter() - t)
    scalar = []
    for _ in range(max(1, repeats // 10)):
        t = time.perf_counter()
        for q in range(20):
            for s in range(48):
                erlang.staffing(
                    model="c",
                    calls=float(loads[q, s]),
                    interval_seconds=1800,
                    aht_seconds=float(ahts[q]),
                    target_seconds=20,
                    service_level=0.8,
                    max_occupancy=0.85,
                    shrinkage=0.3,
                )
        scalar.append(time.perf_counter() - t)
    times.sort()
    return {
        "benchmark": "wfm staffing (Erlang C)",
        "data": "48 half-hours × 20 queues, 5–400 calls each",
        "median": f"{statistics.median(times) * 1000:.1f} ms",
        "p95": f"{times[int(0.95 * (len(times) - 1))] * 1000:.1f} ms",
        "result": f"{repeats} runs (vectorised); one interval at a time: "
        f"{statistics.median(scalar) * 1000:.0f} ms",
        "target": "< 50 ms",
    }


def bench_roster(agents_n: int, days: int, time_limit: float) -> dict:
    from cskh.wfm import solver

    rng = np.random.default_rng(1)
    weekday = day_requirement(4000)
    req = np.zeros((days, 48), dtype=int)
    for d in range(days):
        factor = {5: 0.8, 6: 0.55}.get(d % 7, 1.0)
        req[d] = np.round(weekday * factor).astype(int)
    agents = []
    for k in range(agents_n):
        leave = (
            frozenset(int(x) for x in rng.choice(days, size=2, replace=False))
            if k % 5 == 0
            else frozenset()
        )
        agents.append(solver.Agent(key=k, night_ok=k % 3 != 0, unavailable=leave))
    t = time.perf_counter()
    result = solver.solve(req, agents, solver.standard_patterns(), time_limit=time_limit, workers=2)
    wall = time.perf_counter() - t
    allowed = result.bound_covered
    return {
        "benchmark": "wfm roster (CP-SAT, 2 workers)",
        "data": f"{agents_n} agents × {days} days, {result.required:,} required agent-intervals",
        "median": f"{wall:.1f} s wall",
        "p95": "-",
        "result": (
            f"{result.status}: covered {result.covered:,} = {result.coverage_ratio:.1%} of "
            f"required, {result.covered / allowed:.1%} of what the roster allows "
            f"({allowed:,}); gap {allowed - result.covered:,}; over {result.over:,}; "
            f"max weekend shifts {result.stats['max_weekend_shifts']:.0f}, nights "
            f"{result.stats['max_night_shifts']:.0f}"
        ),
        "target": "≤ 60 s, ≥ 98 % where the roster allows",
    }


def bench_roster_multi_skill(agents_n: int, days: int, time_limit: float) -> dict:
    """The same team split by skill: 60 % phone only, 25 % written channels only, 15 % both;
    phone carries 75 % of the load, written channels (day time only) 25 %."""
    from cskh.wfm import solver

    rng = np.random.default_rng(2)
    phone_day = day_requirement(3000)
    written_day = day_requirement(1000)
    written_day[:14] = 0
    written_day[44:] = 0
    req = {"phone": np.zeros((days, 48), dtype=int), "written": np.zeros((days, 48), dtype=int)}
    for d in range(days):
        factor = {5: 0.8, 6: 0.55}.get(d % 7, 1.0)
        req["phone"][d] = np.round(phone_day * factor).astype(int)
        req["written"][d] = np.round(written_day * factor).astype(int)
    agents = []
    for k in range(agents_n):
        leave = (
            frozenset(int(x) for x in rng.choice(days, size=2, replace=False))
            if k % 5 == 0
            else frozenset()
        )
        share = k % 20
        skills = (
            frozenset({"phone"})
            if share < 12
            else frozenset({"written"})
            if share < 17
            else frozenset({"phone", "written"})
        )
        agents.append(solver.Agent(key=k, night_ok=k % 3 != 0, unavailable=leave, skills=skills))
    t = time.perf_counter()
    result = solver.solve(req, agents, solver.standard_patterns(), time_limit=time_limit, workers=2)
    wall = time.perf_counter() - t
    allowed = result.bound_covered
    return {
        "benchmark": "wfm roster multi-skill (2 skills)",
        "data": f"{agents_n} agents × {days} days, {result.required:,} required agent-intervals",
        "median": f"{wall:.1f} s wall",
        "p95": "-",
        "result": (
            f"{result.status}: covered {result.covered:,} = {result.coverage_ratio:.1%} of "
            f"required (pooled bound {allowed:,}); heads placed "
            f"{result.stats['heads_placed']:.0f}/{result.stats['heads_planned']:.0f}"
        ),
        "target": "≤ 60 s, ≥ 98 % where the roster allows",
    }


def run(args) -> list[dict]:
    quick = getattr(args, "quick", False)
    from _common import django_setup

    django_setup()
    rows = [bench_staffing(5 if quick else 30)]
    rows.append(bench_roster(30 if quick else 150, 7 if quick else 28, 20 if quick else 55))
    rows.append(
        bench_roster_multi_skill(30 if quick else 150, 7 if quick else 28, 20 if quick else 55)
    )
    return rows


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    from run import print_table

    print_table(run(p.parse_args()))
