"""Queueing maths against the issue's reference values (and pyworkforce's Erlang A snapshot)."""

import math

import pytest

from cskh.wfm import erlang
from cskh.wfm.erlang import ErlangError

REF = dict(calls=100, interval_seconds=1800, aht_seconds=180, target_seconds=20)


def test_erlang_c_reference_values():
    m = erlang.erlang_c(agents=14, **REF)
    assert round(m.p_wait, 4) == 0.1741
    assert round(m.service_level, 4) == 0.8884
    assert round(m.asa_seconds, 2) == 7.84
    assert round(m.occupancy, 4) == 0.7143
    assert m.p_abandon is None


def test_erlang_a_reference_values():
    m = erlang.erlang_a(agents=14, patience_seconds=300, **REF)
    assert round(m.p_wait, 4) == 0.1453
    assert round(m.p_abandon, 4) == 0.0140
    assert round(m.asa_seconds, 2) == 4.20
    assert round(m.occupancy, 4) == 0.7043
    assert round(m.service_level, 4) == 0.9168
    # pyworkforce's own regression snapshot of the same scenario, to 6 places
    assert round(m.service_level, 6) == 0.916792
    assert round(m.asa_seconds / 60, 6) == 0.069919


def test_staffing_reference_values():
    s = erlang.staffing(model="c", service_level=0.8, max_occupancy=0.85, shrinkage=0.30, **REF)
    assert (s.agents, s.rostered) == (14, 20)
    assert round(s.metrics.service_level, 4) == 0.8884


def test_erlang_c_service_level_below_target_with_one_agent_less():
    assert erlang.erlang_c(agents=13, **REF).service_level < 0.8


def test_occupancy_cap_raises_agents():
    # A = 10 Erlangs; SL 20 % is met by 11 agents, the 0.85 cap needs ⌈10 / 0.85⌉ = 12
    s = erlang.staffing(model="c", service_level=0.2, max_occupancy=0.85, **REF)
    assert s.agents == 12
    assert s.metrics.occupancy <= 0.85


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    c = erlang.erlang_c(agents=14, **REF)
    gaps = []
    for patience in (300, 3_000, 30_000, 3_000_000):
        a = erlang.erlang_a(agents=14, patience_seconds=patience, **REF)
        gaps.append(abs(a.p_wait - c.p_wait) + abs(a.service_level - c.service_level))
    assert gaps == sorted(gaps, reverse=True)
    a = erlang.erlang_a(agents=14, patience_seconds=3_000_000, **REF)
    assert a.p_wait == pytest.approx(c.p_wait, abs=1e-4)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-4)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, abs=1e-2)
    assert a.occupancy == pytest.approx(c.occupancy, abs=1e-4)
    assert a.p_abandon < 1e-4


@pytest.mark.parametrize("model", ["c", "a"])
def test_service_level_never_falls_when_agents_rise(model):
    levels = [
        erlang.metrics(model=model, agents=n, patience_seconds=120, **REF).service_level
        for n in range(11, 30)
    ]
    assert all(b >= a - 1e-12 for a, b in zip(levels, levels[1:], strict=False))
    assert levels[-1] > 0.999


def test_stable_for_hundreds_of_agents():
    # 5,000 calls per half hour at 180 s = 500 Erlangs: factorials would overflow long before
    c = erlang.erlang_c(
        calls=5000, interval_seconds=1800, aht_seconds=180, agents=520, target_seconds=20
    )
    a = erlang.erlang_a(
        calls=5000,
        interval_seconds=1800,
        aht_seconds=180,
        agents=520,
        target_seconds=20,
        patience_seconds=300,
    )
    for m in (c, a):
        assert all(math.isfinite(x) for x in (m.p_wait, m.service_level, m.asa_seconds))
        assert 0 < m.p_wait < 1 and 0 < m.service_level <= 1
    s = erlang.staffing(
        model="a",
        calls=5000,
        interval_seconds=1800,
        aht_seconds=180,
        target_seconds=20,
        service_level=0.8,
        patience_seconds=300,
    )
    assert 480 < s.agents < 600


def test_erlang_a_serves_overload_that_erlang_c_cannot():
    # 12 Erlangs on 10 agents: Erlang C has no steady state, Erlang A does (callers hang up)
    with pytest.raises(ErlangError):
        erlang.erlang_c(
            agents=10, calls=120, interval_seconds=1800, aht_seconds=180, target_seconds=20
        )
    a = erlang.erlang_a(
        agents=10,
        calls=120,
        interval_seconds=1800,
        aht_seconds=180,
        target_seconds=20,
        patience_seconds=60,
    )
    assert a.p_abandon > 0.1 and a.occupancy <= 1


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(REF, calls=-1),
        dict(REF, interval_seconds=0),
        dict(REF, aht_seconds=float("nan")),
        dict(REF, target_seconds=-5),
    ],
)
def test_bad_parameters_raise_vietnamese_errors(kwargs):
    with pytest.raises(ErlangError) as err:
        erlang.erlang_c(agents=14, **kwargs)
    assert any(w in str(err.value) for w in ("phải", "không được"))


def test_staffing_search_is_capped():
    with pytest.raises(ErlangError):
        erlang.staffing(
            model="c",
            calls=10**9,
            interval_seconds=1800,
            aht_seconds=180,
            target_seconds=20,
            service_level=0.8,
        )


def test_zero_calls_need_nobody():
    s = erlang.staffing(
        model="c",
        calls=0,
        interval_seconds=1800,
        aht_seconds=180,
        target_seconds=20,
        service_level=0.8,
    )
    assert (s.agents, s.rostered) == (0, 0)
