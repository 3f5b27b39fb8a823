"""The login lockout policy, as django-axes callables (settings ``AXES_*``).

- Per account: ``CSKH_LOGIN_FAILURE_LIMIT`` wrong passwords lock the account name (from any
  address), for ``CSKH_LOGIN_COOLOFF_SECONDS``, doubled at each further lockout of the same
  account (progressive, at most an hour). Colleagues behind the same NAT address are not
  affected by one person's typos.
- Per address: once an address has ``CSKH_LOGIN_IP_FAILURE_LIMIT`` failures over any accounts
  (credential stuffing), the address itself is locked too, and an alert is logged.
- The address is ``REMOTE_ADDR``: ``cskh serve`` rewrites it from ``X-Forwarded-For`` only for
  proxies listed in ``FORWARDED_ALLOW_IPS``, so a client rotating that header changes nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger("cskh.security")

MAX_COOLOFF = timedelta(hours=1)


def client_ip(request: HttpRequest) -> str | None:
    """None when there is no address (a sign-in from code: Client.login(), a shell)."""
    return request.META.get("REMOTE_ADDR") or None


def ip_failures(ip: str | None) -> int:
    total = AccessAttempt.objects.filter(ip_address=ip).aggregate(n=Sum("failures_since_start"))
    return int(total["n"] or 0)


def lockout_parameters(request_or_attempt: Any, credentials: dict | None = None) -> list[str]:
    """Lock by account; by address as well once the address looks like credential stuffing."""
    if isinstance(request_or_attempt, AccessAttempt):
        ip = request_or_attempt.ip_address or ""
    else:
        ip = client_ip(request_or_attempt)
    if ip and ip_failures(ip) >= settings.CSKH_LOGIN_IP_FAILURE_LIMIT:
        return ["username", "ip_address"]
    return ["username"]


def _username(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    creds = getattr(request, "axes_credentials", None) or {}
    name = creds.get("username") if isinstance(creds, dict) else None
    if not name and request.method == "POST":
        name = request.POST.get("username")
    return str(name or "")


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """Base cool-off, doubled for each full batch of failures beyond the first."""
    base = timedelta(seconds=settings.CSKH_LOGIN_COOLOFF_SECONDS)
    name = _username(request)
    if not name:
        return base
    failures = (
        AccessAttempt.objects.filter(username=name).aggregate(n=Max("failures_since_start"))["n"]
        or 0
    )
    rounds = max(1, failures // max(1, settings.AXES_FAILURE_LIMIT))
    return min(base * (2 ** min(rounds - 1, 16)), MAX_COOLOFF)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: dict | None = None
) -> HttpResponse:
    """The login page again, with a clear Vietnamese message and 429."""
    minutes = max(1, round(cool_off(request).total_seconds() / 60))
    message = _(
        "Tài khoản hoặc địa chỉ này tạm bị khóa vì đăng nhập sai nhiều lần. "
        "Vui lòng thử lại sau %(m)s phút hoặc liên hệ quản trị viên."
    ) % {"m": minutes}
    if request.path.startswith("/admin/"):
        return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    from django.contrib.auth.forms import AuthenticationForm

    return render(
        request,
        "registration/login.html",
        {"form": AuthenticationForm(request), "error": message},
        status=429,
    )


def on_login_failed(sender: Any, credentials: dict, request: HttpRequest | None = None, **_kw: Any):
    """Alert on credential stuffing: many failures from one address over many accounts."""
    if request is None:
        return
    ip = client_ip(request)
    if ip is None:
        return
    limit = settings.CSKH_LOGIN_IP_FAILURE_LIMIT
    stats = AccessAttempt.objects.filter(ip_address=ip).aggregate(
        n=Sum("failures_since_start"), accounts=Count("username", distinct=True)
    )
    failures = int(stats["n"] or 0)
    if failures == limit or (failures > limit and failures % limit == 0):
        log.warning(
            "ALERT credential stuffing suspected: ip=%s failures=%s accounts=%s path=%s",
            ip,
            failures,
            stats["accounts"],
            request.path,
        )


def on_locked_out(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    log.warning(
        "login lockout: username=%r ip=%s path=%s",
        kwargs.get("username"),
        kwargs.get("ip_address"),
        getattr(request, "path", ""),
    )
