"""Shift scheduling (CP-SAT + rule-keeping assignment) and vectorised staffing."""

import numpy as np

from cskh.wfm import erlang, solver


def test_staffing_many_equals_one_at_a_time():
    rng = np.random.default_rng(0)
    calls = rng.uniform(0, 300, size=(3, 48))
    calls[0, :5] = 0
    ahts = np.array([150.0, 240.0, 400.0])
    agents, rostered = erlang.staffing_c_many(
        calls=calls,
        interval_seconds=1800,
        aht_seconds=ahts[:, None],
        target_seconds=20,
        service_level=0.8,
        max_occupancy=0.85,
        shrinkage=0.3,
    )
    for q in range(3):
        for s in range(48):
            one = erlang.staffing(
                model="c",
                calls=float(calls[q, s]),
                interval_seconds=1800,
                aht_seconds=float(ahts[q]),
                target_seconds=20,
                service_level=0.8,
                max_occupancy=0.85,
                shrinkage=0.3,
            )
            assert (agents[q, s], rostered[q, s]) == (one.agents, one.rostered)


def _requirement(days, peak):
    slots = np.arange(48)
    day = np.round(peak * np.exp(-((slots - 22) ** 2) / 40)).astype(int)
    day[:14] = 0
    day[44:] = 1
    day[:12] = 1  # a thin night line
    return np.tile(day, (days, 1))


def test_roster_keeps_the_labour_rules_and_covers():
    days = 14
    req = _requirement(days, 8)
    agents = [solver.Agent(key=k, night_ok=k % 2 == 0) for k in range(20)]
    agents[3] = solver.Agent(key=3, night_ok=False, unavailable=frozenset({0, 1, 2}))
    result = solver.solve(req, agents, solver.standard_patterns(), time_limit=20)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert result.coverage_ratio >= 0.98 * result.bound_covered / result.required
    pats = {p.code: p for p in solver.standard_patterns()}
    by_agent = {}
    for key, d, code in result.assignments:
        by_agent.setdefault(key, []).append((d, pats[code]))
    assert all(d not in {0, 1, 2} for d, _p in by_agent.get(3, []))
    for key, shifts in by_agent.items():
        shifts.sort(key=lambda x: x[0])
        days_seen = [d for d, _p in shifts]
        assert len(days_seen) == len(set(days_seen))  # one shift a day
        for week in range(2):
            in_week = [p for d, p in shifts if d // 7 == week]
            assert len(in_week) <= 6  # a day off every week
            assert sum(p.hours for p in in_week) <= 48
        for (d1, p1), (d2, p2) in zip(shifts, shifts[1:], strict=False):
            gap = (d2 - d1) * 48 + p2.start_slot - p1.end_slot
            assert gap >= 24  # 12 hours of rest
        if key % 2 == 1:
            assert not any(p.night for _d, p in shifts)
    assert result.stats["max_night_shifts"] <= 6


def test_roster_reports_the_gap_when_the_team_is_too_small():
    req = _requirement(7, 30)
    agents = [solver.Agent(key=k) for k in range(10)]
    result = solver.solve(req, agents, solver.standard_patterns(), time_limit=10)
    assert result.covered < result.required
    assert result.covered <= result.bound_covered < result.required


def test_multi_skill_roster_serves_each_queue_with_agents_who_have_the_skill():
    days = 7
    voice = _requirement(days, 6)
    chat = _requirement(days, 3)
    chat[:, :14] = 0  # no written channel at night
    chat[:, 44:] = 0
    agents = (
        [solver.Agent(key=k, skills=frozenset({"voice"})) for k in range(8)]
        + [solver.Agent(key=100 + k, skills=frozenset({"chat"})) for k in range(4)]
        + [solver.Agent(key=200 + k) for k in range(4)]  # every skill
    )
    result = solver.solve(
        {"voice": voice, "chat": chat}, agents, solver.standard_patterns(), time_limit=20
    )
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert len(result.assignment_skills) == len(result.assignments)
    skills_of = {a.key: a.skills for a in agents}
    for (key, _d, _code), skill in zip(result.assignments, result.assignment_skills, strict=True):
        assert not skills_of[key] or skill in skills_of[key]
    assert set(result.coverage_by_skill) == {"voice", "chat"}
    np.testing.assert_array_equal(
        result.coverage, result.coverage_by_skill["voice"] + result.coverage_by_skill["chat"]
    )
    covered = sum(
        int(np.minimum(result.coverage_by_skill[k], r).sum())
        for k, r in (("voice", voice), ("chat", chat))
    )
    assert result.covered == covered
    assert result.covered >= 0.95 * result.required
    # chat-only agents never answer the phone queue
    chat_only = {100, 101, 102, 103}
    assert all(
        s == "chat"
        for (key, _d, _c), s in zip(result.assignments, result.assignment_skills, strict=True)
        if key in chat_only
    )


def test_multi_skill_does_not_pool_a_queue_nobody_can_serve():
    req = _requirement(3, 4)
    agents = [solver.Agent(key=k, skills=frozenset({"voice"})) for k in range(12)]
    result = solver.solve(
        {"voice": req, "zalo": req}, agents, solver.standard_patterns(), time_limit=10
    )
    assert int(result.coverage_by_skill["zalo"].sum()) == 0
    assert result.covered <= int(req.sum())
    assert result.covered >= 0.9 * int(req.sum())
