"""Keyset (cursor) pagination: never OFFSET, never COUNT(*)."""

import base64
import json
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from cskh.core.errors import DomainError


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list):
            raise ValueError
        return values
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(_("Con trỏ phân trang không hợp lệ."), code="bad_cursor") from exc


def keyset_page[M: Model](
    qs: QuerySet[M], *, cursor: str | None, limit: int, order: tuple[str, ...] = ("-id",)
) -> tuple[list[M], str | None]:
    """order: e.g. ("-id",) or ("due_at", "id"). The last field must be unique."""
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != len(order) or not all(_scalar(v) for v in values):
            raise DomainError(_("Con trỏ phân trang không hợp lệ."), code="bad_cursor")
        try:
            # a value of the wrong type ("abc" for an id, a bad date) fails here, when Django
            # prepares the lookup: a client error, not a server one
            qs = qs.filter(_after(order, values))
        except (ValueError, TypeError, OverflowError, ValidationError) as exc:
            raise DomainError(_("Con trỏ phân trang không hợp lệ."), code="bad_cursor") from exc
    rows = list(qs.order_by(*order)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, f.lstrip("-")) for f in order])
    return rows, next_cursor


def _scalar(value: Any) -> bool:
    """A cursor holds ints and strings only (ids, ISO times), within the range of a bigint and
    without NUL (PostgreSQL refuses it in text)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and "\x00" not in value and len(value) <= 64


def _after(order: tuple[str, ...], values: list[Any]) -> Q:
    clauses = Q()
    for i, field in enumerate(order):
        name = field.lstrip("-")
        value = values[i]
        if isinstance(value, str) and name.endswith("_at"):
            value = parse_datetime(value)
        op = "lt" if field.startswith("-") else "gt"
        eq = Q(**{n.lstrip("-"): _coerce(n, v) for n, v in zip(order[:i], values[:i], strict=True)})
        clauses |= eq & Q(**{f"{name}__{op}": value})
    return clauses


def _coerce(name: str, value: Any) -> Any:
    if isinstance(value, str) and name.lstrip("-").endswith("_at"):
        return parse_datetime(value)
    return value
