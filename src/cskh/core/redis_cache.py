"""Django's Redis cache backend with one connection pool and one client per process.

Django keeps cache objects in a context-local store; under ASGI (and the WSGI bridge, see
cskh.asgi) every request runs in a fresh context, so the stock backend built a new client, a new connection pool
and a new TCP connection to Redis (plus redis-py's version look-up on connect) for every request
that touched the cache: every API call, through the rate limiter. Measured: ~17% of the server's
time under load.
"""

import os
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_lock = threading.Lock()
_clients: dict[tuple, object] = {}


class SharedRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        cache_key = (os.getpid(), self._servers[index], repr(sorted(self._pool_options.items())))
        client = _clients.get(cache_key)
        if client is None:
            with _lock:
                client = _clients.get(cache_key)
                if client is None:
                    pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                    client = _clients[cache_key] = self._client(connection_pool=pool)
        return client


_backends: dict[tuple, SharedRedisCacheClient] = {}


class SharedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedRedisCacheClient

    @property
    def _cache(self):  # the stock cached_property builds a client per cache object
        key = (os.getpid(), tuple(self._servers), repr(sorted(self._options.items())))
        backend = _backends.get(key)
        if backend is None:
            with _lock:
                backend = _backends.get(key)
                if backend is None:
                    backend = _backends[key] = self._class(self._servers, **self._options)
        return backend

    def clear(self) -> bool:
        """Remove this site's keys only.

        The stock backend runs FLUSHDB, wiping every key in the Redis database: other sites or
        processes sharing it (and parallel test workers, each with its own KEY_PREFIX) lost their
        rate-limit counters and cached data.
        """
        if not self.key_prefix:
            return super().clear()
        client = self._cache.get_client(write=True)
        batch: list = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True

    def incr_with_ttl(self, key: str, timeout: int, version=None) -> int:
        """Counter for fixed windows (core.ratelimit): INCR and EXPIRE in one round trip.

        The stock incr() costs two round trips (EXISTS, then INCR) and a missing key two more
        (add, then incr again), on every API request."""
        key = self.make_and_validate_key(key, version=version)
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, timeout)
        return int(pipe.execute()[0])
