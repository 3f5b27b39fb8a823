"""Backtest of the forecasting methods on a public call log (research use only).

`anonymous-bank`: the February 1999 call log of "Anonymous Bank" (Technion SEE Center; Brown
et al., JASA 2005), expected in `<shared data>/callcenter-anonymous-bank/`. It is read only
by `cskh wfm evaluate`; nothing shipped is trained on it. Arrivals are VRU entries (PHANTOM
rows dropped), counted per 30 minutes; opening hours 07:00–24:00 (the bank's phone hours).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings

from cskh.wfm import forecasting as fc

DATASETS = {"anonymous-bank": "callcenter-anonymous-bank/data_anonymous_bank_february.txt"}
BANK_OPEN_SLOTS = (14, 48)  # 07:00 to 24:00


class DatasetMissing(Exception):
    pass


def data_root() -> Path:
    """settings.CSKH_SHARED_DATA (../shared/data beside the checkout by default)."""
    return Path(settings.CSKH_SHARED_DATA)


def load_anonymous_bank(path: Path | None = None) -> tuple[date, np.ndarray]:
    """(first day, counts[days, 48]) of arrivals from the Anonymous Bank log."""
    path = path or data_root() / DATASETS["anonymous-bank"]
    if not path.is_file():
        raise DatasetMissing(str(path))
    per_day: dict[date, np.ndarray] = {}
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["outcome"] == "PHANTOM":
                continue
            raw = row["date"]
            day = date(
                1900 + int(raw[:2]) if int(raw[:2]) > 50 else 2000 + int(raw[:2]),
                int(raw[2:4]),
                int(raw[4:6]),
            )
            h, m, _s = (int(x) for x in row["vru_entry"].split(":"))
            slot = h * 2 + (1 if m >= 30 else 0)
            per_day.setdefault(day, np.zeros(fc.SLOTS))[slot] += 1
    first, last = min(per_day), max(per_day)
    n = (last - first).days + 1
    counts = np.zeros((n, fc.SLOTS))
    for day, row_counts in per_day.items():
        counts[(day - first).days] = row_counts
    return first, counts


@dataclass
class Evaluation:
    wape: float
    wape_seasonal_naive: float
    mase: float
    intervals: int
    method: str
    start_day: int
    train_days: int
    horizon_days: int

    def as_dict(self) -> dict[str, object]:
        return {
            "wape": round(self.wape, 4),
            "wape_seasonal_naive": round(self.wape_seasonal_naive, 4),
            "mase": round(self.mase, 4),
            "intervals": self.intervals,
            "method": self.method,
            "start_day": self.start_day,
            "train_days": self.train_days,
            "horizon_days": self.horizon_days,
        }


def evaluate(
    first_day: date,
    counts: np.ndarray,
    *,
    train_days: int,
    horizon_days: int,
    start_day: int = 0,
    open_slots: tuple[int, int] = BANK_OPEN_SLOTS,
) -> Evaluation:
    """Train on days [S, S+D), forecast [S+D, S+D+H), score over the opening hours."""
    if train_days < fc.WEEK or horizon_days < 1 or start_day < 0:
        raise ValueError("train_days ≥ 7, horizon_days ≥ 1, start_day ≥ 0")
    end = start_day + train_days + horizon_days
    if end > counts.shape[0]:
        raise ValueError(f"the dataset has {counts.shape[0]} days; asked up to day {end}")
    mask = np.zeros(fc.SLOTS, dtype=bool)
    mask[open_slots[0] : open_slots[1]] = True
    history = counts[start_day : start_day + train_days]
    actual = counts[start_day + train_days : end]
    f = fc.choose_and_forecast(
        history, first_day + timedelta(days=start_day), horizon_days, mask, fc.no_flags
    )
    return Evaluation(
        wape=fc.wape(actual[:, mask], f.values[:, mask]),
        wape_seasonal_naive=fc.wape(actual[:, mask], f.naive[:, mask]),
        mase=fc.mase(actual, f.values, history, mask),
        intervals=int(mask.sum()) * horizon_days,
        method=f.method,
        start_day=start_day,
        train_days=train_days,
        horizon_days=horizon_days,
    )
