"""Reads of the workforce pages that need care: keyset pages (no OFFSET, so a page costs the
same at row 10 and row 100,000, and rows inserted meanwhile do not shift the next page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from cskh.wfm.models import Request, Shift

PAGE = 50


@dataclass
class Page:
    rows: list[Any]
    next_cursor: int | None  # pass back as the cursor of the next page; None: last page


def requests_page(*, status: str = "", before: int | None = None, size: int = PAGE) -> Page:
    """Leave and swap requests, newest first, `size` at a time after the cursor `before` (an
    id). `status` filters (pending / approved / rejected); empty: every status."""
    qs = Request.objects.select_related(
        "user", "decided_by", "shift__pattern", "swap_with__user", "swap_with__pattern"
    ).order_by("-id")
    if status in Request.Status.values:
        qs = qs.filter(status=status)
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, rows[-1].pk if more and rows else None)


def roster_agents_page(
    *, schedule_id: int, days: list[date], after_user: int | None = None, size: int = PAGE
) -> tuple[list[Shift], int | None]:
    """The shifts on `days` of one page of agents of a schedule, agents ordered by name (last,
    first, id); the cursor is the last agent's id on the previous page."""
    users = (
        Shift.objects.filter(schedule_id=schedule_id)
        .values_list("user_id", "user__last_name", "user__first_name")
        .distinct()
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    if after_user is not None:
        from django.contrib.auth import get_user_model

        last = (
            get_user_model()
            .objects.filter(pk=after_user)
            .values_list("last_name", "first_name")
            .first()
        )
        if last is not None:
            ln, fn = last
            users = users.filter(
                Q(user__last_name__gt=ln)
                | Q(user__last_name=ln, user__first_name__gt=fn)
                | Q(user__last_name=ln, user__first_name=fn, user_id__gt=after_user)
            )
    page = list(users[: size + 1])
    more = len(page) > size
    ids = [u for u, _ln, _fn in page[:size]]
    shifts = list(
        Shift.objects.filter(schedule_id=schedule_id, day__in=days, user_id__in=ids)
        .select_related("pattern", "user", "queue")
        .order_by("user__last_name", "user__first_name", "user_id", "day")
    )
    return shifts, (ids[-1] if more and ids else None)


def swap_candidates(*, user_id: int, shifts: list[Shift], limit: int = 200) -> list[Shift]:
    """Colleagues' shifts of the same schedule on the days of the user's own shifts (what a
    swap may be asked with)."""
    if not shifts:
        return []
    days = {s.day for s in shifts}
    schedules = {s.schedule_id for s in shifts}
    return list(
        Shift.objects.filter(schedule_id__in=schedules, day__in=days)
        .exclude(user_id=user_id)
        .select_related("pattern", "user")
        .order_by("day", "pattern__start", "user_id")[:limit]
    )
