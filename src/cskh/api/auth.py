from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from cskh.core import ratelimit
from cskh.core.errors import Forbidden
from cskh.org import permissions
from cskh.org.services import authenticate_token_scoped


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        hit = authenticate_token_scoped(token)
        if hit is None:
            return None
        user, scopes = hit
        api_path = request.path_info.removeprefix(reverse("api:api-root"))
        if not permissions.token_allows(scopes, request.method or "GET", api_path):
            raise Forbidden(
                _("Mã truy cập không có phạm vi cho thao tác này (%(s)s).")
                % {"s": ", ".join(sorted(scopes))},
                code="token_scope",
            )
        request.user = user
        ratelimit.hit("api", f"u{user.pk}", limit=settings.CSKH_RATE_LIMITS["api"])
        return user


class Session(SessionAuth):
    """The desk's own pages call the API with the session cookie (CSRF checked). A session
    that still owes its second factor (TOTP) is not accepted."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and permissions.needs_otp_step(user):
            return None
        if user is not None:
            ratelimit.hit("api", f"u{user.pk}", limit=settings.CSKH_RATE_LIMITS["api"])
        return user


AUTH = [BearerToken(), Session()]
