"""Server-rendered SVG line charts with their confidence band (no JavaScript, no CDN).
The template prints the same numbers in a table under each chart."""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT, PAD = 640, 220, 36


def line_chart(items: list[dict[str, Any]], *, lo: float, hi: float) -> dict[str, Any]:
    """Geometry for templates/cx/_chart.svg: points, band polygon, y ticks, x labels."""
    n = len(items)
    if n == 0:
        return {"empty": True}
    span = (hi - lo) or 1.0
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(i: int) -> float:
        return round(PAD + (inner_w * i / (n - 1) if n > 1 else inner_w / 2), 1)

    def y(v: float) -> float:
        return round(PAD + inner_h * (1 - (min(max(v, lo), hi) - lo) / span), 1)

    points = " ".join(f"{x(i)},{y(it['score'])}" for i, it in enumerate(items))
    upper = [f"{x(i)},{y(it['ci_high'])}" for i, it in enumerate(items)]
    lower = [f"{x(i)},{y(it['ci_low'])}" for i, it in reversed(list(enumerate(items)))]
    ticks = [{"y": y(lo + span * k / 4), "label": round(lo + span * k / 4)} for k in range(5)]
    labels = [{"x": x(i), "label": it["label"]} for i, it in enumerate(items)]
    dots = [{"x": x(i), "y": y(it["score"]), "v": it["score"]} for i, it in enumerate(items)]
    return {
        "empty": False,
        "width": WIDTH,
        "height": HEIGHT,
        "pad": PAD,
        "right": WIDTH - PAD,
        "bottom": HEIGHT - PAD,
        "points": points,
        "band": " ".join(upper + lower),
        "ticks": ticks,
        "labels": labels,
        "dots": dots,
    }
