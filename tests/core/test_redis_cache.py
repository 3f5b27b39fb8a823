import os

import pytest

from cskh.core.redis_cache import SharedRedisCache

URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def caches():
    import redis

    try:
        redis.Redis.from_url(URL).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("Redis not reachable")
    pid = os.getpid()
    mine = SharedRedisCache(URL, {"KEY_PREFIX": f"t-mine-{pid}"})
    other = SharedRedisCache(URL, {"KEY_PREFIX": f"t-other-{pid}"})
    yield mine, other
    mine.clear()
    other.clear()


def test_clear_removes_only_own_keys(caches):
    mine, other = caches
    for i in range(1500):  # more than one delete batch
        mine.set(f"k{i}", i)
    other.set("k1", "kept")
    mine.clear()
    assert mine.get("k1") is None and mine.get("k1499") is None
    assert other.get("k1") == "kept"


def test_clients_are_shared_per_process(caches):
    mine, _ = caches
    again = SharedRedisCache(URL, {"KEY_PREFIX": mine.key_prefix})
    assert again._cache is mine._cache
    mine.set("x", 1)
    assert again.get("x") == 1


def test_window_counter_counts_and_expires(caches):
    mine, _ = caches
    assert [mine.incr_with_ttl("rl:x", 65) for _ in range(3)] == [1, 2, 3]
    assert mine.get("rl:x") == 3  # the same value the rest of the cache API sees
    client = mine._cache.get_client(write=True)
    ttl = client.ttl(mine.make_key("rl:x"))
    assert 0 < ttl <= 65
