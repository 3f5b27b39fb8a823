"""Pages of the data-protection officer (requests, a customer's data and access log, the
breach access report) and the agents' form to file a request or record a consent from the
customer card. Every page sends Cache-Control: no-store (never_cache): personal data must not
stay in a browser's or a proxy's cache."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cskh.core.errors import DomainError
from cskh.customers import selectors as customer_selectors
from cskh.customers.models import Consent, Customer, Purpose
from cskh.org import permissions
from cskh.privacy import selectors, services
from cskh.privacy.models import AccessLog, DataSubjectRequest


def _officer(request: HttpRequest) -> None:
    if not permissions.can_handle_privacy(request.user):
        raise PermissionDenied


def _customer(customer_id: int) -> Customer:
    customer = customer_selectors.get(customer_id)
    if customer is None:
        raise Http404
    return customer


@never_cache
def queue(request: HttpRequest) -> HttpResponse:
    """The officer's queue: open requests by deadline, then the recently closed ones."""
    _officer(request)
    return render(
        request,
        "privacy/queue.html",
        {
            "open": list(selectors.open_requests()[:200]),
            "closed": selectors.recent_closed(),
            "now": timezone.now(),
        },
    )


@never_cache
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    _officer(request)
    req = get_object_or_404(DataSubjectRequest.objects.select_related("customer"), pk=request_id)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "take":
                services.take(request=req, actor=request.user)
            elif action == "complete":
                services.complete(
                    request=req, actor=request.user, note=request.POST.get("note", "")
                )
            elif action == "reject":
                services.reject(
                    request=req, actor=request.user, reason=request.POST.get("note", "")
                )
            else:
                raise DomainError(_("Thao tác không hợp lệ."), code="bad_action")
            return redirect("privacy:request", request_id=req.pk)
        except DomainError as exc:
            error = str(exc.message)
    return render(
        request,
        "privacy/request.html",
        {"req": req, "error": error, "now": timezone.now()},
        status=400 if error else 200,
    )


@never_cache
def customer_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A customer's personal data at a glance for the officer: requests, consents, who read
    their data (the access log)."""
    _officer(request)
    customer = _customer(customer_id)
    services.record_access(
        user=request.user, customer_id=customer.pk, action=AccessLog.Action.VIEW, detail="dpo"
    )
    return render(
        request,
        "privacy/customer.html",
        {
            "customer": customer,
            "requests": selectors.requests_of(customer.pk),
            "consents": customer_selectors.consent_history(customer.pk),
            "access": selectors.access_log_of(customer.pk),
        },
    )


@never_cache
def export_json(request: HttpRequest, customer_id: int) -> HttpResponse:
    _officer(request)
    customer = _customer(customer_id)
    data = selectors.export_for_customer(customer.pk)
    services.record_access(
        user=request.user, customer_id=customer.pk, action=AccessLog.Action.EXPORT, detail="json"
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="du-lieu-{customer.code}.json"'
    return response


@never_cache
def export_html(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The same export as a readable, printable page (the browser's print makes the PDF)."""
    _officer(request)
    customer = _customer(customer_id)
    data = selectors.export_for_customer(customer.pk)
    services.record_access(
        user=request.user, customer_id=customer.pk, action=AccessLog.Action.EXPORT, detail="html"
    )
    return render(request, "privacy/export.html", {"customer": customer, "data": data})


@never_cache
def file_request(request: HttpRequest, customer_id: int) -> HttpResponse:
    """From the customer card: an agent files a request on the customer's behalf, or records a
    consent answer the customer just gave."""
    if not permissions.can_file_privacy_request(request.user):
        raise PermissionDenied
    customer = _customer(customer_id)
    error = ""
    done = ""
    if request.method == "POST":
        try:
            if request.POST.get("form") == "consent":
                services.record_consent(
                    customer=customer,
                    purpose=request.POST.get("purpose", ""),
                    granted=request.POST.get("granted") == "1",
                    channel=Consent.Channel.AGENT,
                    actor=request.user,
                    note=request.POST.get("note", ""),
                )
                done = _("Đã ghi nhận ý kiến của khách hàng.")
            else:
                kind = request.POST.get("kind", "")
                payload: dict[str, object] = {}
                if kind == DataSubjectRequest.Kind.WITHDRAWAL:
                    payload["purpose"] = request.POST.get("purpose", "")
                elif kind == DataSubjectRequest.Kind.CORRECTION:
                    field = request.POST.get("field", "")
                    payload[field] = request.POST.get("value", "")
                elif kind == DataSubjectRequest.Kind.RESTRICTION:
                    payload["restricted"] = True
                req = services.file_request(
                    customer=customer,
                    kind=kind,
                    details=request.POST.get("details", ""),
                    payload=payload,
                    actor=request.user,
                )
                done = _("Đã tiếp nhận yêu cầu #%(n)s, hạn xử lý %(d)s.") % {
                    "n": req.pk,
                    "d": timezone.localtime(req.due_at).strftime("%H:%M %d/%m/%Y"),
                }
        except DomainError as exc:
            error = str(exc.message)
    return render(
        request,
        "privacy/file_request.html",
        {
            "customer": customer,
            "kinds": DataSubjectRequest.Kind.choices,
            "purposes": Purpose.choices,
            "fields": [(f, f) for f in services.CORRECTABLE],
            "consents": customer.consents or {},
            "error": error,
            "done": done,
        },
        status=400 if error else 200,
    )


def _when(value: str, *, end: bool = False) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    day = parse_date(value) if len(value) == 10 else None  # a bare date: the whole day
    if day is not None:
        dt: datetime | None = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    else:
        dt = parse_datetime(value)
    if dt is None:
        return None
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


@never_cache
def access_report(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Breach readiness: who accessed what in a window, as CSV (``?from=…&to=…``, dates or
    ISO date-times; a bare "to" date includes that day)."""
    _officer(request)
    start = _when(request.GET.get("from", ""))
    end = _when(request.GET.get("to", ""), end=True)
    if start is None or end is None:
        error = ""
        if "from" in request.GET or "to" in request.GET:
            error = _("Nhập khoảng thời gian hợp lệ (từ ngày, đến ngày).")
        return render(
            request, "privacy/access_report.html", {"error": error}, status=400 if error else 200
        )
    if end <= start:
        return render(
            request,
            "privacy/access_report.html",
            {"error": _("Thời điểm kết thúc phải sau thời điểm bắt đầu.")},
            status=400,
        )
    services.record_access(
        user=request.user, customer_id=None, action=AccessLog.Action.EXPORT, detail="access-report"
    )
    response = StreamingHttpResponse(
        selectors.access_report_csv(start, end), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="access-report.csv"'
    return response
