"""Server-rendered SVG line charts (no JavaScript, no CDN); every chart has its table too."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700")


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    width: int = 760,
    height: int = 240,
) -> SafeString:
    """A titled SVG with one polyline per series, x labels every 2 hours, a y scale."""
    pad_l, pad_r, pad_t, pad_b = 44, 12, 28, 28
    values = [v for _n, vs in series for v in vs if v is not None]
    top = max(values, default=0.0) or 1.0
    n = max(len(labels), 2)
    inner_w = width - pad_l - pad_r
    inner_h = height - pad_t - pad_b

    def x(i: int) -> float:
        return pad_l + inner_w * i / (n - 1)

    def y(v: float) -> float:
        return pad_t + inner_h * (1 - v / top)

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
            'aria-label="{}" class="chart">',
            width,
            height,
            title,
        ),
        format_html("<title>{}</title>", title),
    ]
    for k in range(5):
        v = top * k / 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/>'
                '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>',
                pad_l,
                width - pad_r,
                f"{y(v):.1f}",
                f"{y(v):.1f}",
                pad_l - 4,
                f"{y(v) + 3:.1f}",
                f"{v:.0f}",
            )
        )
    for i, label in enumerate(labels):
        if label.endswith(":00") and int(label[:2]) % 2 == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                    f"{x(i):.1f}",
                    height - 8,
                    label,
                )
            )
    for j, (name, vs) in enumerate(series):
        colour = COLOURS[j % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vs) if v is not None)
        parts.append(
            format_html(
                '<polyline fill="none" stroke="{}" stroke-width="2" points="{}" data-series="{}"/>',
                colour,
                points,
                name,
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                pad_l + 150 * j,
                16,
                colour,
                name,
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant closing tag
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part escaped above


__all__ = ["line_chart", "escape"]
