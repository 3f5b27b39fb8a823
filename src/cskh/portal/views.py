"""The customer portal's pages: public, server-rendered, readable without JavaScript.

Staff login is not involved: a customer signs in with a one-time code and the session holds
their customer id (selectors.CUSTOMER_KEY). Anything not theirs answers 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cskh.cases.states import Status
from cskh.catalog import services as catalog
from cskh.core import ratelimit
from cskh.core.errors import DomainError
from cskh.customers.models import Customer
from cskh.knowledge import selectors as kb
from cskh.portal import selectors
from cskh.portal.services import auth, outages, requests

View = Callable[..., HttpResponseBase]


def _message(request: HttpRequest, message: Any, status: int) -> HttpResponse:
    return render(request, "portal/message.html", {"message": message}, status=status)


def customer_required(view: View) -> View:
    """A signed-in customer or the sign-in page (then back here)."""

    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        customer = selectors.signed_in_customer(request)
        if customer is None:
            return redirect(f"{_url('kh:signin')}?next={request.path}")
        return view(request, customer, *args, **kwargs)

    return wrapped


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


def _public_guard(request: HttpRequest) -> HttpResponse | None:
    try:
        ratelimit.hit("public", ratelimit.client_ip(request))
    except ratelimit.RateLimited as exc:
        return _message(request, exc.message, 429)
    return None


def _safe_next(value: str | None) -> str:
    value = value or ""
    if value.startswith("/khach-hang/") and "//" not in value and "\\" not in value:
        return value
    return _url("kh:requests")


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"customer": selectors.signed_in_customer(request)})


@login_not_required
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    error = ""
    phone = ""
    status = 200
    if request.method == "POST":
        phone = (request.POST.get("phone") or "").strip()[:30]
        try:
            challenge = auth.request_code(
                phone=phone,
                ip=ratelimit.client_ip(request),
                channel=request.POST.get("channel") or "sms",
            )
        except DomainError as exc:
            error = str(exc.message)
            status = exc.status
        else:
            request.session[selectors.CHALLENGE_KEY] = challenge.token
            nxt = _safe_next(request.POST.get("next"))
            return redirect(f"{_url('kh:verify')}?next={nxt}")
        return render(
            request,
            "portal/signin.html",
            {"error": error, "phone": phone, "next": request.POST.get("next", "")},
            status=status,
        )
    return render(request, "portal/signin.html", {"next": request.GET.get("next", "")})


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    token = request.session.get(selectors.CHALLENGE_KEY)
    if not token:
        return redirect("kh:signin")
    nxt = _safe_next(request.POST.get("next") or request.GET.get("next"))
    error = ""
    status = 200
    if request.method == "POST":
        try:
            customer_id = auth.verify_code(
                token=token, code=request.POST.get("code", ""), ip=ratelimit.client_ip(request)
            )
        except DomainError as exc:
            error, status = str(exc.message), exc.status
        else:
            # a new session key on sign-in (no fixation); staff login state is not touched
            request.session.cycle_key()
            request.session.pop(selectors.CHALLENGE_KEY, None)
            request.session[selectors.CUSTOMER_KEY] = customer_id
            request.session.set_expiry(settings.CSKH_PORTAL_SESSION_HOURS * 3600)
            return redirect(nxt)
    return render(
        request,
        "portal/verify.html",
        {"error": error, "next": nxt, "minutes": settings.CSKH_PORTAL_OTP_MINUTES},
        status=status,
    )


@login_not_required
@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    request.session.pop(selectors.CUSTOMER_KEY, None)
    request.session.pop(selectors.CHALLENGE_KEY, None)
    request.session.cycle_key()
    return redirect("kh:home")


@customer_required
def my_requests(request: HttpRequest, customer: Customer) -> HttpResponse:
    before = request.GET.get("truoc", "")
    page = selectors.my_cases(customer, before=int(before) if before.isdigit() else None)
    return render(
        request,
        "portal/requests.html",
        {"customer": customer, "rows": page["rows"], "next": page["next"], "first": not before},
    )


def _case_page(
    request: HttpRequest, customer: Customer, number: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    case = selectors.my_case(customer, number)
    return render(
        request,
        "portal/case.html",
        {
            "customer": customer,
            "case": case,
            "view": selectors.case_view(case),
            "can_reopen": requests.can_reopen(case),
            "reopen_days": settings.CSKH_PORTAL_REOPEN_DAYS,
            "error": error,
            "max_mb": settings.CSKH_PORTAL_MAX_UPLOAD // (1024 * 1024),
        },
        status=status,
    )


@customer_required
def case_detail(request: HttpRequest, customer: Customer, number: str) -> HttpResponse:
    try:
        return _case_page(request, customer, number)
    except DomainError as exc:
        raise Http404(str(exc.message)) from exc


@customer_required
@require_POST
def case_reply(request: HttpRequest, customer: Customer, number: str) -> HttpResponse:
    try:
        case = selectors.my_case(customer, number)
    except DomainError as exc:
        raise Http404(str(exc.message)) from exc
    try:
        requests.reply(
            customer=customer,
            case=case,
            body=request.POST.get("body", ""),
            photos=request.FILES.getlist("photos"),
        )
    except DomainError as exc:
        return _case_page(request, customer, number, error=str(exc.message), status=exc.status)
    return redirect("kh:case", number=case.number)


@customer_required
@require_POST
def case_reopen(request: HttpRequest, customer: Customer, number: str) -> HttpResponse:
    try:
        case = selectors.my_case(customer, number)
    except DomainError as exc:
        raise Http404(str(exc.message)) from exc
    try:
        requests.reopen(customer=customer, case=case, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _case_page(request, customer, number, error=str(exc.message), status=exc.status)
    return redirect("kh:case", number=case.number)


@customer_required
def photo(request: HttpRequest, customer: Customer, photo_id: int) -> FileResponse:
    row = selectors.photo_for(customer, photo_id)
    if row is None:
        raise Http404
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@customer_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, customer: Customer) -> HttpResponse:
    types = [
        t
        for t in catalog.active_profile()
        .case_types.filter(is_active=True)
        .order_by("sort_order", "name")
    ]
    ctx: dict[str, Any] = {
        "customer": customer,
        "points": list(customer.service_points.all()),
        "types": types,
        "max_mb": settings.CSKH_PORTAL_MAX_UPLOAD // (1024 * 1024),
        "form": request.POST,
    }
    if request.method == "POST":
        try:
            sp = request.POST.get("service_point") or ""
            case = requests.new_request(
                customer=customer,
                description=request.POST.get("description", ""),
                type_code=(request.POST.get("case_type") or "").strip(),
                service_point_id=int(sp) if sp.isdigit() else None,
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(str(exc.message)) from exc
            ctx["error"] = str(exc.message)
            return render(request, "portal/new.html", ctx, status=exc.status)
        return redirect("kh:case", number=case.number)
    return render(request, "portal/new.html", ctx)


@customer_required
@require_http_methods(["GET", "POST"])
def outage_status(request: HttpRequest, customer: Customer) -> HttpResponse:
    message = error = ""
    status = 200
    if request.method == "POST":
        raw = request.POST.get("incident") or ""
        try:
            outages.subscribe(
                customer=customer,
                incident_id=int(raw) if raw.isdigit() else 0,
                channel=request.POST.get("channel") or "sms",
            )
            message = _("Đã đăng ký. Chúng tôi sẽ báo khi có thay đổi hoặc khi khôi phục.")
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(str(exc.message)) from exc
            error, status = str(exc.message), exc.status
    found = selectors.outages_for(customer)
    subscribed = selectors.subscribed_incident_ids(customer, [i.pk for i in found["all"]])
    return render(
        request,
        "portal/outages.html",
        {
            "customer": customer,
            "live": found["live"],
            "planned": found["planned"],
            "subscribed": subscribed,
            "points": list(customer.service_points.all()),
            "message": message,
            "error": error,
        },
        status=status,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Status only, by case number and the last four digits of the phone; a wrong number and
    a wrong phone get the same 404 answer; rate-limited per client address."""
    if request.method == "GET":
        return render(request, "portal/track.html", {})
    number = (request.POST.get("number") or "").strip()[:30]
    try:
        ratelimit.hit(
            "portal_track",
            ratelimit.client_ip(request),
            limit=settings.CSKH_PORTAL_TRACK_PER_MINUTE,
        )
    except ratelimit.RateLimited as exc:
        return render(
            request, "portal/track.html", {"number": number, "error": exc.message}, status=429
        )
    case = selectors.track(number, request.POST.get("last4", ""))
    if case is None:
        return render(
            request,
            "portal/track.html",
            {"number": number, "error": _("Không tìm thấy yêu cầu với thông tin đã nhập.")},
            status=404,
        )
    return render(
        request,
        "portal/track.html",
        {
            "number": number,
            "found": {
                "number": case.number,
                "status": Status(case.status).label,
                "expect": selectors.expectation(case),
                "created": selectors.when(case.created_at),
            },
        },
    )


@login_not_required
def help_index(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        limited = _public_guard(request)
        if limited:
            return limited
    return render(
        request,
        "portal/help.html",
        {
            "q": q,
            "articles": kb.public_articles(q),
            "customer": selectors.signed_in_customer(request),
        },
    )


@login_not_required
def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    version = kb.public_article(slug)
    if version is None:
        raise Http404
    return render(
        request,
        "portal/help_article.html",
        {"version": version, "customer": selectors.signed_in_customer(request)},
    )
