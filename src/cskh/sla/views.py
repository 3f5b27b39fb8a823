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
    return render(
        request,
        "sla/compliance.html",
        {"rows": rows, "month": month, "error": error, "totals": totals},
        status=400 if error else 200,
    )
