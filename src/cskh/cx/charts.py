"""Server-rendered SVG line charts with their confidence band (no JavaScript, no CDN).
The template prints the same numbers in a table under each chart. The geometry is
core.charts.line_chart (shared with the counters' figures)."""

from __future__ import annotations

from cskh.core.charts import HEIGHT, PAD, WIDTH, line_chart

__all__ = ["HEIGHT", "PAD", "WIDTH", "line_chart"]
