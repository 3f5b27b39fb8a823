"""Pages: the shift lead's incident board, incident detail, planned-outage import, and the
public planned-outage schedule (no login, no personal data)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cskh.catalog import services as catalog
from cskh.core import ratelimit
from cskh.core.errors import DomainError, NotFound
from cskh.core.text import fold
from cskh.incidents import selectors, states
from cskh.incidents.importer import ImportRejected, parse_schedule
from cskh.incidents.models import Incident
from cskh.incidents.services import lifecycle, planned
from cskh.org import permissions


def incident_list(request):
    qs = selectors.visible_incidents(request.user).select_related("unit")
    live = list(
        qs.filter(status__in=Incident.LIVE)
        .exclude(kind=Incident.Kind.PLANNED)
        .annotate(case_count=Count("links"))
        .order_by("-id")[:200]
    )
    suspected = [i for i in live if i.status == Incident.Status.SUSPECTED]
    active = [i for i in live if i.status != Incident.Status.SUSPECTED]
    planned = list(
        qs.filter(kind=Incident.Kind.PLANNED, status__in=Incident.ACTIVE).order_by("started_at")[
            :100
        ]
    )
    recent = list(
        qs.exclude(status__in=Incident.LIVE)
        .exclude(kind=Incident.Kind.PLANNED)
        .order_by("-id")[:30]
    )
    return render(
        request,
        "incidents/list.html",
        {
            "suspected": suspected,
            "active": active,
            "planned": planned,
            "recent": recent,
            "can_manage": permissions.can_manage_incident(request.user),
            "merge_targets": live,
        },
    )


def _incident_or_404(request, incident_id: int, *, manage: bool = False) -> Incident:
    """404 for an incident the user may not see; 403 to change one they may only see."""
    try:
        inc = selectors.get_for_user(request.user, incident_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    if manage and not permissions.can_manage_incident(request.user, inc):
        raise PermissionDenied
    return inc


def incident_detail(request, incident_id: int):
    inc = _incident_or_404(request, incident_id)
    cases, _cursor = selectors.linked_cases(inc, limit=100)
    merge_targets = [
        i
        for i in selectors.visible_incidents(request.user).filter(status__in=Incident.LIVE)
        if i.pk != inc.pk
    ][:50]
    return render(
        request,
        "incidents/detail.html",
        {
            "inc": inc,
            "scopes": selectors.scopes(inc),
            "counts": selectors.case_counts(inc),
            "progress": selectors.notify_progress(inc),
            "events": selectors.timeline(inc),
            "cases": cases,
            "allowed": sorted(states.allowed_for(inc)),
            "can_manage": permissions.can_manage_incident(request.user, inc),
            "merge_targets": merge_targets,
        },
    )


def _parse_local(value: str):
    value = (value or "").strip()
    if not value:
        return None
    dt = parse_datetime(value)
    if dt is None:
        raise DomainError(_("Thời gian không hợp lệ."), code="bad_datetime")
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


@require_POST
def incident_transition(request, incident_id: int):
    inc = _incident_or_404(request, incident_id, manage=True)
    try:
        target = None
        if request.POST.get("merge_into"):
            target = selectors.get_for_user(request.user, int(request.POST["merge_into"]))
        lifecycle.transition(
            incident=inc,
            to=request.POST.get("to", ""),
            actor=request.user,
            note=request.POST.get("note", ""),
            eta=_parse_local(request.POST.get("eta", "")),
            merge_into=target,
        )
        messages.success(request, _("Đã cập nhật sự cố %(c)s.") % {"c": inc.code})
    except (DomainError, ValueError) as exc:
        messages.error(request, str(getattr(exc, "message", _("Dữ liệu không hợp lệ."))))
    nxt = request.POST.get("next") or ""
    if nxt == "list":
        return redirect("incidents:list")
    return redirect("incidents:detail", incident_id=incident_id)


@require_POST
def incident_update(request, incident_id: int):
    inc = _incident_or_404(request, incident_id, manage=True)
    try:
        lifecycle.update_incident(
            incident=inc,
            actor=request.user,
            eta=_parse_local(request.POST.get("eta", "")),
            public_message=request.POST.get("public_message"),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("Đã cập nhật sự cố %(c)s.") % {"c": inc.code})
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("incidents:detail", incident_id=incident_id)


def planned_import(request, template: str = "incidents/import.html", extra=None):
    if not permissions.can_import_planned(request.user):
        raise PermissionDenied  # leads, managers, admins (the service checks again)
    result = rejected = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError(_("Chưa chọn tệp."), code="missing_file")
            rows = parse_schedule(upload.read(), upload.name)
            result = planned.import_planned(rows=rows, filename=upload.name, actor=request.user)
        except ImportRejected as exc:
            rejected = exc
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return render(request, template, {"result": result, "rejected": rejected, **(extra or {})})


@login_not_required
def public_schedule(request, slug: str):
    """The planned-maintenance schedule (“Lịch ngừng cung cấp điện”, “Lịch bảo trì mạng”, the
    profile's words and path): search by ward or customer code; no personal data. Another
    profile's path redirects to the active one."""
    words = catalog.terms()
    if slug != words["public_path"]:
        return redirect("incidents:public_schedule", slug=words["public_path"])
    q = (request.GET.get("q") or "").strip()[:100]
    results = None
    error = ""
    wards = []
    try:
        ratelimit.hit("public", ratelimit.client_ip(request))
    except ratelimit.RateLimited as exc:
        return render(
            request,
            "incidents/public.html",
            {"q": q, "error": str(exc.message), "results": None},
            status=429,
        )
    if q:
        from cskh.geo.models import Ward

        positions = None
        if any(ch.isdigit() for ch in q) and " " not in q:
            positions = selectors.customer_positions_by_code(q)
        if positions is not None:
            results = selectors.public_planned(positions=positions)
        else:
            folded = fold(q)
            core = folded
            for prefix in ("phuong ", "xa ", "p. ", "p."):
                if core.startswith(prefix):
                    core = core[len(prefix) :]
            if len(core) >= 2:
                wards = list(
                    Ward.objects.filter(name_folded__contains=core).values_list("code", flat=True)[
                        :50
                    ]
                )
            if not wards and len(core) >= 3:
                wards = list(
                    Ward.objects.filter(legacy_folded__contains=core).values_list(
                        "code", flat=True
                    )[:50]
                )
            if wards:
                results = selectors.public_planned(ward_ids=wards)
            else:
                error = _("Không tìm thấy phường/xã hoặc mã khách hàng “%(q)s”.") % {"q": q}
                results = []
    rows = []
    for inc, scopes in results or []:
        rows.append(
            {
                "start": inc.started_at,
                "end": inc.ends_at,
                "reason": inc.reason or inc.public_message,
                "area": ", ".join(
                    sorted({s.ward.name for s in scopes if s.ward_id} or {inc.title})
                ),
                "network": ", ".join(
                    sorted(s.code for s in scopes if s.level in ("feeder", "transformer"))
                ),
                "status": inc.get_status_display(),
            }
        )
    return render(
        request,
        "incidents/public.html",
        {"q": q, "rows": rows, "results": results, "error": error},
    )
