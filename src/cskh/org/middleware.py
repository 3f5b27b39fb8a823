"""Session policy for the web pages: idle and absolute expiry, and the second factor.

- A session unused for ``CSKH_SESSION_IDLE_SECONDS`` or older than
  ``CSKH_SESSION_MAX_SECONDS`` (from the sign-in) is ended: the next page goes to the login.
- A signed-in user who owes a second factor (has a TOTP device, or the role requires one) is
  sent to the verification step, or to enrolment when the role requires one and none exists.
  The API refuses such a session itself (api.auth.Session).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cskh.org import permissions

SIGNED_IN_AT = "cskh_signed_in_at"
SEEN_AT = "cskh_seen_at"
SEEN_WRITE_EVERY = 60  # seconds: do not write the session on every request
# Whether the user had a confirmed TOTP device when this session first asked: one query per
# session instead of one per page (a device enrolled elsewhere applies from the next sign-in;
# enrolling in this session verifies it at once).
HAS_DEVICE = "cskh_has_otp_device"


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            ended = self._expired(request)
            if ended is not None:
                return ended
            step = self._second_factor(request)
            if step is not None:
                return step
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> HttpResponseBase | None:
        now = time.time()
        session = request.session
        signed_in = session.get(SIGNED_IN_AT)
        seen = session.get(SEEN_AT)
        if signed_in is None:
            session[SIGNED_IN_AT] = session[SEEN_AT] = now
            return None
        idle = settings.CSKH_SESSION_IDLE_SECONDS
        longest = settings.CSKH_SESSION_MAX_SECONDS
        if (longest and now - signed_in > longest) or (idle and seen and now - seen > idle):
            logout(request)
            if request.path_info.startswith("/api/"):
                return None  # the API answers 401 itself
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        if seen is None or now - seen > SEEN_WRITE_EVERY:
            session[SEEN_AT] = now
        return None

    def _second_factor(self, request: HttpRequest) -> HttpResponseBase | None:
        path = request.path_info
        if path.startswith(("/api/", "/static/", "/accounts/", "/i18n/", "/healthz", "/favicon")):
            return None
        user = request.user
        if permissions.is_otp_verified(user):
            return None
        has_device = request.session.get(HAS_DEVICE)
        if has_device is None:
            has_device = request.session[HAS_DEVICE] = permissions.has_second_factor(user)
        if not (has_device or permissions.requires_two_factor(user)):
            return None
        target = "org:otp_verify" if has_device else "org:otp_setup"
        if request.headers.get("HX-Request"):
            return JsonResponse({"detail": _("Cần xác thực hai lớp.")}, status=401)
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
