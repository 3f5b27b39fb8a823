"""Model quality on the public research sets in ../shared/data (CSKH_SHARED_DATA): the churn
estimator (#16) and the arrivals forecast (#19). Research use only: the files are read in
place, nothing is stored, and no shipped model is trained on them. Skipped cleanly when a set
is absent.

    python bench/run.py research [--quick]

Churn: `cskh churn evaluate` for several seeds (stratified 5-fold, mean AUC over folds);
the rows give the median and the lowest seed ("p95" column: the minimum, since the target
holds "on any seed"). Forecast: `cskh wfm evaluate` on the hardest backtest windows of the
Anonymous Bank log; the target is a WAPE at least 15 % below seasonal naive on each window.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import django_setup  # noqa: E402

CHURN_TARGETS = {"telco-ibm": 0.855, "telecom-bigml": 0.93}
# the windows that all forecast the last week of February 1999 (the hardest of the backtest)
BANK_WINDOWS = ((14, 7), (20, 1), (21, 0))


def _churn(args, root: Path) -> list[dict]:
    from cskh.cx import churn_research
    from cskh.cx.churn_model import cross_validate

    rows = []
    seeds = range(2) if args.quick else range(5)
    for dataset, target in CHURN_TARGETS.items():
        name = f"churn AUC, 5-fold ({dataset})"
        if not churn_research.available(dataset, root):
            rows.append({"benchmark": name, "result": f"skipped: not in {root}"})
            continue
        X, y = churn_research.LOADERS[dataset](root)
        started = time.monotonic()
        aucs = [cross_validate(X, y, folds=5, seed=s)["auc"] for s in seeds]
        rows.append(
            {
                "benchmark": name,
                "data": f"{len(y)} rows, seeds 0-{len(aucs) - 1}",
                "median": f"{statistics.median(aucs):.4f}",
                "p95": f"min {min(aucs):.4f}",
                "result": f"{'met' if min(aucs) >= target else 'NOT met'} "
                f"({time.monotonic() - started:.0f} s)",
                "target": f">= {target} on any seed",
            }
        )
    return rows


def _forecast() -> list[dict]:
    from cskh.wfm import evaluation as ev

    name = "arrivals forecast, Anonymous Bank"
    try:
        first, counts = ev.load_anonymous_bank()
    except ev.DatasetMissing as exc:
        return [{"benchmark": name, "result": f"skipped: {exc}"}]
    rows = []
    for train_days, start_day in BANK_WINDOWS:
        e = ev.evaluate(first, counts, train_days=train_days, horizon_days=7, start_day=start_day)
        ratio = e.wape / e.wape_seasonal_naive
        rows.append(
            {
                "benchmark": f"{name} ({train_days} d train, from day {start_day})",
                "data": f"{e.intervals} half-hours",
                "median": f"WAPE {e.wape:.3f}",
                "p95": f"naive {e.wape_seasonal_naive:.3f}",
                "result": f"{1 - ratio:.0%} lower: {'met' if ratio <= 0.85 else 'NOT met'}",
                "target": ">= 15 % below seasonal naive",
            }
        )
    return rows


def run(args) -> list[dict]:
    django_setup()
    from django.conf import settings

    return _churn(args, Path(settings.CSKH_SHARED_DATA)) + _forecast()
