"""Forecasting: methods on synthetic Poisson data, the choice by backtest, holidays, events,
the intraday re-forecast, and the history read from cskh's own interactions."""

import json
from datetime import date, datetime, timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from cskh.wfm import forecasting as fc

MASK = np.zeros(fc.SLOTS, dtype=bool)
MASK[14:42] = True  # 07:00–21:00
FIRST = date(2026, 3, 2)  # a Monday


def synthetic(days: int, seed: int = 1) -> np.ndarray:
    """Poisson arrivals: a two-peak day, quieter Saturdays and much quieter Sundays."""
    rng = np.random.default_rng(seed)
    slots = np.arange(fc.SLOTS)
    shape = np.exp(-((slots - 19) ** 2) / 18) + 0.8 * np.exp(-((slots - 29) ** 2) / 25)
    shape = np.where(MASK, shape + 0.05, 0)
    out = np.zeros((days, fc.SLOTS))
    for k in range(days):
        dow = (FIRST + timedelta(days=k)).weekday()
        level = {5: 0.85, 6: 0.5}.get(dow, 1.0) * 40
        out[k] = rng.poisson(level * shape)
    return out


def test_seasonal_naive_repeats_last_week():
    h = synthetic(14)
    f = fc.seasonal_naive(h, 10)
    assert (f[:7] == h[7:]).all() and (f[7:] == h[7:10]).all()


def test_profile_beats_seasonal_naive_on_poisson_data():
    data = synthetic(35)
    hist, actual = data[:28], data[28:]
    f = fc.choose_and_forecast(hist, FIRST, 7, MASK)
    assert f.method != "seasonal_naive"
    assert fc.wape(actual[:, MASK], f.values[:, MASK]) < 0.85 * fc.wape(
        actual[:, MASK], f.naive[:, MASK]
    )
    assert set(f.backtest) >= {"seasonal_naive", "seasonal_mean", "profile_ensemble", "boosting"}
    assert (f.values[:, ~MASK] == 0).all()


def test_profile_ensemble_is_the_mean_of_its_variants():
    h = synthetic(21)
    ens = fc.profile_ensemble(h, FIRST, 7, MASK)
    variants = [
        fc.profile(h, FIRST, 7, MASK, half_life=hl, own_shape=own, class_weight=cw)
        for hl, own, cw in fc.ENSEMBLE_GRID
    ]
    assert len(variants) == 12
    np.testing.assert_allclose(ens, np.mean(variants, axis=0))
    # the variants differ (otherwise the average would be pointless)
    assert np.abs(variants[0] - variants[-1]).sum() > 1.0
    assert (ens[:, ~MASK] == 0).all()


def test_profile_ensemble_follows_a_level_shift_faster_than_a_long_memory():
    h = synthetic(21)
    h[14:] *= 1.5  # the last week runs 50 % higher
    long_memory = fc.profile(h, FIRST, 7, MASK, half_life=1e9)
    ens = fc.profile_ensemble(h, FIRST, 7, MASK)
    assert ens[:, MASK].sum() > long_memory[:, MASK].sum()


def test_holiday_is_shaped_and_scaled_from_past_holidays():
    data = synthetic(42)
    holidays = {FIRST + timedelta(days=9), FIRST + timedelta(days=23), FIRST + timedelta(days=44)}
    for d in holidays:
        k = (d - FIRST).days
        if k < 42:
            data[k] = np.round(data[k] * 0.3)

    def flags(day):
        return {"holiday": 1.0 if day in holidays else 0.0}

    f = fc.profile(data, FIRST, 7, MASK, flags)
    holiday_row = f[44 - 42, MASK].sum()
    same_weekday = f[(44 - 42) + 0, MASK].sum()
    plain = fc.profile(data, FIRST, 7, MASK, fc.no_flags)[44 - 42, MASK].sum()
    assert holiday_row == same_weekday  # the row itself
    assert holiday_row < 0.5 * plain


def test_vietnam_flags_know_tet_and_national_day():
    flags = fc.vietnam_flags(years=[2026], bill_day=5)
    assert flags(date(2026, 9, 2))["holiday"] == 1.0
    assert flags(date(2026, 2, 17))["tet"] == 1.0  # Mùng 1 Tết Bính Ngọ
    assert flags(date(2026, 3, 10))["holiday"] == 0.0
    assert flags(date(2026, 3, 6))["billing"] == 1.0


def test_intraday_reforecast_follows_a_busy_morning_with_shrinkage():
    day = np.where(MASK, 10.0, 0.0)
    observed = np.where(MASK, 20.0, 0.0)
    re = fc.reforecast_intraday(day, observed, now_slot=24)
    seen = day[:24].sum()
    expected_ratio = (2 * seen + 30) / (seen + 30)
    assert re[30] == pytest.approx(10 * expected_ratio)
    assert 1.5 < expected_ratio < 2
    assert (re[:24] == observed[:24]).all()
    storm = fc.reforecast_intraday(day, day, now_slot=24, uplift=3.0)
    assert storm[30] == pytest.approx(30.0)


def test_evaluate_command_prints_the_scores_or_skips(tmp_path, settings):
    out = StringIO()
    settings.CSKH_SHARED_DATA = tmp_path  # absent: skipped cleanly
    err = StringIO()
    call_command(
        "wfm",
        "evaluate",
        "--dataset",
        "anonymous-bank",
        "--train-days",
        "14",
        "--horizon-days",
        "7",
        stdout=out,
        stderr=err,
    )
    assert out.getvalue() == "" and "skipped" in err.getvalue()


def test_evaluate_on_a_small_log(tmp_path, settings):
    """The loader and the JSON, on a log written here in the dataset's format."""
    folder = tmp_path / "callcenter-anonymous-bank"
    folder.mkdir()
    rng = np.random.default_rng(3)
    lines = [
        "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\t"
        "vru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver"
    ]
    call = 0
    for day in range(1, 23):
        for hour in range(7, 24):
            for _ in range(rng.poisson(20 if day % 7 else 5)):
                call += 1
                stamp = f"{hour}:{rng.integers(0, 60):02d}:00"
                lines.append(
                    f"AA0101\t{call}\t0\t0\tPS\t9902{day:02d}\t{stamp}\t{stamp}\t1\t0:00:00\t"
                    f"0:00:00\t0\tAGENT\t{stamp}\t{stamp}\t60\tDORIT"
                )
    (folder / "data_anonymous_bank_february.txt").write_text("\n".join(lines) + "\n")
    settings.CSKH_SHARED_DATA = tmp_path
    out = StringIO()
    call_command(
        "wfm",
        "evaluate",
        "--dataset",
        "anonymous-bank",
        "--train-days",
        "14",
        "--horizon-days",
        "7",
        "--start-day",
        "1",
        stdout=out,
    )
    body = json.loads(out.getvalue())
    assert body["intervals"] == 7 * 34
    assert 0 < body["wape"] < 1 and 0 < body["wape_seasonal_naive"] < 2
    assert body["mase"] > 0


@pytest.mark.django_db
def test_forecast_run_reads_interactions(agent):
    from cskh.cases.models import Interaction
    from cskh.wfm.models import StaffingQueue
    from cskh.wfm.services import forecasts

    queue = StaffingQueue.objects.create(code="TD", name="Tổng đài", channel="phone")
    now = timezone.make_aware(datetime(2026, 6, 15, 6, 0))
    rows = []
    for k in range(1, 22):
        day = (now - timedelta(days=k)).date()
        for hour in (8, 9, 10, 14):
            at = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
                hours=hour, minutes=10
            )
            rows += [Interaction(channel="phone", direction="in", started_at=at)] * 3
            rows.append(Interaction(channel="email", direction="in", started_at=at))
    Interaction.objects.bulk_create(
        [
            Interaction(
                **{"channel": r.channel, "direction": r.direction, "started_at": r.started_at}
            )
            for r in rows
        ]
    )
    hist = forecasts.history(queue, first_day=(now - timedelta(days=7)).date(), days=7)
    assert hist.sum() == 7 * 4 * 3
    assert hist[0, 16] == 3  # 08:00–08:30
    run = forecasts.run_forecast(queue, now=now, horizon_days=7)
    assert run is not None
    cells = {
        timezone.localtime(i.start).strftime("%H:%M"): i.calls
        for i in run.intervals.all()
        if timezone.localtime(i.start).date() == now.date()
    }
    assert cells["09:00"] == pytest.approx(3, abs=1.0)
    assert cells["09:30"] < 0.5 and cells["12:00"] < 0.5
