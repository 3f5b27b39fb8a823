from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core.errors import DomainError
from cskh.sla.models import SlaClock


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[start, end) of a "YYYY-MM" month in the current time zone."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        start = timezone.make_aware(datetime(year, mon, 1))
    except (ValueError, TypeError) as exc:
        raise DomainError(
            _("Tháng không hợp lệ (YYYY-MM): %(m)s") % {"m": month}, code="bad_month"
        ) from exc
    end = timezone.make_aware(datetime(year + mon // 12, mon % 12 + 1, 1))
    return start, end


def compliance(month: str, *, unit_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """Per unit and case type: cases whose clock stopped (resolved) in the month, how many met
    the resolution target, plus cases still open that are already past due (created in month)."""
    start, end = month_bounds(month)
    qs = SlaClock.objects.filter(stopped_at__gte=start, stopped_at__lt=end)
    if unit_ids is not None:
        qs = qs.filter(case__unit_id__in=unit_ids)
    rows = (
        qs.values(
            "case__unit__code",
            "case__unit__name",
            "case__case_type__code",
            "case__case_type__name",
        )
        .annotate(
            total=Count("pk"),
            met=Count("pk", filter=Q(met=True)),
            first_met=Count("pk", filter=Q(first_response_met=True)),
        )
        .order_by("case__unit__code", "case__case_type__code")
    )
    now = timezone.now()
    open_q = SlaClock.objects.filter(
        started_at__gte=start, started_at__lt=end, stopped_at__isnull=True, due_at__lt=now
    )
    if unit_ids is not None:
        open_q = open_q.filter(case__unit_id__in=unit_ids)
    overdue: dict[tuple[str, str], int] = {}
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for o in open_q.values(
        "case__unit__code", "case__unit__name", "case__case_type__code", "case__case_type__name"
    ).annotate(n=Count("pk")):
        key = (o["case__unit__code"], o["case__case_type__code"])
        overdue[key] = o["n"]
        names[key] = (o["case__unit__name"] or "", o["case__case_type__name"] or "")
    out = []
    seen = set()
    for r in rows:
        key = (r["case__unit__code"], r["case__case_type__code"])
        seen.add(key)
        out.append(
            {
                "month": month,
                "unit": r["case__unit__code"],
                "unit_name": r["case__unit__name"],
                "case_type": r["case__case_type__code"],
                "case_type_name": r["case__case_type__name"],
                "resolved": r["total"],
                "met": r["met"],
                "breached": r["total"] - r["met"],
                "first_response_met": r["first_met"],
                "compliance": round(100.0 * r["met"] / r["total"], 1) if r["total"] else None,
                "open_overdue": overdue.get(key, 0),
            }
        )
    for (unit, ct), n in overdue.items():
        if (unit, ct) not in seen:
            out.append(
                {
                    "month": month,
                    "unit": unit,
                    "unit_name": names[(unit, ct)][0],
                    "case_type": ct,
                    "case_type_name": names[(unit, ct)][1],
                    "resolved": 0,
                    "met": 0,
                    "breached": 0,
                    "first_response_met": 0,
                    "compliance": None,
                    "open_overdue": n,
                }
            )
    return out


def risk_counts(*, unit_ids: set[int] | None = None, now: datetime | None = None) -> dict[str, int]:
    """Open cases whose resolution clock is past its first warning step (75 % by default:
    the escalation scan raises `level`) but not yet due ("risk"), and those past due
    ("breached"): the wallboard's two SLA tiles."""
    now = now or timezone.now()
    qs = SlaClock.objects.filter(stopped_at__isnull=True)
    if unit_ids is not None:
        qs = qs.filter(case__unit_id__in=unit_ids)
    breached = Q(breached_at__isnull=False) | Q(due_at__lt=now)
    counts = qs.aggregate(
        breached=Count("pk", filter=breached),
        risk=Count("pk", filter=Q(level__gte=1) & ~breached),
    )
    return {"risk": counts["risk"] or 0, "breached": counts["breached"] or 0}
