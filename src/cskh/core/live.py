"""Live push to open browser tabs (Server-Sent Events).

``publish(channel, payload)`` is called from services (inside or outside a transaction: the event
leaves only after the commit, so a page that reacts to it sees the committed data).
``subscribe(channels)`` is an async iterator of ``(event_id, channel, payload)`` used by the SSE
view; ``subscribe_sync`` is the same for a threaded WSGI server (tests).

Backends (chosen by settings.REDIS_URL):
- Redis pub/sub: every process subscribes for its own connections; works across worker processes.
- Database fallback: rows in ``core.LiveEvent`` tailed by id every ~100 ms server-side (one poller
  per process shared by all its connections); old rows are pruned. The browser never polls.

Channels: ``agent:<user id>`` (screen pops, call state: only that user's tabs) and ``presence``
(presence changes, for shift leads).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import timedelta
from typing import Any

import redis
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import transaction
from django.http import HttpRequest, StreamingHttpResponse

from cskh.core.models import LiveEvent

log = logging.getLogger("cskh.live")

POLL_SECONDS = 0.1
KEEP_SECONDS = 600  # database fallback: rows older than this are pruned
LOOKBACK = 200  # database fallback: ids re-read to catch rows committed out of order
REDIS_PREFIX = "cskh:live:"

# (event id (None from Redis), channel, payload JSON), or None for a heartbeat
type Item = tuple[int | None, str, str] | None


def agent_channel(user_or_id: object) -> str:
    return f"agent:{getattr(user_or_id, 'pk', user_or_id)}"


def use_redis() -> bool:
    return bool(settings.REDIS_URL)


def _redis_channel(channel: str) -> str:
    """Redis pub/sub is global to the server (not per numbered db): scope channels by the
    database name so two installations (or test runs) sharing a Redis never see each other."""
    from django.db import connection

    return f"{REDIS_PREFIX}{connection.settings_dict.get('NAME')}:{channel}"


# --------------------------------------------------------------------------- publishing


def publish(channel: str, payload: dict[str, Any]) -> None:
    """Send payload (JSON-serialisable) to every tab listening on channel, after commit."""
    data = json.dumps(payload, ensure_ascii=False, default=str)
    transaction.on_commit(lambda: _send(channel, data), robust=True)


def _send(channel: str, data: str) -> None:
    if use_redis():
        try:
            _redis_sync().publish(_redis_channel(channel), data)
        except Exception:  # a lost pop must never fail the call event
            log.exception("live: redis publish failed on %s", channel)
        return
    event = LiveEvent.objects.create(channel=channel, payload=data)
    if event.pk % 200 == 0:
        prune()


def prune(keep_seconds: int = KEEP_SECONDS) -> int:
    from django.utils import timezone

    cutoff = timezone.now() - timedelta(seconds=keep_seconds)
    deleted, _ = LiveEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _redis_sync() -> redis.Redis:
    """The default cache's Redis client (django-redis: one connection pool per process)."""
    from django_redis import get_redis_connection

    client: redis.Redis = get_redis_connection("default")
    return client


# --------------------------------------------------------------------------- database tail


def _db_last_id() -> int:
    return LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _db_since(after_id: int, channels: Iterable[str] | None = None) -> list[tuple[int, str, str]]:
    qs = LiveEvent.objects.filter(id__gt=max(0, after_id - LOOKBACK))
    if channels is not None:
        qs = qs.filter(channel__in=list(channels))
    return list(qs.order_by("id").values_list("id", "channel", "payload")[:1000])


class _Hub:
    """One database poller per process (per event loop), fanning out to local subscribers."""

    def __init__(self) -> None:
        self.queues: dict[str, set[asyncio.Queue[Item]]] = {}
        self.task: asyncio.Task[None] | None = None
        self.last_id = 0
        self.floor = 0
        self.seen: dict[int, float] = {}
        self.floors: dict[int, int] = {}  # id(queue) -> last event id when it subscribed

    async def add(self, channels: list[str]) -> asyncio.Queue[Item]:
        """A queue for a new subscriber. It receives only events stored after it subscribed:
        rows published while this process had no listener (an agent logging in again after
        a call) are history, never replayed as live pops."""
        from asgiref.sync import sync_to_async

        current = await sync_to_async(_db_last_id)()
        if self.task is None or self.task.done():
            self.last_id = self.floor = current
            self.seen = {}
            self.task = asyncio.get_running_loop().create_task(self._run())
        q: asyncio.Queue[Item] = asyncio.Queue(maxsize=1000)
        self.floors[id(q)] = current
        for ch in channels:
            self.queues.setdefault(ch, set()).add(q)
        return q

    def remove(self, channels: list[str], q: asyncio.Queue[Item]) -> None:
        self.floors.pop(id(q), None)
        for ch in channels:
            subs = self.queues.get(ch)
            if subs:
                subs.discard(q)
                if not subs:
                    del self.queues[ch]

    async def _run(self) -> None:
        from asgiref.sync import sync_to_async

        fetch = sync_to_async(_db_since, thread_sensitive=False)
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if not self.queues:
                continue
            try:
                rows = await fetch(self.last_id, list(self.queues))
            except Exception:
                log.exception("live: database poll failed")
                await asyncio.sleep(1)
                continue
            now = time.monotonic()
            for event_id, channel, data in rows:
                if event_id <= self.floor or event_id in self.seen:
                    continue
                self.seen[event_id] = now
                self.last_id = max(self.last_id, event_id)
                for q in list(self.queues.get(channel, ())):
                    if event_id > self.floors.get(id(q), 0) and not q.full():
                        q.put_nowait((event_id, channel, data))
            if len(self.seen) > 5000:
                # only ids inside the re-read window can come back: keep exactly those (a
                # time-based cut re-delivered old rows still inside the window)
                low = self.last_id - LOOKBACK
                self.seen = {k: v for k, v in self.seen.items() if k > low}


_hubs: dict[int, _Hub] = {}


def _hub() -> _Hub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(id(loop))
    if hub is None:
        hub = _hubs[id(loop)] = _Hub()
    return hub


# --------------------------------------------------------------------------- subscribing


async def subscribe(channels: list[str], *, heartbeat: float = 15.0) -> AsyncIterator[Item]:
    """Yields (event_id, channel, payload_json) or None for a heartbeat. The first item is None
    once the subscription is in place (so a caller can tell the browser it is connected)."""
    if use_redis():
        async for item in _subscribe_redis(channels, heartbeat):
            yield item
        return
    hub = _hub()
    q = await hub.add(channels)
    try:
        yield None
        while True:
            try:
                item = await asyncio.wait_for(q.get(), timeout=heartbeat)
            except TimeoutError:
                yield None
                continue
            yield item
    finally:
        hub.remove(channels, q)


async def _subscribe_redis(channels: list[str], heartbeat: float) -> AsyncIterator[Item]:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(settings.REDIS_URL)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        names = {_redis_channel(c): c for c in channels}
        await pubsub.subscribe(*names)
        yield None
        last_beat = time.monotonic()
        while True:
            msg = await pubsub.get_message(timeout=heartbeat)
            if msg is None:
                if time.monotonic() - last_beat >= heartbeat:
                    last_beat = time.monotonic()
                    yield None
                continue
            channel = names.get(msg["channel"].decode(), "")
            yield (None, channel, msg["data"].decode())
    finally:
        try:
            await pubsub.aclose()
            await client.aclose()
        except Exception:
            pass


def subscribe_sync(
    channels: list[str], *, heartbeat: float = 15.0, last_id: int | None = None
) -> Iterator[Item]:
    """Blocking twin of subscribe() for threaded WSGI servers (each stream holds a thread)."""
    if use_redis():
        client = _redis_sync()
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        names = {_redis_channel(c): c for c in channels}
        pubsub.subscribe(*names)
        try:
            yield None
            last_beat = time.monotonic()
            while True:
                msg = pubsub.get_message(timeout=POLL_SECONDS)
                if msg is None:
                    if time.monotonic() - last_beat >= heartbeat:
                        last_beat = time.monotonic()
                        yield None
                    continue
                channel = names.get(msg["channel"].decode(), "")
                yield (None, channel, msg["data"].decode())
        finally:
            pubsub.close()
        return
    last = floor = _db_last_id() if last_id is None else last_id
    seen: set[int] = set()
    yield None
    last_beat = time.monotonic()
    while True:
        time.sleep(POLL_SECONDS)
        for event_id, channel, data in _db_since(last, channels):
            if event_id <= floor or event_id in seen:
                continue
            seen.add(event_id)
            last = max(last, event_id)
            yield (event_id, channel, data)
        if time.monotonic() - last_beat >= heartbeat:
            last_beat = time.monotonic()
            yield None


def sse_format(item: Item) -> str:
    """An SSE frame: a comment for heartbeats, else `event: <type>` + JSON data."""
    if item is None:
        return ": hb\n\n"
    event_id, _channel, data = item
    try:
        kind = json.loads(data).get("type", "message")
    except ValueError:
        kind = "message"
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {kind}\ndata: {data}\n\n"


# --------------------------------------------------------------------------- SSE responses

SSE_MAX_SECONDS_ASGI = 30 * 60
SSE_MAX_SECONDS_WSGI = 60


def ready_frame() -> str:
    """First frame once subscribed. It carries the server's clock so that a page can tell an
    event sent before this connection (a replay) from a live one, whatever its own clock."""
    from django.utils import timezone

    data = json.dumps({"now": round(timezone.now().timestamp(), 3)})
    return f"event: ready\ndata: {data}\n\n"


async def _astream(channels: list[str]) -> AsyncIterator[str]:
    yield "retry: 1000\n\n"
    started = time.monotonic()
    ready = False
    async for item in subscribe(channels):
        if item is None and not ready:
            ready = True
            yield ready_frame()
            continue
        yield sse_format(item)
        if time.monotonic() - started > SSE_MAX_SECONDS_ASGI:
            break


def _stream(channels: list[str]) -> Iterator[str]:
    from django.db import close_old_connections

    yield "retry: 1000\n\n"
    started = time.monotonic()
    ready = False
    try:
        for item in subscribe_sync(channels, heartbeat=2.0):
            if item is None and not ready:
                ready = True
                yield ready_frame()
                continue
            yield sse_format(item)
            if time.monotonic() - started > SSE_MAX_SECONDS_WSGI:
                break
    finally:
        try:
            close_old_connections()
        except Exception:  # the server is shutting down (or a test ended) under the stream
            pass


def event_stream(request: HttpRequest, channels: list[str]) -> StreamingHttpResponse:
    """The Server-Sent Events response of every live page (desk, inbox, wallboard, counter
    board): an `event: ready` frame once subscribed, then the channels' events. Under ASGI
    (`cskh serve`) the stream waits without a thread for up to 30 minutes; under threaded WSGI
    (tests, runserver) each stream holds a thread, so it ends after a minute and the browser
    reconnects (`retry: 1000`)."""
    content: Any = _astream(channels) if isinstance(request, ASGIRequest) else _stream(channels)
    response = StreamingHttpResponse(content, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"
    return response
