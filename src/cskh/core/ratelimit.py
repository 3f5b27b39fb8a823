"""Fixed-window rate limits on the shared cache (Redis when configured, else the DB cache)."""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from cskh.core.errors import DomainError


class RateLimited(DomainError):
    def __init__(self):
        super().__init__(
            _("Quá nhiều yêu cầu, vui lòng thử lại sau ít phút."), status=429, code="rate_limited"
        )


def hit(scope: str, key: str, *, limit: int | None = None, window: int = 60) -> None:
    limit = limit if limit is not None else settings.CSKH_RATE_LIMITS.get(scope, 600)
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    counter = getattr(cache, "incr_with_ttl", None)  # Redis: one round trip
    if counter is not None:
        count = counter(cache_key, window + 5)
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:
            cache.add(cache_key, 0, timeout=window + 5)
            count = cache.incr(cache_key)
    if count > limit:
        raise RateLimited()


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"
