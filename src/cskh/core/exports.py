"""XLSX and CSV writers shared by the apps' exports (reports: pages, background export,
e-mailed reports; social: dashboard export).

XLSX: openpyxl in write-only mode (rows stream to the file, constant memory), typed cells
(numbers stay numbers, dates are dates), the header row frozen. CSV: UTF-8 with a BOM so
Excel opens Vietnamese correctly. Both neutralise formula injection: a text cell starting with
= + - @ (or a tab / carriage return) is written with a leading apostrophe, so a spreadsheet
shows it as text and never evaluates it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

__all__ = [
    "BOM",
    "Column",
    "DANGEROUS",
    "cell_value",
    "csv_lines",
    "json_value",
    "safe_sheet_title",
    "safe_text",
    "text_value",
    "write_xlsx",
    "xlsx_bytes",
]


@dataclass
class Column:
    """One exported column: the row dict's key, the header label and the cell kind."""

    key: str
    label: str | Promise
    kind: str = "int"  # text | int | float | pct | date


DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(DANGEROUS) else value


def cell_value(value: Any) -> Any:
    """A typed value for a spreadsheet cell: numbers and dates as such, text neutralised."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return safe_text(str(value))


def text_value(value: Any) -> str:
    v = cell_value(value)
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def write_xlsx(
    out: BinaryIO,
    columns: list[Column],
    rows: Iterable[dict[str, Any]],
    *,
    title: str = "Báo cáo",
    progress: Any = None,
) -> int:
    """Write one sheet to `out`; returns the number of data rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=safe_sheet_title(title))
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=safe_text(str(c.label)))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for i, c in enumerate(columns):
        ws.column_dimensions[chr(ord("A") + i)].width = 28 if c.kind == "text" else 16
    n = 0
    for row in rows:
        cells = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=cell_value(row.get(c.key)))
            if c.kind == "date" and isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif c.kind == "date" and isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif c.kind == "pct":
                cell.number_format = "0.0"
            cells.append(cell)
        ws.append(cells)
        n += 1
        if progress is not None and n % 1000 == 0:
            progress(n)
    wb.save(out)
    return n


def safe_sheet_title(title: str) -> str:
    bad = "[]:*?/\\"
    return "".join("-" if ch in bad else ch for ch in str(title))[:31] or "Sheet"


def xlsx_bytes(columns: list[Column], rows: Iterable[dict[str, Any]], *, title: str) -> bytes:
    buf = io.BytesIO()
    write_xlsx(buf, columns, rows, title=title)
    return buf.getvalue()


class _Line:
    """A file-like sink for csv.writer that hands back what was written."""

    def __init__(self) -> None:
        self.value = ""

    def write(self, s: str) -> int:
        self.value = s
        return len(s)


def csv_lines(columns: list[Column], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV, one line at a time (for StreamingHttpResponse), BOM first."""
    line = _Line()
    w = csv.writer(line)
    w.writerow([safe_text(str(c.label)) for c in columns])
    yield BOM + line.value
    for row in rows:
        w.writerow([text_value(row.get(c.key)) for c in columns])
        yield line.value


def json_value(value: Any) -> Any:
    """A value for JSON: dates as ISO strings, text as is (no spreadsheet quoting)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)
