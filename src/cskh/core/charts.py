"""Server-rendered SVG line charts with an optional band (no JavaScript, no CDN): the
geometry only; each app's template draws it and prints the same numbers in a table.

Used by cx (scores with their confidence band) and counters (median waiting time with the
band up to the 90th percentile)."""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT, PAD = 640, 220, 36


def line_chart(
    items: list[dict[str, Any]],
    *,
    lo: float,
    hi: float,
    value: str = "score",
    band: tuple[str, str] | None = ("ci_low", "ci_high"),
) -> dict[str, Any]:
    """Points, band polygon, y ticks and x labels of ``items`` (each has ``label`` and the
    keys named by ``value`` and ``band``; a missing value is drawn at ``lo``)."""
    n = len(items)
    if n == 0:
        return {"empty": True}
    span = (hi - lo) or 1.0
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(i: int) -> float:
        return round(PAD + (inner_w * i / (n - 1) if n > 1 else inner_w / 2), 1)

    def y(v: float | None) -> float:
        v = lo if v is None else v
        return round(PAD + inner_h * (1 - (min(max(v, lo), hi) - lo) / span), 1)

    points = " ".join(f"{x(i)},{y(it[value])}" for i, it in enumerate(items))
    polygon = ""
    if band is not None:
        low_key, high_key = band
        upper = [f"{x(i)},{y(it[high_key])}" for i, it in enumerate(items)]
        lower = [f"{x(i)},{y(it[low_key])}" for i, it in reversed(list(enumerate(items)))]
        polygon = " ".join(upper + lower)
    ticks = [{"y": y(lo + span * k / 4), "label": round(lo + span * k / 4)} for k in range(5)]
    labels = [{"x": x(i), "label": it["label"]} for i, it in enumerate(items)]
    dots = [{"x": x(i), "y": y(it[value]), "v": it[value]} for i, it in enumerate(items)]
    return {
        "empty": False,
        "width": WIDTH,
        "height": HEIGHT,
        "pad": PAD,
        "right": WIDTH - PAD,
        "bottom": HEIGHT - PAD,
        "points": points,
        "band": polygon,
        "ticks": ticks,
        "labels": labels,
        "dots": dots,
    }
