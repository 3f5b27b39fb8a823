"""Pages: the live wallboard (SSE push, HTMX fetches the tiles), the standard reports with
their SVG charts and tables, exports (CSV streamed, XLSX direct or in the background) and
the manager's subscriptions. Thin: the figures come from selectors."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cskh.core import exports, live
from cskh.core.errors import DomainError
from cskh.org import permissions
from cskh.org.models import User
from cskh.reports import charts, selectors
from cskh.reports.models import ExportJob, Subscription
from cskh.reports.services import exports as export_services
from cskh.reports.services import subscriptions
from cskh.reports.services.wallboard import CHANNEL

LIVE_CHANNELS = [CHANNEL, "presence", "inbox"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _wallboard_only(request: HttpRequest) -> User:
    user = _user(request)
    if not permissions.can_view_wallboard(user):
        raise PermissionDenied
    return user


def _reports_only(request: HttpRequest) -> User:
    user = _user(request)
    if not permissions.can_view_reports(user):
        raise PermissionDenied
    return user


# --------------------------------------------------------------------------- wallboard


def wallboard(request: HttpRequest) -> HttpResponse:
    user = _wallboard_only(request)
    ctx = selectors.wallboard(user)
    return render(request, "reports/wallboard.html", ctx)


def wallboard_tiles(request: HttpRequest) -> HttpResponse:
    user = _wallboard_only(request)
    return render(request, "reports/_wallboard_tiles.html", selectors.wallboard(user))


async def wallboard_live(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """SSE: the wallboard channel (+ presence and inbox changes), for leads and managers."""
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=401)
    if not permissions.can_view_wallboard(user):
        return HttpResponse(status=403)
    return live.event_stream(request, list(LIVE_CHANNELS))


# --------------------------------------------------------------------------- reports


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest, user: User) -> selectors.Filters:
    g = request.GET
    return selectors.filters_for(
        user,
        start=_date(g.get("from")),
        end=_date(g.get("to")),
        unit_id=_int(g.get("unit")),
        team_id=_int(g.get("team")),
        channel=g.get("channel") or None,
        case_type_id=_int(g.get("type")),
    )


def _chart(rep: selectors.Report) -> dict[str, Any]:
    def label(v: Any) -> str:
        return v.strftime("%d/%m") if isinstance(v, date) else str(v)

    items = [(label(r.get(rep.x, "")), r.get(rep.y)) for r in rep.rows]
    if rep.chart == "line":
        return charts.trend_chart(items, percent=rep.unit == "%")
    return charts.bar_chart(items, unit=rep.unit)


def index(request: HttpRequest) -> HttpResponse:
    user = _reports_only(request)
    code = request.GET.get("r") or "contacts_channel"
    if code not in selectors.REPORTS:
        raise Http404
    f = _filters(request, user)
    rep = selectors.report(code, user=user, filters=f)
    query = request.GET.urlencode()
    ctx = {
        "reports": [(c, t) for c, (t, _fn) in selectors.REPORTS.items()],
        "code": code,
        "report": rep,
        "chart": _chart(rep),
        "filters": f,
        "choices": selectors.filter_choices(user),
        "query": query,
        "can_manage": permissions.can_manage_reports(user),
        "subscriptions": Subscription.objects.filter(user=user, is_active=True),
        "frequencies": Subscription.Frequency.choices,
        "jobs": ExportJob.objects.filter(user=user).order_by("-id")[:5],
    }
    return render(request, "reports/index.html", ctx)


def export_report(
    request: HttpRequest, code: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    user = _reports_only(request)
    if code not in selectors.REPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    rep = selectors.report(code, user=user, filters=_filters(request, user))
    name = f"{code}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            exports.csv_lines(rep.columns, rep.rows), content_type="text/csv; charset=utf-8"
        )
    else:
        data = exports.xlsx_bytes(rep.columns, rep.rows, title=str(rep.title))
        response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_cases_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The case list as CSV, streamed row by row (any size, constant memory)."""
    user = _reports_only(request)
    qs = selectors.case_list(user, _filters(request, user))
    response = StreamingHttpResponse(
        exports.csv_lines(selectors.CASE_COLUMNS, selectors.case_rows(qs)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="cases-{timezone.localdate():%Y%m%d}.csv"'
    )
    return response


@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """A background export (the case list as XLSX, or any report): progress page, then link."""
    user = _reports_only(request)
    f = _filters(request, user)
    try:
        job = export_services.start_export(
            user=user,
            kind=request.POST.get("kind") or "cases",
            fmt=request.POST.get("fmt") or "xlsx",
            params=f.as_params(),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("reports:index")
    return redirect("reports:export_job", job_id=job.pk)


def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    user = _reports_only(request)
    job = get_object_or_404(ExportJob, pk=job_id, user=user)  # another's job: 404
    template = "reports/_export_job.html" if request.headers.get("HX-Request") else None
    return render(request, template or "reports/export_job.html", {"job": job})


def export_download(request: HttpRequest, job_id: int) -> FileResponse:
    user = _reports_only(request)
    job = get_object_or_404(ExportJob, pk=job_id, user=user, status=ExportJob.Status.DONE)
    f = default_storage.open(job.file_name, "rb")
    name = job.file_name.rsplit("/", 1)[-1]
    return FileResponse(f, as_attachment=True, filename=name)


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    user = _reports_only(request)
    if not permissions.can_manage_reports(user):
        raise PermissionDenied  # leads read reports; subscriptions are the managers'
    params = {k: request.POST.get(k) for k in ("unit", "team", "channel", "type")}
    filters = {k: (_int(v) if k != "channel" else v) for k, v in params.items() if v}
    try:
        subscriptions.subscribe(
            user=user,
            report=request.POST.get("report", ""),
            frequency=request.POST.get("frequency", ""),
            email=request.POST.get("email", ""),
            filters=filters,
        )
        messages.success(request, _("Đã đăng ký nhận báo cáo qua email."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(reverse("reports:index") + "?r=" + request.POST.get("report", ""))


@require_POST
def unsubscribe(request: HttpRequest, subscription_id: int) -> HttpResponse:
    user = _reports_only(request)
    subscriptions.unsubscribe(user=user, subscription_id=subscription_id)
    return redirect("reports:index")
