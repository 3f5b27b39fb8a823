"""Shared helpers of the query-count pins (tests/<app>/test_query_counts.py).

A pin counts the SQL of one request against a warm process, as a running server has it. The
shared cache must not add SQL of its own: on SQLite the default cache is a database table, whose
reads and writes (rate limit, cache versions) are the cache's cost, not the endpoint's, and
would make the count depend on timing; there the pins use an in-memory cache. With Redis
configured the cache is Redis already (no SQL), and the rate limiter talks to it directly."""

from collections.abc import Callable

from django.conf import settings as django_settings
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext


def cache_without_sql(settings) -> None:
    """Swap the database cache for a memory one (pytest-django's `settings` fixture)."""
    if not django_settings.REDIS_URL:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def listing(ctx: CaptureQueriesContext) -> str:
    return "\n".join(f"{i}. {q['sql'][:300]}" for i, q in enumerate(ctx.captured_queries, 1))


def queries_of(get: Callable[[], object]) -> CaptureQueriesContext:
    """The queries of the second of two identical calls (the first warms the process caches)."""
    get()
    # The capture slices the connection's query log, a deque capped at 9,000 entries: a log left
    # nearly full by earlier work in this process would cut the capture short. Start it empty.
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        get()
    return ctx


def assert_one_and_many_cost_the_same(
    fetch: Callable[[], int], add: Callable[[int], object], *, many: int = 20
) -> int:
    """Pin a list against N+1 queries: `fetch()` requests the list and returns how many items
    it shows; `add(i)` creates item i. The warm request showing one item and the one showing
    `many` must run the same number of queries. Returns that number."""
    add(0)
    shown: list[int] = []
    one = queries_of(lambda: shown.append(fetch()))
    assert shown[-1] == 1
    for i in range(1, many):
        add(i)
    lots = queries_of(lambda: shown.append(fetch()))
    assert shown[-1] == many
    assert len(lots) == len(one), f"1 item:\n{listing(one)}\n\n{many} items:\n{listing(lots)}"
    return len(one)
