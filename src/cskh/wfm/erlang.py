"""Queueing mathematics for staffing: Erlang C (M/M/N) and Erlang A (M/M/N+M).

Plain functions of floats, no Django. Rates are per second throughout: `calls` arrive in an
interval of `interval_seconds`, each holds an agent `aht_seconds` on average (talk + wrap-up),
waiting callers hang up after an exponential patience of mean `patience_seconds` (Erlang A).

Numerical stability for hundreds (thousands) of agents:

- Erlang C is computed from the Erlang B recursion B(n) = A·B(n−1) / (n + A·B(n−1)), which
  never forms a factorial or a power of A and stays in [0, 1].
- Erlang A is computed from the stationary distribution of the birth–death chain (birth rate
  λ, death rate min(n, N)·μ + max(n − N, 0)·θ) in log space: log-weights are cumulative sums
  of log(λ / death rate), the largest is subtracted before exponentiating, and the chain is
  truncated where the weights fall below e^-40 of the peak.

Service level for Erlang A is the share of *all* arrivals answered within the target (an
arrival that abandons is not answered), as pyworkforce computes it: immediate answers plus,
for an arrival that finds j callers queued, the probability that it is served before both its
own patience runs out and the target time passes. That probability comes from the
tagged-customer absorbing chain by uniformization, for every j at once.

Bad parameters raise `ErlangError` (a ValueError) with a Vietnamese message; searches for a
staffing level are capped (`MAX_AGENTS`), so no input makes them loop for long.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

#: The largest staffing level any search will try (one queue, one interval).
MAX_AGENTS = 5000
#: Truncation of the Erlang A chain: states whose weight is below e^-TAIL of the peak.
TAIL = 40.0
#: States of the Erlang A chain above N that we accept to build (load the model cannot serve).
MAX_QUEUE_STATES = 200_000
#: Work bound of the Erlang A service-level computation (uniformization steps × states).
MAX_WORK = 20_000_000
#: The longest answer target accepted (one hour; chat/e-mail targets are not Erlang queues).
MAX_TARGET_SECONDS = 3600.0


class ErlangError(ValueError):
    """Parameters the model cannot work with; `str()` is a Vietnamese message."""


@dataclass(frozen=True, slots=True)
class Metrics:
    """Performance of one queue with N agents in one interval."""

    agents: int
    p_wait: float
    service_level: float
    asa_seconds: float
    occupancy: float
    p_abandon: float | None  # None for Erlang C (nobody abandons)


@dataclass(frozen=True, slots=True)
class Staffing:
    """The staffing answer: N on the phones (`agents`) and heads on the roster."""

    agents: int
    rostered: int
    metrics: Metrics


# --------------------------------------------------------------------------- validation


def _positive(name: str, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise ErlangError(_("%(name)s phải là số dương.") % {"name": name})
    return float(value)


def _non_negative(name: str, value: float) -> float:
    if not math.isfinite(value) or value < 0:
        raise ErlangError(_("%(name)s không được âm.") % {"name": name})
    return float(value)


def _fraction(name: str, value: float, *, low_open: bool, high_open: bool) -> float:
    ok = math.isfinite(value) and (value > 0 if low_open else value >= 0)
    ok = ok and (value < 1 if high_open else value <= 1)
    if not ok:
        raise ErlangError(_("%(name)s phải nằm trong khoảng 0–1.") % {"name": name})
    return float(value)


def _target(value: float) -> float:
    _non_negative("Thời gian trả lời mục tiêu", value)
    if value > MAX_TARGET_SECONDS:
        raise ErlangError(
            _("Thời gian trả lời mục tiêu tối đa là %(n)d giây.") % {"n": MAX_TARGET_SECONDS}
        )
    return float(value)


def _agents(agents: int) -> int:
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise ErlangError(_("Số tư vấn viên phải là số nguyên dương."))
    if agents > MAX_AGENTS:
        raise ErlangError(_("Số tư vấn viên tối đa là %(n)d cho một hàng đợi.") % {"n": MAX_AGENTS})
    return agents


def offered_load(calls: float, interval_seconds: float, aht_seconds: float) -> float:
    """Traffic intensity A in Erlangs: arrival rate × mean handling time."""
    _non_negative("Số cuộc gọi", calls)
    _positive("Độ dài khoảng thời gian", interval_seconds)
    _positive("Thời gian xử lý trung bình", aht_seconds)
    return calls * aht_seconds / interval_seconds


# --------------------------------------------------------------------------- Erlang B / C


def erlang_b(load: float, agents: int) -> float:
    """Blocking probability of M/M/N/N by the recursion (stable, O(N), no factorials)."""
    b = 1.0
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    return b


def _c_from_b(b: float, load: float, agents: int) -> float:
    rho = load / agents
    return b / (1.0 - rho * (1.0 - b))


def erlang_c_wait(load: float, agents: int) -> float:
    """P(wait) of M/M/N (Erlang C); 1 when the queue is unstable (A ≥ N)."""
    if load >= agents:
        return 1.0
    return _c_from_b(erlang_b(load, agents), load, agents)


def _c_metrics(
    load: float, agents: int, aht: float, target: float, p_wait: float
) -> tuple[float, float]:
    """(service level, ASA seconds) of Erlang C given P(wait)."""
    gap = (agents - load) / aht  # N·μ − λ, per second
    sl = 1.0 - p_wait * math.exp(-gap * target)
    return max(0.0, min(1.0, sl)), p_wait / gap


def erlang_c(
    *,
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    agents: int,
    target_seconds: float,
) -> Metrics:
    """Erlang C metrics. Raises when the load needs more agents than given (A ≥ N)."""
    load = offered_load(calls, interval_seconds, aht_seconds)
    agents = _agents(agents)
    _target(target_seconds)
    if load >= agents:
        raise ErlangError(
            _(
                "Tải %(load).1f Erlang không phục vụ được với %(n)d tư vấn viên "
                "(Erlang C cần nhiều tư vấn viên hơn tải)."
            )
            % {"load": load, "n": agents}
        )
    p_wait = erlang_c_wait(load, agents)
    sl, asa = _c_metrics(load, agents, aht_seconds, target_seconds, p_wait)
    return Metrics(agents, p_wait, sl, asa, load / agents, None)


# --------------------------------------------------------------------------- Erlang A


def _a_distribution(lam: float, mu: float, theta: float, agents: int) -> np.ndarray:
    """Stationary probabilities p[0..K] of the M/M/N+M chain (log space, truncated)."""
    # Below N: death rate n·μ. Only the states near the mode matter; all are kept up to N.
    n_low = np.arange(1, agents + 1, dtype=float)
    log_low = np.log(lam) - np.log(n_low * mu)
    # Above N: death rate N·μ + k·θ for k = 1, 2, … ; ratios fall below 1/2 once
    # N·μ + k·θ ≥ 2λ, after which TAIL/ln 2 more states make the rest negligible.
    k_half = max(0.0, (2.0 * lam - agents * mu) / theta)
    k_max = int(math.ceil(k_half + TAIL / math.log(2.0))) + 1
    if k_max > MAX_QUEUE_STATES:
        raise ErlangError(
            _("Tải quá lớn so với số tư vấn viên và độ kiên nhẫn; mô hình không tính được.")
        )
    k = np.arange(1, k_max + 1, dtype=float)
    log_high = np.log(lam) - np.log(agents * mu + k * theta)
    logw = np.concatenate(([0.0], np.cumsum(np.concatenate((log_low, log_high)))))
    logw -= logw.max()
    keep = logw > -TAIL - 10.0
    last = int(np.nonzero(keep)[0][-1])
    w = np.exp(logw[: last + 1])
    w[w < 0] = 0.0
    result: np.ndarray = w / w.sum()
    return result


def _served_within(
    agents: int, mu: float, theta: float, max_ahead: int, target: float
) -> np.ndarray:
    """G[j] = P(an arrival finding j queued ahead is answered within `target` seconds).

    Tagged-customer chain: with j ahead it moves to j−1 at rate N·μ + j·θ (an answer or an
    abandonment ahead), from 0 it is answered at rate N·μ, and it abandons at rate θ in every
    state. Uniformization at Λ = N·μ + (max_ahead + 1)·θ, computed for all j at once.
    """
    states = max_ahead + 1
    rate = agents * mu + (max_ahead + 1) * theta
    j = np.arange(states, dtype=float)
    advance = (agents * mu + j * theta) / rate  # j → j−1, or answered from 0
    stay = 1.0 - advance - theta / rate
    lam_t = rate * target
    steps = int(lam_t + 10.0 * math.sqrt(lam_t) + 50)
    if steps * states > MAX_WORK:
        raise ErlangError(
            _("Thời gian mục tiêu hoặc độ kiên nhẫn nằm ngoài miền tính được của Erlang A.")
        )
    u = np.zeros(states)  # P(answered within k uniformized steps | start j)
    log_weight = -lam_t
    result = np.zeros(states)
    for step in range(1, steps + 1):
        nxt = stay * u
        nxt[1:] += advance[1:] * u[:-1]
        nxt[0] += advance[0]
        u = nxt
        log_weight += math.log(lam_t / step)
        result += math.exp(log_weight) * u
    return result


def erlang_a(
    *,
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    agents: int,
    target_seconds: float,
    patience_seconds: float,
) -> Metrics:
    """Erlang A metrics, exact from the birth–death chain (PASTA for what arrivals see)."""
    offered_load(calls, interval_seconds, aht_seconds)  # validates the three
    agents = _agents(agents)
    _target(target_seconds)
    _positive("Độ kiên nhẫn trung bình", patience_seconds)
    if calls == 0:
        return Metrics(agents, 0.0, 1.0, 0.0, 0.0, 0.0)
    lam = calls / interval_seconds
    mu = 1.0 / aht_seconds
    theta = 1.0 / patience_seconds
    p = _a_distribution(lam, mu, theta, agents)
    queue = np.arange(len(p), dtype=float) - agents
    queued = np.clip(queue, 0.0, None)
    p_wait = float(p[agents:].sum())
    lq = float((queued * p).sum())
    p_abandon = theta * lq / lam
    occupancy = lam * (1.0 - p_abandon) / (agents * mu)
    asa = lq / lam  # mean wait over all arrivals (Little), answered or not
    if target_seconds > 0 and len(p) > agents:
        g = _served_within(agents, mu, theta, len(p) - 1 - agents, target_seconds)
        sl = float(p[:agents].sum() + (p[agents:] * g).sum())
    else:
        sl = float(p[:agents].sum())
    return Metrics(agents, p_wait, min(1.0, sl), asa, occupancy, p_abandon)


# --------------------------------------------------------------------------- dispatch, staffing


def metrics(
    *,
    model: str,
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    agents: int,
    target_seconds: float,
    patience_seconds: float | None = None,
) -> Metrics:
    """Erlang C (`model="c"`) or Erlang A (`model="a"`, needs `patience_seconds`)."""
    if model == "c":
        return erlang_c(
            calls=calls,
            interval_seconds=interval_seconds,
            aht_seconds=aht_seconds,
            agents=agents,
            target_seconds=target_seconds,
        )
    if model == "a":
        if patience_seconds is None:
            raise ErlangError(_("Mô hình Erlang A cần độ kiên nhẫn trung bình (giây)."))
        return erlang_a(
            calls=calls,
            interval_seconds=interval_seconds,
            aht_seconds=aht_seconds,
            agents=agents,
            target_seconds=target_seconds,
            patience_seconds=patience_seconds,
        )
    raise ErlangError(_("Mô hình phải là 'c' (Erlang C) hoặc 'a' (Erlang A)."))


def rostered_heads(agents: int, shrinkage: float) -> int:
    """Heads to roster so that `agents` remain on the phones after shrinkage."""
    _fraction("Tỷ lệ hao hụt", shrinkage, low_open=False, high_open=True)
    if agents == 0:
        return 0
    # Round away float noise (14 / 0.7 = 20.000000000000004) before the ceiling.
    return int(math.ceil(round(agents / (1.0 - shrinkage), 9)))


def _c_staffing(
    load: float, aht: float, target: float, service_level: float, max_occupancy: float
) -> Metrics:
    """Smallest N > A with Erlang C SL ≥ target and A/N ≤ cap, B(n) carried along: O(N)."""
    floor_n = int(math.ceil(round(load / max_occupancy, 9)))
    b = 1.0
    n = 0
    while n < MAX_AGENTS:
        n += 1
        b = load * b / (n + load * b)
        if n <= load or n < floor_n:
            continue
        p_wait = _c_from_b(b, load, n)
        sl, asa = _c_metrics(load, n, aht, target, p_wait)
        if sl >= service_level:
            return Metrics(n, p_wait, sl, asa, load / n, None)
    raise ErlangError(
        _("Cần hơn %(n)d tư vấn viên cho một hàng đợi; kiểm tra lại số liệu.") % {"n": MAX_AGENTS}
    )


def staffing(
    *,
    model: str,
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    target_seconds: float,
    service_level: float,
    max_occupancy: float = 0.85,
    shrinkage: float = 0.0,
    patience_seconds: float | None = None,
) -> Staffing:
    """Smallest N meeting the service level, raised to the occupancy cap, then shrinkage.

    Order as the issue states it: (1) the smallest N whose SL ≥ `service_level`; (2) the
    occupancy cap: N ≥ A / `max_occupancy` (for Erlang A, on the load actually served);
    (3) rostered heads = ⌈N / (1 − shrinkage)⌉.
    """
    load = offered_load(calls, interval_seconds, aht_seconds)
    _target(target_seconds)
    _fraction("Mức phục vụ mục tiêu", service_level, low_open=False, high_open=True)
    _fraction("Tỷ lệ lấp đầy tối đa", max_occupancy, low_open=True, high_open=False)
    _fraction("Tỷ lệ hao hụt", shrinkage, low_open=False, high_open=True)
    if model not in ("a", "c"):
        raise ErlangError(_("Mô hình phải là 'c' (Erlang C) hoặc 'a' (Erlang A)."))
    if model == "a" and patience_seconds is None:
        raise ErlangError(_("Mô hình Erlang A cần độ kiên nhẫn trung bình (giây)."))
    if calls == 0:
        empty = Metrics(0, 0.0, 1.0, 0.0, 0.0, None if model == "c" else 0.0)
        return Staffing(0, 0, empty)
    if load / max_occupancy > MAX_AGENTS:
        raise ErlangError(
            _("Cần hơn %(n)d tư vấn viên cho một hàng đợi; kiểm tra lại số liệu.")
            % {"n": MAX_AGENTS}
        )

    def measure(n: int) -> Metrics:
        return metrics(
            model=model,
            calls=calls,
            interval_seconds=interval_seconds,
            aht_seconds=aht_seconds,
            agents=n,
            target_seconds=target_seconds,
            patience_seconds=patience_seconds,
        )

    if model == "c":
        # SL rises with N, so the smallest N meeting both the SL and the cap is the answer.
        m = _c_staffing(load, aht_seconds, target_seconds, service_level, max_occupancy)
        return Staffing(m.agents, rostered_heads(m.agents, shrinkage), m)
    # SL rises with N (tested): bisection between 0 and a doubling upper bound.
    hi = max(1, int(math.ceil(load)))
    while measure(hi).service_level < service_level:
        if hi >= MAX_AGENTS:
            raise ErlangError(
                _("Cần hơn %(n)d tư vấn viên cho một hàng đợi; kiểm tra lại số liệu.")
                % {"n": MAX_AGENTS}
            )
        hi = min(MAX_AGENTS, hi * 2)
    lo = 0  # SL(lo) < target, or lo = 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if measure(mid).service_level >= service_level:
            hi = mid
        else:
            lo = mid
    n = hi
    m = measure(n)
    # Occupancy cap on the load actually served, λ(1 − P(abandon)) / (Nμ) ≤ cap: a fixed
    # point, since more agents lower P(abandon) and so raise the served load a little.
    while m.occupancy > max_occupancy and n < MAX_AGENTS:
        served = load * (1.0 - (m.p_abandon or 0.0))
        n = max(n + 1, int(math.ceil(round(served / max_occupancy, 9))))
        m = measure(min(n, MAX_AGENTS))
    return Staffing(n, rostered_heads(n, shrinkage), m)


def staffing_c_many(
    *,
    calls: np.ndarray,
    interval_seconds: float,
    aht_seconds: np.ndarray,
    target_seconds: float,
    service_level: float,
    max_occupancy: float = 0.85,
    shrinkage: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Erlang C staffing for many intervals at once: (agents, rostered) arrays.

    The same answer as `staffing(model="c", …)` per element; the Erlang B recursion runs
    over all intervals together (one numpy step per agent count), which is what a day of
    half-hours for many queues needs.
    """
    shape = np.shape(calls)
    calls = np.asarray(calls, dtype=float).reshape(-1)
    aht = np.broadcast_to(np.asarray(aht_seconds, dtype=float), shape).reshape(-1)
    if not (np.isfinite(calls).all() and (calls >= 0).all()):
        raise ErlangError(_("Số cuộc gọi không được âm."))
    if not (np.isfinite(aht).all() and (aht > 0).all()):
        raise ErlangError(_("Thời gian xử lý trung bình phải là số dương."))
    _positive("Độ dài khoảng thời gian", interval_seconds)
    _target(target_seconds)
    _fraction("Mức phục vụ mục tiêu", service_level, low_open=False, high_open=True)
    _fraction("Tỷ lệ lấp đầy tối đa", max_occupancy, low_open=True, high_open=False)
    _fraction("Tỷ lệ hao hụt", shrinkage, low_open=False, high_open=True)
    load = calls * aht / interval_seconds
    floor_n = np.ceil(np.round(load / max_occupancy, 9))
    if (floor_n > MAX_AGENTS).any():
        raise ErlangError(
            _("Cần hơn %(n)d tư vấn viên cho một hàng đợi; kiểm tra lại số liệu.")
            % {"n": MAX_AGENTS}
        )
    agents = np.where(calls == 0, 0, -1).astype(int)
    b = np.ones_like(load)
    n = 0
    while (agents < 0).any():
        n += 1
        if n > MAX_AGENTS:
            raise ErlangError(
                _("Cần hơn %(n)d tư vấn viên cho một hàng đợi; kiểm tra lại số liệu.")
                % {"n": MAX_AGENTS}
            )
        b = load * b / (n + load * b)
        todo = (agents < 0) & (n > load) & (n >= floor_n)
        if not todo.any():
            continue
        rho = load[todo] / n
        p_wait = b[todo] / (1.0 - rho * (1.0 - b[todo]))
        gap = (n - load[todo]) / aht[todo]
        sl = 1.0 - p_wait * np.exp(-gap * target_seconds)
        idx = np.nonzero(todo)[0]
        agents[idx[sl >= service_level]] = n
    rostered = np.where(
        agents == 0, 0, np.ceil(np.round(agents / (1.0 - shrinkage), 9)).astype(int)
    )
    return agents.reshape(shape), rostered.reshape(shape)
