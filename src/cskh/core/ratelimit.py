"""Fixed-window rate limits on the shared cache (Redis when configured, else the DB cache)."""

import time

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

from cskh.core.errors import DomainError


class RateLimited(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("Quá nhiều yêu cầu, vui lòng thử lại sau ít phút."), status=429, code="rate_limited"
        )


def hit(scope: str, key: str, *, limit: int | None = None, window: int = 60) -> None:
    limit = limit if limit is not None else settings.CSKH_RATE_LIMITS.get(scope, 600)
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    if isinstance(caches["default"], RedisCache):
        count = _redis_count(cache_key, window + 5)
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:
            cache.add(cache_key, 0, timeout=window + 5)
            count = cache.incr(cache_key)
    if count > limit:
        raise RateLimited()


def _redis_count(cache_key: str, timeout: int) -> int:
    """INCR and EXPIRE in one round trip, on the default cache's Redis client (django-redis):
    cache.incr() costs two (EXISTS, then INCR) and a missing key two more (add, incr again),
    on every API request. The value stays a plain integer, readable through cache.get()."""
    key = cache.make_and_validate_key(cache_key)
    pipe = get_redis_connection("default").pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, timeout)
    return int(pipe.execute()[0])


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"
