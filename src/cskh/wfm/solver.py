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

Multi-skill: the requirement may be given per skill (a queue: channel or profile) as
`{skill: (days, 48)}`. An agent with `skills` serves one of them per shift (an empty set means
every skill). Stage 1 then has y[d, p, s]; for every set S of skills the heads given to S on a
day cannot exceed the agents available who have a skill in S (Hall's condition, so stage 2 can
always match heads to agents when no other rule binds; skills are few, so all subsets are
enumerated). Stage 2 fills the skill with the fewest eligible agents first and prefers the
agents with the fewest skills, keeping the versatile ones for where only they fit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
    skills: frozenset[str] = frozenset()  # queues the agent may serve; empty = all

    def can(self, skill: str) -> bool:
        return not self.skills or skill in self.skills


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
    assignment_skills: list[str] = field(default_factory=list)  # skill of each assignment
    coverage_by_skill: dict[str, np.ndarray] = field(default_factory=dict)

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


MAX_SUBSET_SKILLS = 6  # up to 63 Hall constraints per day; beyond, singletons and the whole


def _skill_sets(n: int) -> list[tuple[int, ...]]:
    """The sets of skill indexes stage 1 bounds by the agents who have one of them."""
    if n <= MAX_SUBSET_SKILLS:
        return [tuple(i for i in range(n) if mask >> i & 1) for mask in range(1, 1 << n)]
    return [(i,) for i in range(n)] + [tuple(range(n))]


def _aggregate(
    reqs: Sequence[np.ndarray],
    skills: Sequence[str],
    agents: Sequence[Agent],
    pats: Sequence[Pattern],
    rules: Rules,
    first_weekday: int,
    time_limit: float,
    workers: int,
    seed: int,
) -> tuple[dict[tuple[int, int, int], int], str, dict[str, float]]:
    """Stage 1 (CP-SAT): heads y[d, p, s] per day, pattern and skill minimising
    under/over-staffing per skill, within the heads available each day (per set of skills, see
    the module docstring), the nights those who may work nights can give, the shifts a week can
    hold (6 per agent) and the rest rule between consecutive days in aggregate (a late shift's
    heads cannot all start early the next morning)."""
    from ortools.sat.python import cp_model

    days = reqs[0].shape[0]
    horizon = days * SLOTS
    n_sk = len(skills)
    n_p = len(pats)
    m = cp_model.CpModel()
    y: dict[tuple[int, int, int], cp_model.IntVar] = {}
    sets = _skill_sets(n_sk)

    def day_total(d: int) -> Any:
        return sum(y[d, pi, si] for pi in range(n_p) for si in range(n_sk))

    for d in range(days):
        here = [a for a in agents if d not in a.unavailable]
        for si, sk in enumerate(skills):
            able = [a for a in here if a.can(sk)]
            night_able = sum(1 for a in able if a.night_ok)
            for pi, p in enumerate(pats):
                y[d, pi, si] = m.new_int_var(
                    0, night_able if p.night else len(able), f"y{d}_{pi}_{si}"
                )
        for group in sets:
            names = [skills[si] for si in group]
            cap = sum(1 for a in here if any(a.can(n) for n in names))
            m.add(sum(y[d, pi, si] for pi in range(n_p) for si in group) <= cap)
        nights = sum(1 for a in here if a.night_ok)
        m.add(
            sum(y[d, pi, si] for pi, p in enumerate(pats) if p.night for si in range(n_sk))
            <= nights
        )
    week_days: dict[int, list[int]] = {}
    for d in range(days):
        week_days.setdefault((d + first_weekday) // 7, []).append(d)
    for wd in week_days.values():
        cap = sum(
            min(rules.max_days_week, len([d for d in wd if d not in a.unavailable])) for a in agents
        )
        hours = sum(int(a.max_hours_week * 2) for a in agents)
        m.add(sum(day_total(d) for d in wd) <= cap)
        m.add(
            sum(
                pats[pi].slots * y[d, pi, si] for d in wd for pi in range(n_p) for si in range(n_sk)
            )
            <= hours
        )
        night_cap = sum(rules.max_nights_week for a in agents if a.night_ok)
        m.add(
            sum(
                y[d, pi, si]
                for d in wd
                for pi, p in enumerate(pats)
                if p.night
                for si in range(n_sk)
            )
            <= night_cap
        )
    rest = int(rules.min_rest_hours * 2)
    for d in range(days - 1):
        avail_next = sum(1 for a in agents if d + 1 not in a.unavailable)
        for pi, p in enumerate(pats):
            blocked = [qi for qi, q in enumerate(pats) if SLOTS + q.start_slot - p.end_slot < rest]
            if blocked:
                m.add(
                    sum(y[d, pi, si] for si in range(n_sk))
                    + sum(y[d + 1, qi, si] for qi in blocked for si in range(n_sk))
                    <= max(avail_next, 0)
                )
    under, over = [], []
    for si in range(n_sk):
        covering: list[list[cp_model.IntVar]] = [[] for _ in range(horizon)]
        for d in range(days):
            for pi in range(n_p):
                v = y[d, pi, si]
                for k in pats[pi].covered():
                    t = d * SLOTS + pats[pi].start_slot + k
                    if t < horizon:
                        covering[t].append(v)
        flat = reqs[si].reshape(-1)
        for t in range(horizon):
            need = int(flat[t])
            if need == 0 and not covering[t]:
                continue
            u = m.new_int_var(0, max(need, 0), f"u{si}_{t}")
            o = m.new_int_var(0, len(agents), f"o{si}_{t}")
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
    heads: dict[tuple[int, int, int], int],
    days: int,
    skills: Sequence[str],
    agents: Sequence[Agent],
    pats: Sequence[Pattern],
    rules: Rules,
    first_weekday: int,
) -> list[tuple[int, int, int, int]]:
    """Stage 2: give the heads of each (day, pattern, skill) to agents who have the skill, day
    by day, nights first and the scarcest skill first, respecting every rule per agent; among
    those who may, the one with the fewest skills (multi-skill only), then the fewest weekend
    (night) shifts so far, then the fewest hours this week: fairness by construction."""
    rest = int(rules.min_rest_hours * 2)
    last_end: dict[int, int] = {}  # agent index → end of last shift (slots from day 0)
    week_days: dict[tuple[int, int], int] = {}
    week_slots: dict[tuple[int, int], int] = {}
    week_nights: dict[tuple[int, int], int] = {}
    weekends = [0] * len(agents)
    nights = [0] * len(agents)
    multi = len(skills) > 1
    breadth = [sum(1 for sk in skills if a.can(sk)) if multi else 0 for a in agents]
    scarcity = [sum(1 for a in agents if a.can(sk)) for sk in skills]
    out: list[tuple[int, int, int, int]] = []
    order = sorted(
        ((pi, si) for pi in range(len(pats)) for si in range(len(skills))),
        key=lambda k: (not pats[k[0]].night, scarcity[k[1]], pats[k[0]].start_slot),
    )
    for d in range(days):
        wk = (d + first_weekday) // 7
        weekend = (d + first_weekday) % 7 >= 5
        busy: set[int] = set()
        for pi, si in order:
            p = pats[pi]
            need = heads.get((d, pi, si), 0)
            if not need:
                continue
            start = d * SLOTS + p.start_slot
            candidates = []
            for ai, a in enumerate(agents):
                if ai in busy or d in a.unavailable or (p.night and not a.night_ok):
                    continue
                if not a.can(skills[si]):
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
                    breadth[ai],
                    nights[ai] if p.night else 0,
                    weekends[ai] if weekend else 0,
                    week_slots.get((ai, wk), 0),
                    ai,
                )
                candidates.append((key, ai))
            candidates.sort()
            for _key, ai in candidates[:need]:
                busy.add(ai)
                out.append((ai, d, pi, si))
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
    requirement: np.ndarray | Mapping[str, np.ndarray],
    agents: Sequence[Agent],
    patterns: Sequence[Pattern],
    *,
    rules: Rules = Rules(),
    first_weekday: int = 0,
    time_limit: float = 55.0,
    workers: int = 2,
    seed: int = 0,
) -> Result:
    """Roster `agents` over `requirement` (days × 48 heads on the phones), pooled or per skill
    (`{skill: days × 48}`).

    Two stages: CP-SAT chooses how many heads work each pattern each day for each skill (the
    coverage problem, small: days × patterns × skills integers), then the heads are given to
    agents who have the skill under the per-agent rules with weekend and night fairness. Where
    stage 2 cannot place a head (the rules bind), the interval counts as under-staffed.
    """
    import time

    started = time.perf_counter()
    if isinstance(requirement, Mapping):
        skills = list(requirement)
        reqs = [np.asarray(requirement[k], dtype=int) for k in skills]
    else:
        skills = [""]
        reqs = [np.asarray(requirement, dtype=int)]
    if not reqs:
        raise ValueError("no requirement")
    days = reqs[0].shape[0]
    pats = [p for p in patterns if p.hours <= rules.max_hours_day]
    heads, status, stats = _aggregate(
        reqs, skills, agents, pats, rules, first_weekday, time_limit, workers, seed
    )
    placed = _assign(heads, days, skills, agents, pats, rules, first_weekday)
    per_skill = np.zeros((len(skills), days * SLOTS), dtype=int)
    weekend = [0] * len(agents)
    night = [0] * len(agents)
    for ai, d, pi, si in placed:
        for k in pats[pi].covered():
            t = d * SLOTS + pats[pi].start_slot + k
            if t < days * SLOTS:
                per_skill[si, t] += 1
        if (d + first_weekday) % 7 >= 5:
            weekend[ai] += 1
        if pats[pi].night:
            night[ai] += 1
    by_skill = {sk: per_skill[si].reshape(days, SLOTS) for si, sk in enumerate(skills)}
    cov2 = per_skill.sum(axis=0).reshape(days, SLOTS)
    total_req = np.sum(reqs, axis=0)
    covered = sum(int(np.minimum(by_skill[sk], reqs[si]).sum()) for si, sk in enumerate(skills))
    over = sum(int(np.maximum(by_skill[sk] - reqs[si], 0).sum()) for si, sk in enumerate(skills))
    stats = dict(stats)
    stats["heads_planned"] = float(sum(heads.values()))
    stats["heads_placed"] = float(len(placed))
    stats["max_weekend_shifts"] = float(max(weekend, default=0))
    stats["max_night_shifts"] = float(max(night, default=0))
    return Result(
        assignments=[(agents[ai].key, d, pats[pi].code) for ai, d, pi, _si in placed],
        coverage=cov2,
        status=status,
        seconds=time.perf_counter() - started,
        required=int(total_req.sum()),
        covered=covered,
        over=over,
        bound_covered=capacity_bound(total_req, agents, pats, rules),
        stats=stats,
        assignment_skills=[skills[si] for *_rest, si in placed],
        coverage_by_skill=by_skill,
    )


def standard_patterns() -> list[Pattern]:
    """Day shifts of 8 paid hours with a one-hour lunch after four, and an 8-hour night."""
    out = []
    for start in (12, 14, 16, 18, 20, 24, 26, 28):  # 06:00 … 14:00
        out.append(Pattern(f"D{start // 2:02d}{'30' if start % 2 else '00'}", start, 16, 8, 2))
    out.append(Pattern("N22", 44, 16, None, 0, night=True))  # 22:00–06:00
    return out
