"""Server-rendered SVG charts for the reports (no JavaScript, no CDN).

Lines reuse the cx app's public `line_chart` (band collapsed: the reports have no interval);
bars are drawn here. Colours: Okabe–Ito blue on white (contrast > 4.5:1), values written on
the bars, and every chart is followed by its table."""

from __future__ import annotations

from typing import Any

from cskh.cx.charts import line_chart

WIDTH, HEIGHT, PAD, LEFT = 720, 260, 28, 150


def _num(v: Any) -> float:
    return float(v) if isinstance(v, int | float) else 0.0


def bar_chart(items: list[tuple[str, Any]], *, unit: str = "") -> dict[str, Any]:
    """Horizontal bars (labels can be long Vietnamese names): geometry for _bars.svg."""
    items = items[:25]
    if not items or not any(_num(v) for _l, v in items):
        return {"empty": True}
    top = max(_num(v) for _l, v in items) or 1.0
    row = 22
    height = PAD * 2 + row * len(items)
    inner = WIDTH - LEFT - PAD - 60
    bars = []
    for i, (label, value) in enumerate(items):
        w = round(inner * _num(value) / top, 1)
        y = PAD + i * row
        bars.append(
            {
                "label": str(label)[:28],
                "y": y,
                "ty": y + row / 2,
                "w": w,
                "tx": LEFT + w + 6,
                "value": value if value is not None else "—",
            }
        )
    return {
        "empty": False,
        "kind": "bar",
        "width": WIDTH,
        "height": height,
        "left": LEFT,
        "bar_h": row - 6,
        "bars": bars,
        "unit": unit,
    }


def trend_chart(items: list[tuple[str, Any]], *, percent: bool = False) -> dict[str, Any]:
    points: list[dict[str, Any]] = [
        {"label": str(label), "score": _num(v), "ci_low": _num(v), "ci_high": _num(v)}
        for label, v in items
        if v is not None
    ]
    if not points:
        return {"empty": True}
    top = max(float(p["score"]) for p in points)
    hi = 100.0 if percent else top * 1.1 or 1.0
    chart = line_chart(points, lo=0.0, hi=hi)
    step = max(1, len(points) // 12)  # at most ~12 x labels
    chart["labels"] = [lab for i, lab in enumerate(chart["labels"]) if i % step == 0]
    chart["kind"] = "line"
    return chart
