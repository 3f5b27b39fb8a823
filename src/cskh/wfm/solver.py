"""Shift scheduling with OR-Tools CP-SAT (no Django: plain data in, assignments out).

Stage 1 decides y[d, p] = heads working pattern p on day d with CP-SAT, minimising
`UNDER_WEIGHT` × under-staffed agent-intervals + over-staffed ones; the coverage of each
half-hour is a short sum over the few (d, p) that cover it (a night shift covers the next
morning too). Agents are interchangeable there except for their leave and night eligibility,
so the model stays small (days × patterns) whatever the team size; a per-agent model
(agents × days × patterns booleans) did not reach good solutions in 60 s on 2 cores.
Stage 2 gives the heads to agents day by day under every per-agent rule, the one with the
fewest weekend (night) shifts so far first, which spreads weekends and nights over the team.

Hard rules (Vietnamese Labour Code 2019; the numbers are parameters):
- one shift a day at most, normal hours per day ≤ `max_hours_day` (a pattern longer is not
  offered), hours per ISO week ≤ the agent's `max_hours_week` (≤ 48);
- at least 12 hours of rest between two shifts (Art. 109) and one day off in every week
  (Art. 111): at most `max_days_week` shifts in each calendar week;
- night work (22:00–06:00) only for agents who may (`night_ok`), at most
  `max_nights_week` per week;
- no shift on a day the agent is unavailable (approved leave, days off asked for).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

SLOTS = 48
UNDER_WEIGHT = 20


@dataclass(frozen=True)
class Pattern:
    code: str
    start_slot: int  # half-hour of the day the shift starts
    slots: int  # paid length in half-hours (the lunch included in the span, not worked)
    lunch_offset: int | None = None  # half-hours after the start when lunch begins
    lunch_slots: int = 0
    night: bool = False

    def covered(self) -> list[int]:
        """Offsets (from the start) of the half-hours worked."""
        out = []
        for k in range(self.slots + self.lunch_slots):
            if self.lunch_offset is not None and (
                self.lunch_offset <= k < self.lunch_offset + self.lunch_slots
            ):
                continue
            out.append(k)
        return out

    @property
    def hours(self) -> float:
        return self.slots / 2

    @property
    def end_slot(self) -> int:
        """End as half-hours from the start day's midnight (may pass 48)."""
        return self.start_slot + self.slots + self.lunch_slots


@dataclass(frozen=True)
class Agent:
    key: int
    max_hours_week: float = 48
    night_ok: bool = True
    unavailable: frozenset[int] = frozenset()  # day indexes


@dataclass(frozen=True)
class Rules:
    max_hours_day: float = 8
    max_days_week: int = 6
    min_rest_hours: float = 12
    max_nights_week: int = 3


@dataclass
class Result:
    assignments: list[tuple[int, int, str]]  # (agent key, day, pattern code)
    coverage: np.ndarray  # (days, 48) agents on the phones
    status: str
    seconds: float
    required: int
    covered: int  # Σ min(coverage, requirement)
    over: int
    bound_covered: int  # what the roster could cover at best (capacity, leave, rules)
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def coverage_ratio(self) -> float:
        return self.covered / self.required if self.required else 1.0


def capacity_bound(
    requirement: np.ndarray, agents: Sequence[Agent], patterns: Sequence[Pattern], rules: Rules
) -> int:
    """An upper bound of the coverable agent-intervals: per day, min(requirement, the agents
    available that day × the patterns' reach), and overall the agents' weekly hours."""
    days = requirement.shape[0]
    reach = np.zeros(SLOTS, dtype=bool)
    for p in patterns:
        for k in p.covered():
            reach[(p.start_slot + k) % SLOTS] = True
    total = 0
    for d in range(days):
        avail = sum(1 for a in agents if d not in a.unavailable)
        total += int(np.minimum(requirement[d], np.where(reach, avail, 0)).sum())
    weeks = math.ceil(days / 7)
    hours = sum(min(a.max_hours_week, rules.max_days_week * rules.max_hours_day) for a in agents)
    worked_slots = int(hours * 2 * weeks)
    return min(total, worked_slots)


def _aggregate(
    req: np.ndarray,
    agents: Sequence[Agent],
    pats: Sequence[Pattern],
    rules: Rules,
    first_weekday: int,
    time_limit: float,
    workers: int,
    seed: int,
) -> tuple[dict[tuple[int, int], int], str, dict[str, float]]:
    """Stage 1 (CP-SAT): heads y[d, p] per day and pattern minimising under/over-staffing,
    within the heads available each day, the nights those who may work nights can give, the
    shifts a week can hold (6 per agent) and the rest rule between consecutive days in
    aggregate (a late shift's heads cannot all start early the next morning)."""
    from ortools.sat.python import cp_model

    days = req.shape[0]
    horizon = days * SLOTS
    m = cp_model.CpModel()
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    for d in range(days):
        avail = sum(1 for a in agents if d not in a.unavailable)
        nights = sum(1 for a in agents if d not in a.unavailable and a.night_ok)
        for pi, p in enumerate(pats):
            y[d, pi] = m.new_int_var(0, nights if p.night else avail, f"y{d}_{pi}")
        m.add(sum(y[d, pi] for pi in range(len(pats))) <= avail)
    week_days: dict[int, list[int]] = {}
    for d in range(days):
        week_days.setdefault((d + first_weekday) // 7, []).append(d)
    for wd in week_days.values():
        cap = sum(
            min(rules.max_days_week, len([d for d in wd if d not in a.unavailable])) for a in agents
        )
        hours = sum(int(a.max_hours_week * 2) for a in agents)
        m.add(sum(y[d, pi] for d in wd for pi in range(len(pats))) <= cap)
        m.add(sum(pats[pi].slots * y[d, pi] for d in wd for pi in range(len(pats))) <= hours)
        night_cap = sum(rules.max_nights_week for a in agents if a.night_ok)
        m.add(sum(y[d, pi] for d in wd for pi, p in enumerate(pats) if p.night) <= night_cap)
    rest = int(rules.min_rest_hours * 2)
    for d in range(days - 1):
        avail_next = sum(1 for a in agents if d + 1 not in a.unavailable)
        for pi, p in enumerate(pats):
            blocked = [qi for qi, q in enumerate(pats) if SLOTS + q.start_slot - p.end_slot < rest]
            if blocked:
                m.add(y[d, pi] + sum(y[d + 1, qi] for qi in blocked) <= max(avail_next, 0) + 0)
    covering: list[list[cp_model.IntVar]] = [[] for _ in range(horizon)]
    for (d, pi), v in y.items():
        for k in pats[pi].covered():
            t = d * SLOTS + pats[pi].start_slot + k
            if t < horizon:
                covering[t].append(v)
    flat = req.reshape(-1)
    under, over = [], []
    for t in range(horizon):
        need = int(flat[t])
        if need == 0 and not covering[t]:
            continue
        u = m.new_int_var(0, max(need, 0), f"u{t}")
        o = m.new_int_var(0, len(agents), f"o{t}")
        m.add(sum(covering[t]) + u - o == need)
        under.append(u)
        over.append(o)
    m.minimize(UNDER_WEIGHT * sum(under) + sum(over))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(m)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, name, {}
    heads = {k: int(solver.value(v)) for k, v in y.items() if solver.value(v)}
    stats = {"objective": solver.objective_value, "bound": solver.best_objective_bound}
    return heads, name, stats


def _assign(
    heads: dict[tuple[int, int], int],
    days: int,
    agents: Sequence[Agent],
    pats: Sequence[Pattern],
    rules: Rules,
    first_weekday: int,
) -> list[tuple[int, int, int]]:
    """Stage 2: give the heads of each (day, pattern) to agents, day by day, nights first,
    respecting every rule per agent; among those who may, the one with the fewest weekend
    (night) shifts so far, then the fewest hours this week: fairness by construction."""
    rest = int(rules.min_rest_hours * 2)
    last_end: dict[int, int] = {}  # agent index → end of last shift (slots from day 0)
    week_days: dict[tuple[int, int], int] = {}
    week_slots: dict[tuple[int, int], int] = {}
    week_nights: dict[tuple[int, int], int] = {}
    weekends = [0] * len(agents)
    nights = [0] * len(agents)
    out: list[tuple[int, int, int]] = []
    order = sorted(range(len(pats)), key=lambda pi: (not pats[pi].night, pats[pi].start_slot))
    for d in range(days):
        wk = (d + first_weekday) // 7
        weekend = (d + first_weekday) % 7 >= 5
        busy: set[int] = set()
        for pi in order:
            p = pats[pi]
            need = heads.get((d, pi), 0)
            if not need:
                continue
            start = d * SLOTS + p.start_slot
            candidates = []
            for ai, a in enumerate(agents):
                if ai in busy or d in a.unavailable or (p.night and not a.night_ok):
                    continue
                if ai in last_end and start - last_end[ai] < rest:
                    continue
                if week_days.get((ai, wk), 0) >= rules.max_days_week:
                    continue
                if week_slots.get((ai, wk), 0) + p.slots > a.max_hours_week * 2:
                    continue
                if p.night and week_nights.get((ai, wk), 0) >= rules.max_nights_week:
                    continue
                key = (
                    nights[ai] if p.night else 0,
                    weekends[ai] if weekend else 0,
                    week_slots.get((ai, wk), 0),
                    ai,
                )
                candidates.append((key, ai))
            candidates.sort()
            for _key, ai in candidates[:need]:
                busy.add(ai)
                out.append((ai, d, pi))
                last_end[ai] = d * SLOTS + p.end_slot
                week_days[ai, wk] = week_days.get((ai, wk), 0) + 1
                week_slots[ai, wk] = week_slots.get((ai, wk), 0) + p.slots
                if p.night:
                    week_nights[ai, wk] = week_nights.get((ai, wk), 0) + 1
                    nights[ai] += 1
                if weekend:
                    weekends[ai] += 1
    return out


def solve(
    requirement: np.ndarray,
    agents: Sequence[Agent],
    patterns: Sequence[Pattern],
    *,
    rules: Rules = Rules(),
    first_weekday: int = 0,
    time_limit: float = 55.0,
    workers: int = 2,
    seed: int = 0,
) -> Result:
    """Roster `agents` over `requirement` (days × 48 heads on the phones).

    Two stages: CP-SAT chooses how many heads work each pattern each day (the coverage
    problem, small: days × patterns integers), then the heads are given to agents under the
    per-agent rules with weekend and night fairness. Where stage 2 cannot place a head (the
    rules bind), the interval counts as under-staffed in the result.
    """
    import time

    started = time.perf_counter()
    req = np.asarray(requirement, dtype=int)
    days = req.shape[0]
    pats = [p for p in patterns if p.hours <= rules.max_hours_day]
    heads, status, stats = _aggregate(
        req, agents, pats, rules, first_weekday, time_limit, workers, seed
    )
    placed = _assign(heads, days, agents, pats, rules, first_weekday)
    coverage = np.zeros(days * SLOTS, dtype=int)
    weekend = [0] * len(agents)
    night = [0] * len(agents)
    for ai, d, pi in placed:
        for k in pats[pi].covered():
            t = d * SLOTS + pats[pi].start_slot + k
            if t < days * SLOTS:
                coverage[t] += 1
        if (d + first_weekday) % 7 >= 5:
            weekend[ai] += 1
        if pats[pi].night:
            night[ai] += 1
    cov2 = coverage.reshape(days, SLOTS)
    stats = dict(stats)
    stats["heads_planned"] = float(sum(heads.values()))
    stats["heads_placed"] = float(len(placed))
    stats["max_weekend_shifts"] = float(max(weekend, default=0))
    stats["max_night_shifts"] = float(max(night, default=0))
    return Result(
        assignments=[(agents[ai].key, d, pats[pi].code) for ai, d, pi in placed],
        coverage=cov2,
        status=status,
        seconds=time.perf_counter() - started,
        required=int(req.sum()),
        covered=int(np.minimum(cov2, req).sum()),
        over=int(np.maximum(cov2 - req, 0).sum()),
        bound_covered=capacity_bound(req, agents, pats, rules),
        stats=stats,
    )


def standard_patterns() -> list[Pattern]:
    """Day shifts of 8 paid hours with a one-hour lunch after four, and an 8-hour night."""
    out = []
    for start in (12, 14, 16, 18, 20, 24, 26, 28):  # 06:00 … 14:00
        out.append(Pattern(f"D{start // 2:02d}{'30' if start % 2 else '00'}", start, 16, 8, 2))
    out.append(Pattern("N22", 44, 16, None, 0, night=True))  # 22:00–06:00
    return out
