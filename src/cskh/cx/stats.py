"""Confidence intervals for small groups: Wilson for a proportion (CSAT), the normal
approximation of a difference of two multinomial shares for NPS."""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def wilson(high: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval of high/n, as percentages (0–100)."""
    if n <= 0:
        return 0.0, 0.0
    p = high / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return round(100 * max(0.0, centre - half), 1), round(100 * min(1.0, centre + half), 1)


def nps_interval(promoters: int, detractors: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95 % interval of NPS = 100·(P − D)/n. Var(P̂ − D̂) = (p + d − (p − d)²)/n; clipped to
    [−100, 100]. With n < 5 the interval is the whole range (nothing can be read)."""
    if n < 5:
        return -100.0, 100.0
    p, d = promoters / n, detractors / n
    half = z * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n)
    return round(100 * max(-1.0, p - d - half), 1), round(100 * min(1.0, p - d + half), 1)


def csat(high: int, n: int) -> float:
    return round(100 * high / n, 1) if n else 0.0


def nps(promoters: int, detractors: int, n: int) -> float:
    return round(100 * (promoters - detractors) / n, 1) if n else 0.0
