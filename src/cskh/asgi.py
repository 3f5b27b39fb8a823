"""ASGI entry point of `cskh serve` (Granian): Django's ASGI handler for every request.

Threads. Django runs the synchronous part of a request (middleware, sync views, the ORM) on a
thread it creates for that request and drops when the response is finished. Two cases matter:

- Plain requests borrow one of ``CSKH_THREADS`` long-lived threads of this process instead (a
  pool of single-thread executors handed to asgiref's documented
  ``ThreadSensitiveContext(executor=...)``): no thread is started per request, and the process
  never needs more database connections than its pool holds (settings: CSKH_DB_POOL_SIZE).
  A request waits for a free thread, as it would for a database connection.
- The live desk stream (/desk/live, Server-Sent Events, open for hours) waits asynchronously,
  but the thread that ran its middleware would stay reserved until the stream ends: one idle
  thread per open tab. Streams therefore run their short synchronous part (session, user, a
  few milliseconds when the stream opens) on one thread shared by all streams of the process.

The middleware chain is synchronous as a whole (settings.MIDDLEWARE ends with a sync-only
middleware, so Django adapts once, at the top): one hand-off to the thread per request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cskh.settings")

from asgiref.sync import ThreadSensitiveContext  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from granian.utils.proxies import wrap_asgi_with_proxy_headers  # noqa: E402

#: Paths answered with long-lived streams.
STREAM_PATHS = ("/desk/live",)
THREADS = int(os.environ.get("CSKH_THREADS", "4"))

django_asgi = get_asgi_application()


class StreamThreadExecutor(Executor):
    """The executor of one stream's thread-sensitive context.

    asgiref wants one executor per context that runs one call at a time on one thread: each
    stream gets its own instance, and every instance hands its calls to the same single-thread
    pool, so all the streams of the process share that one thread."""

    _thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cskh-streams")

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._thread.submit(fn, *args, **kwargs)


class RequestThreads:
    """CSKH_THREADS single-thread executors, lent to one request at a time (per event loop)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: asyncio.Queue[ThreadPoolExecutor] | None = None

    async def run(self, scope, receive, send) -> None:
        if self.idle is None:  # created on the server's event loop, at the first request
            self.idle = asyncio.Queue()
            for n in range(self.size):
                self.idle.put_nowait(ThreadPoolExecutor(1, thread_name_prefix=f"cskh-req{n}"))
        executor = await self.idle.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await django_asgi(scope, receive, send)
        finally:
            self.idle.put_nowait(executor)


request_threads = RequestThreads(THREADS)


async def route(scope, receive, send) -> None:
    if scope["type"] == "http" and scope["path"].startswith(STREAM_PATHS):
        async with ThreadSensitiveContext(executor=StreamThreadExecutor()):
            await django_asgi(scope, receive, send)
    else:
        await request_threads.run(scope, receive, send)


async def _too_large(send, limit: int) -> None:
    body = json.dumps(
        {
            "detail": f"Request body too large (max {limit // (1024 * 1024)} MB).",
            "code": "too_large",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def limit_body(scope, receive, send) -> None:
    """413 for a request body over the limit (``core.middleware.body_limit``: 10 MB of JSON or
    form, ``CSKH_MAX_UPLOAD_BYTES`` of multipart) before Django reads it: Django's ASGI
    handler spools the whole body to disk before any middleware runs, and Granian has no
    body limit of its own. A declared Content-Length is refused at once; a chunked body is
    counted as it arrives and cut off at the limit."""
    if scope["type"] != "http":
        return await route(scope, receive, send)
    from cskh.core.middleware import body_limit

    headers = dict(scope.get("headers") or ())
    limit = body_limit(headers.get(b"content-type", b"").decode("latin-1"))
    try:
        declared = int(headers.get(b"content-length", b"0") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return await _too_large(send, limit)
    received = 0
    refused = False

    async def counted_receive():
        nonlocal received, refused
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit and not refused:
                refused = True
                await _too_large(send, limit)
                return {"type": "http.disconnect"}  # Django stops reading and answers nothing
        return message

    await route(scope, counted_receive, send)


# Client addresses (audit rows) from X-Forwarded-For when the peer is a trusted proxy.
application = wrap_asgi_with_proxy_headers(
    limit_body, trusted_hosts=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
)


def warm_up() -> None:
    """Load what the first request would otherwise wait for (URL patterns and the modules behind
    them, text models, SLA calendars, wards and the address index: about three seconds), through public APIs."""
    from django.db import connections
    from django.urls import get_resolver

    from cskh.geo.selectors import address_index, wards_by_code
    from cskh.sla.services import warm_up as sla_warm_up
    from cskh.textintel.services import warm_up as text_warm_up

    try:
        get_resolver().url_patterns  # noqa: B018 - imports every app's views and API
        for step in (text_warm_up, sla_warm_up, wards_by_code, address_index):
            step()
    except Exception:  # e.g. database not migrated yet: requests will report it
        logging.getLogger("cskh").exception("warm-up failed")
    finally:
        connections.close_all()


if os.environ.get("CSKH_WARM_UP", "1") == "1":
    # The server imports this module inside its event loop, where Django refuses database
    # work: warm up on a thread (nothing is served before the import returns).
    _warm = threading.Thread(target=warm_up, name="cskh-warm-up")
    _warm.start()
    _warm.join()
