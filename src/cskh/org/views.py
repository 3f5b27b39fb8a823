"""Sign-in steps beyond the password: TOTP enrolment and verification (django-otp), and
"log out everywhere"."""

from __future__ import annotations

from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from cskh.org import permissions, services
from cskh.org.models import User


def _next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return reverse("home")


def _user(request: HttpRequest) -> User:
    user = request.user  # signed in: LoginRequiredMiddleware
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code (inline SVG) and the key, then a first code."""
    user = _user(request)
    if not permissions.may_enrol_two_factor(user):
        return HttpResponse(status=403)
    if permissions.has_second_factor(user) and not permissions.is_otp_verified(user):
        return redirect(f"{reverse('org:otp_verify')}?next={_next(request)}")
    error = ""
    if request.method == "POST":
        device = services.confirm_totp(user=user, token=request.POST.get("token", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        error = _("Mã không đúng, vui lòng nhập mã đang hiển thị trong ứng dụng.")
    device = services.totp_device_for_enrolment(user=user)
    ctx = {
        "qr": services.qr_svg(device.config_url),
        "secret": device.config_url.split("secret=", 1)[1].split("&", 1)[0],
        "next": _next(request),
        "error": error,
        "required": permissions.requires_two_factor(user),
    }
    return render(request, "org/otp_setup.html", ctx, status=400 if error else 200)


def otp_verify(request: HttpRequest) -> HttpResponse:
    """The step after the password for a user with a confirmed device."""
    user = _user(request)
    if not permissions.has_second_factor(user):
        return redirect(f"{reverse('org:otp_setup')}?next={_next(request)}")
    error = ""
    if request.method == "POST":
        device = match_token(user, (request.POST.get("token") or "").strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        error = _("Mã không đúng hoặc đã hết hạn.")
    return render(
        request,
        "org/otp_verify.html",
        {"next": _next(request), "error": error},
        status=400 if error else 200,
    )


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of this user on every device, this one included."""
    user = _user(request)
    services.log_out_everywhere(user=user, actor=user)
    logout(request)
    return redirect("login")
