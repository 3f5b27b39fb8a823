"""Plain HTTP requests from the ASGI server to Django's WSGI handler, on a fixed thread pool.

a2wsgi, the general adapter, streams both ways: the request thread fetches the body from the
event loop, and hands the response start, each body chunk and the end back to it, each time
waiting for the loop (four thread hand-offs per request, plus a sender task and a queue). An API
request is small and its response is built whole, so here the loop reads the body first, the
thread runs Django and returns the finished response, and the loop sends it: one hand-off each
way. Measured on case intake: see bench/bench_foundation.py.

A chunked request body is read whole too and given its length (WSGI reads CONTENT_LENGTH
bytes: through a2wsgi such a body read as empty). Bodies above ``max_body`` (uploads) keep
a2wsgi's streaming, on the same threads; streaming responses (files, exports) are iterated by
the request thread and handed over chunk by chunk, as a2wsgi does.
"""

import asyncio
import contextvars
import io
import itertools
from concurrent.futures import ThreadPoolExecutor

from a2wsgi.wsgi import WSGIResponder, build_environ

_END = {"type": "http.response.body", "body": b"", "more_body": False}


def _headers(response_headers) -> list[tuple[bytes, bytes]]:
    return [
        (name.strip().encode("latin1").lower(), value.strip().encode("latin1"))
        for name, value in response_headers
    ]


def _status(status: str) -> int:
    return int(status.split(" ", 1)[0])


class WSGIBridge:
    def __init__(self, app, workers: int, max_body: int = 1 << 20) -> None:
        self.app = app
        self.max_body = max_body
        self.executor = ThreadPoolExecutor(thread_name_prefix="WSGI", max_workers=workers)

    async def __call__(self, scope, receive, send) -> None:
        declared, chunked = None, False
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                declared = int(value) if value.isdigit() else -1
            elif name == b"transfer-encoding":
                chunked = True
        if declared is not None and not 0 <= declared <= self.max_body:
            await self._streamed(scope, receive, send, b"")
            return
        chunks, size, more = [], 0, chunked or bool(declared)
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before sending its request
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if more and size > self.max_body:  # a long chunked upload: stream the rest
                await self._streamed(scope, receive, send, b"".join(chunks))
                return
        body = b"".join(chunks)
        environ = build_environ(scope, io.BytesIO(body))
        if chunked:  # WSGI reads CONTENT_LENGTH bytes: the body is whole now
            environ["CONTENT_LENGTH"] = str(len(body))
        loop = asyncio.get_running_loop()
        call = contextvars.copy_context().run
        done = await loop.run_in_executor(self.executor, call, self._run, environ, loop, send)
        if done is not None:  # the whole response, built on the thread
            status, headers, body = done
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _streamed(self, scope, receive, send, prefix: bytes) -> None:
        """a2wsgi's streaming adapter on the same threads (``prefix``: body already read)."""
        pending = [prefix] if prefix else []

        async def replay():  # the part already read first, then the rest
            if pending:
                return {"type": "http.request", "body": pending.pop(), "more_body": True}
            return await receive()

        await WSGIResponder(self.app, self.executor, 10)(scope, replay, send)

    def _run(self, environ, loop, send):
        """On a pool thread: the response as (status, headers, body), or None once a
        streaming response has been sent from here."""
        started: list = []
        written: list[bytes] = []

        def start_response(status, response_headers, exc_info=None):
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, response_headers]
            return written.append  # WSGI's legacy write(): kept in order, before the body

        iterable = self.app(environ, start_response)
        try:
            if not getattr(iterable, "streaming", False):
                body = b"".join([*written, *iterable])
                return _status(started[0]), _headers(started[1]), body

            # Streaming (files, exports): chunks go out as they come, from this thread.
            def hand(message) -> None:
                asyncio.run_coroutine_threadsafe(send(message), loop).result()

            head = {"type": "http.response.start", "status": _status(started[0])}
            hand({**head, "headers": _headers(started[1])})
            for chunk in itertools.chain(written, iterable):
                if chunk:
                    hand({"type": "http.response.body", "body": chunk, "more_body": True})
            hand(_END)
            return None
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()  # Django's request_finished: database connections go back
