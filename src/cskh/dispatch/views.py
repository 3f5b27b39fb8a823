"""Unit portal (field units) and the center's dispatch pages. Thin: services do the work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.views.decorators.http import require_POST

from cskh.core.errors import DomainError, Forbidden, NotFound
from cskh.core.phones import display as display_phone
from cskh.dispatch import selectors, states
from cskh.dispatch.models import WorkOrder
from cskh.dispatch.services import center, field
from cskh.org import permissions
from cskh.org.models import Unit

STATE_TABS = [
    ("open", N_("Đang mở")),
    ("new", N_("Chưa nhận")),
    ("overdue", N_("Quá hạn")),
    ("info", N_("Đang hỏi thông tin")),
    ("closed", N_("Đã kết thúc")),
    ("all", N_("Tất cả")),
]


def _get(request, wo_id: int) -> WorkOrder:
    try:
        return selectors.get_for_user(request.user, wo_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _unit_code(request) -> str | None:
    code = (request.GET.get("unit") or "").strip()
    return code or None


def home(request):
    """The unit's work orders (center staff: every unit's), with filters and a cursor."""
    user = request.user
    state = request.GET.get("state") or "open"
    if state not in dict(STATE_TABS):
        state = "open"
    order = request.GET.get("order") or "-id"
    if order not in selectors.ORDERS:
        order = "-id"
    status = request.GET.get("status") or None
    if status not in WorkOrder.Status.values:
        status = None
    ctx: dict[str, Any] = {
        "nav": "portal",
        "tabs": [(k, _(v)) for k, v in STATE_TABS],
        "state": state,
        "order": order,
        "f": {
            "status": status or "",
            "unit": _unit_code(request) or "",
            "case": (request.GET.get("case") or "").strip(),
        },
        "statuses": WorkOrder.Status.choices,
        "now": timezone.now(),
        "show_units": permissions.sees_all_units(user),
    }
    if ctx["show_units"]:
        ctx["units"] = selectors.field_units()
    try:
        rows, next_cursor = selectors.list_for_user(
            user,
            state=state,
            status=status,
            unit=ctx["f"]["unit"] or None,
            case_number=ctx["f"]["case"] or None,
            cursor=request.GET.get("cursor") or None,
            order=order,
            limit=50,
        )
    except DomainError as exc:
        rows, next_cursor = [], None
        ctx["error"] = str(exc.message)
    params = request.GET.copy()
    params.pop("cursor", None)
    ctx.update({"rows": rows, "next_cursor": next_cursor, "params": params.urlencode()})
    return render(request, "dispatch/list.html", ctx)


def _detail_ctx(request, wo: WorkOrder) -> dict:
    from django.conf import settings

    return {
        "nav": "portal",
        "wo": wo,
        "case": wo.case,
        "events": selectors.events(wo),
        "attachments": selectors.attachments(wo),
        "is_open": wo.status in states.OPEN,
        "can_coordinate": permissions.can_coordinate(request.user),
        "units": selectors.field_units(),
        "now": timezone.now(),
        "phone": display_phone(wo.contact_phone) if wo.contact_phone else "",
        "accept_types": ",".join(sorted(settings.CSKH_DISPATCH_UPLOAD_TYPES)),
        "max_mb": round(settings.CSKH_DISPATCH_MAX_UPLOAD / 1024 / 1024, 1),
    }


def detail(request, wo_id: int):
    return render(request, "dispatch/detail.html", _detail_ctx(request, _get(request, wo_id)))


def _act(request, wo_id: int, fn: Callable[[WorkOrder], object], ok: str):
    """Run one step; a DomainError becomes a message (nothing changed) and a 4xx page."""
    wo = _get(request, wo_id)
    try:
        fn(wo)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        ctx = _detail_ctx(request, _get(request, wo_id)) | {"form": request.POST}
        return render(request, "dispatch/detail.html", ctx, status=exc.status)
    messages.success(request, ok)
    return redirect(reverse("portal:detail", args=[wo_id]))


@require_POST
def accept(request, wo_id: int):
    return _act(
        request,
        wo_id,
        lambda wo: field.accept(
            work_order=wo, actor=request.user, note=request.POST.get("note", "")
        ),
        _("Đã nhận phiếu."),
    )


@require_POST
def note(request, wo_id: int):
    return _act(
        request,
        wo_id,
        lambda wo: field.add_progress_note(
            work_order=wo,
            body=request.POST.get("body", ""),
            on_the_way=request.POST.get("on_the_way") in ("1", "on", "true"),
            actor=request.user,
        ),
        _("Đã ghi tiến độ."),
    )


@require_POST
def request_info(request, wo_id: int):
    return _act(
        request,
        wo_id,
        lambda wo: field.request_info(
            work_order=wo,
            question=request.POST.get("question", ""),
            target=request.POST.get("target") or "center",
            actor=request.user,
        ),
        _("Đã gửi câu hỏi cho trung tâm."),
    )


@require_POST
def complete(request, wo_id: int):
    return _act(
        request,
        wo_id,
        lambda wo: field.complete(
            work_order=wo,
            resolution=request.POST.get("resolution", ""),
            photos=request.FILES.getlist("photos"),
            actor=request.user,
        ),
        _("Đã báo hoàn thành."),
    )


@require_POST
def reject(request, wo_id: int):
    return _act(
        request,
        wo_id,
        lambda wo: field.reject(
            work_order=wo, reason=request.POST.get("reason", ""), actor=request.user
        ),
        _("Đã trả phiếu về trung tâm."),
    )


@require_POST
def answer(request, wo_id: int):
    return _act(
        request,
        wo_id,
        lambda wo: center.provide_info(
            work_order=wo, answer=request.POST.get("answer", ""), actor=request.user
        ),
        _("Đã trả lời đơn vị."),
    )


@require_POST
def cancel(request, wo_id: int):
    return _act(
        request,
        wo_id,
        lambda wo: center.cancel(
            work_order=wo, reason=request.POST.get("reason", ""), actor=request.user
        ),
        _("Đã hủy phiếu."),
    )


@require_POST
def redispatch(request, wo_id: int):
    target: dict = {}

    def do(wo):
        unit = Unit.objects.filter(code=(request.POST.get("unit") or "").strip()).first()
        target["wo"] = center.redispatch(
            work_order=wo, unit=unit, reason=request.POST.get("reason", ""), actor=request.user
        )

    response = _act(request, wo_id, do, _("Đã chuyển đơn vị."))
    if "wo" in target:
        return redirect(reverse("portal:detail", args=[target["wo"].pk]))
    return response


def attachment(request, wo_id: int, att_id: int):
    try:
        att = selectors.attachment_for_user(request.user, wo_id, att_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("Tệp không còn trên máy chủ.")) from exc
    inline = att.content_type.startswith("image/")
    response = FileResponse(
        handle,
        content_type=att.content_type,
        as_attachment=not inline,
        filename=att.original_name,
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def backlog(request):
    """Shift leads and managers: every unit's open / overdue work orders."""
    if not permissions.can_supervise(request.user):
        raise PermissionDenied
    now = timezone.now()
    ctx = {
        "nav": "backlog",
        "rows": selectors.backlog(request.user, now=now),
        "overdue": selectors.overdue(request.user, now=now),
        "now": now,
    }
    return render(request, "dispatch/backlog.html", ctx)


def _parse_local(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except ValueError as exc:
        raise DomainError(_("Thời hạn không hợp lệ."), code="bad_expected_at") from exc
    return timezone.make_aware(dt)


def case_dispatch(request, number: str):
    """The center's dispatch page for a case: its work orders and the dispatch form."""
    from django.conf import settings

    from cskh.cases import selectors as case_selectors

    if not permissions.can_coordinate(request.user):
        raise PermissionDenied
    try:
        case = case_selectors.get_for_user(request.user, number)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    status = 200
    if request.method == "POST":
        try:
            unit = None
            code = (request.POST.get("unit") or "").strip()
            if code:
                unit = Unit.objects.filter(code=code).first()
                if unit is None:
                    raise DomainError(_("Không tìm thấy đơn vị %(u)s.") % {"u": code})
            wo = center.dispatch_case(
                case=case,
                unit=unit,
                instructions=request.POST.get("instructions", ""),
                expected_at=_parse_local(request.POST.get("expected_at")),
                attachments=request.FILES.getlist("attachments"),
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            messages.success(request, _("Đã gửi phiếu %(c)s.") % {"c": wo.code})
            return redirect(reverse("portal:detail", args=[wo.pk]))
    ctx = {
        "nav": "portal",
        "case": case,
        "work_orders": selectors.for_case(case),
        "active": selectors.active_for_case(case),
        "suggested": center.responsible_unit(case),
        "units": selectors.field_units(),
        "accept_types": ",".join(sorted(settings.CSKH_DISPATCH_UPLOAD_TYPES)),
        "form": request.POST if request.method == "POST" else {},
    }
    return render(request, "dispatch/case.html", ctx, status=status)
