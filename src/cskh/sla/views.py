"""SLA compliance report page (shift leads, managers, admins; field units see their own)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from cskh.core.errors import DomainError
from cskh.org import permissions
from cskh.org.selectors import visible_unit_ids
from cskh.sla import selectors


def compliance(request):
    user = request.user
    if not permissions.can_view_sla_report(user):
        raise PermissionDenied
    month = request.GET.get("month") or timezone.localtime().strftime("%Y-%m")
    error = ""
    try:
        rows = selectors.compliance(month, unit_ids=visible_unit_ids(user))
    except DomainError as exc:
        rows, error = [], str(exc)
    totals = {
        "resolved": sum(r["resolved"] for r in rows),
        "met": sum(r["met"] for r in rows),
        "open_overdue": sum(r["open_overdue"] for r in rows),
    }
    totals["breached"] = totals["resolved"] - totals["met"]
    totals["compliance"] = (
        round(100.0 * totals["met"] / totals["resolved"], 1) if totals["resolved"] else None
    )
    prev_month, next_month = _neighbours(month)
    return render(
        request,
        "sla/compliance.html",
        {
            "rows": rows,
            "month": month,
            "error": error,
            "totals": totals,
            "prev_month": prev_month,
            "next_month": next_month,
        },
        status=400 if error else 200,
    )


def _neighbours(month: str) -> tuple[str, str]:
    """("2026-05", "2026-07") around "2026-06"; no next month after the current one."""
    try:
        year, mon = (int(x) for x in month.split("-", 1))
        if not 1 <= mon <= 12:
            raise ValueError
    except ValueError:
        return "", ""
    prev = f"{year - (mon == 1)}-{12 if mon == 1 else mon - 1:02d}"
    nxt = f"{year + (mon == 12)}-{1 if mon == 12 else mon + 1:02d}"
    if nxt > timezone.localtime().strftime("%Y-%m"):
        nxt = ""
    return prev, nxt
