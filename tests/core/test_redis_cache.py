"""The shared cache on Redis (django-redis): rate-limit windows, site-scoped key removal."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from cskh.core import ratelimit
from cskh.core.errors import DomainError

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")


def test_window_counter_counts_and_expires(db):
    from django_redis import get_redis_connection

    cache.delete_pattern("rl:t-window:*")
    for _ in range(3):
        ratelimit.hit("t-window", "k", limit=3, window=60)
    with pytest.raises(DomainError):
        ratelimit.hit("t-window", "k", limit=3, window=60)
    [key] = get_redis_connection("default").keys(cache.make_key("rl:t-window:*"))
    assert cache.get(key.decode().split(":", 2)[2]) == 4  # the rest of the cache API reads it
    assert 0 < get_redis_connection("default").ttl(key) <= 65


def test_removing_own_keys_leaves_other_prefixes(db):
    from django_redis import get_redis_connection

    other = f"t-other-{os.getpid()}:1:k"
    client = get_redis_connection("default")
    client.set(other, b"kept")
    cache.set("k", 1)
    try:
        cache.delete_pattern("*")
        assert cache.get("k") is None
        assert client.get(other) == b"kept"
    finally:
        client.delete(other)
