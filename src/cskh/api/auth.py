from django.conf import settings
from ninja.security import HttpBearer, SessionAuth

from cskh.core import ratelimit
from cskh.org.services import authenticate_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = authenticate_token(token)
        if user is None:
            return None
        request.user = user
        ratelimit.hit("api", f"u{user.pk}", limit=settings.CSKH_RATE_LIMITS["api"])
        return user


class Session(SessionAuth):
    """The desk's own pages call the API with the session cookie (CSRF checked)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            ratelimit.hit("api", f"u{user.pk}", limit=settings.CSKH_RATE_LIMITS["api"])
        return user


AUTH = [BearerToken(), Session()]
