"""Plain HTTP requests from the ASGI server to Django's WSGI handler, on a fixed thread pool.

a2wsgi, the general adapter, streams both ways: the request thread fetches the body from the
event loop, and hands the response start, each body chunk and the end back to it, each time
waiting for the loop (four thread hand-offs per request, plus a sender task and a queue). An API
request is small and its response is built whole, so here the loop reads the body first, the
thread runs Django and returns the finished response, and the loop sends it: one hand-off each
way. Measured on case intake: see bench/bench_foundation.py.

A chunked request body up to ``max_body`` is read whole too and given its length (WSGI reads
CONTENT_LENGTH bytes: through a2wsgi such a body read as empty); a longer one is refused with
411 (uploads send their length). Bodies with a length above ``max_body`` (uploads) keep a2wsgi's
streaming, on the same threads. Streaming responses (files, exports) are iterated by the request
thread and handed over chunk by chunk, as a2wsgi does, and stop when the client goes away.
"""

import asyncio
import contextvars
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from a2wsgi.wsgi import WSGIResponder, build_environ

#: How long the request thread waits for the loop to take one chunk of a streamed response
#: (a client that stops reading holds the send): then the response is abandoned.
SEND_TIMEOUT = 60.0

_LENGTH_REQUIRED = (
    "Nội dung lớn hơn 1 MiB cần có Content-Length. / "
    "Content-Length is required for request bodies above 1 MiB.\n"
).encode()


class ClientGone(Exception):
    """The client disconnected while a streamed response was being sent."""


def _headers(response_headers) -> list[tuple[bytes, bytes]]:
    return [
        (name.strip().encode("latin1").lower(), value.strip().encode("latin1"))
        for name, value in response_headers
    ]


def _status(status: str) -> int:
    return int(status.split(" ", 1)[0])


class _Response:
    """One request's WSGI response on its thread: buffered whole, or streamed to the loop."""

    def __init__(self, loop, send, receive) -> None:
        self.loop, self.send, self.receive = loop, send, receive
        self.status: str | None = None
        self.headers: list = []
        self.chunks: list[bytes] = []
        self.streaming = False
        self.head_sent = False
        self.gone = threading.Event()
        self.watcher: asyncio.Task | None = None

    def start_response(self, status, response_headers, exc_info=None):
        if exc_info is not None:
            try:
                if self.head_sent:  # too late to change the status: PEP 3333 says re-raise
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError("start_response() called twice without exc_info")
        self.status, self.headers = status, response_headers
        return self.write

    def write(self, chunk: bytes) -> None:  # WSGI's legacy write(), in order with the body
        if self.streaming:
            self._send_head()
            if chunk:
                self._hand({"type": "http.response.body", "body": chunk, "more_body": True})
        else:
            self.chunks.append(chunk)

    # -- streaming: from the request thread to the loop
    def stream(self, iterable) -> None:
        self.streaming = True
        self._hand_coroutine(self._watch())  # notices a client that goes away
        before, self.chunks = self.chunks, []
        for chunk in before:  # write() calls made before the body
            self.write(chunk)
        for chunk in iterable:
            self.write(chunk)
        self._send_head()
        self._hand({"type": "http.response.body", "body": b"", "more_body": False})

    def _send_head(self) -> None:
        if not self.head_sent:
            if self.status is None:
                raise RuntimeError("WSGI application did not call start_response()")
            self.head_sent = True
            start = {"type": "http.response.start", "status": _status(self.status)}
            self._hand({**start, "headers": _headers(self.headers)})

    def _hand(self, message) -> None:
        self._hand_coroutine(self.send(message))

    def _hand_coroutine(self, coroutine) -> None:
        if self.gone.is_set():
            coroutine.close()
            raise ClientGone
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            future.result(SEND_TIMEOUT)
        except FutureTimeout:
            future.cancel()
            raise ClientGone from None
        if self.gone.is_set():
            raise ClientGone

    async def _watch(self) -> None:
        async def wait():
            while (await self.receive())["type"] != "http.disconnect":
                pass
            self.gone.set()

        self.watcher = asyncio.ensure_future(wait())


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
            await WSGIResponder(self.app, self.executor, 10)(scope, receive, send)
            return
        chunks, size, more = [], 0, chunked or bool(declared)
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before sending its request
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if more and size > self.max_body:  # a long chunked upload
                await self._refuse(send, 411, _LENGTH_REQUIRED)
                return
        body = b"".join(chunks)
        environ = build_environ(scope, io.BytesIO(body))
        if chunked:  # WSGI reads CONTENT_LENGTH bytes: the body is whole now
            environ["CONTENT_LENGTH"] = str(len(body))
        response = _Response(asyncio.get_running_loop(), send, receive)
        call = contextvars.copy_context().run
        try:
            done = await response.loop.run_in_executor(
                self.executor, call, self._run, environ, response
            )
        except ClientGone:
            return
        finally:
            if response.watcher is not None:
                response.watcher.cancel()
        if done:  # the whole response, built on the thread
            start = {"type": "http.response.start", "status": _status(response.status)}
            await send({**start, "headers": _headers(response.headers)})
            body = b"".join(response.chunks)
            await send({"type": "http.response.body", "body": body, "more_body": False})

    @staticmethod
    async def _refuse(send, status: int, text: bytes) -> None:
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": text, "more_body": False})

    def _run(self, environ, response: _Response) -> bool:
        """On a pool thread: True when the response is whole in ``response`` for the loop to
        send; False once a streaming response has been sent from here."""
        iterable = self.app(environ, response.start_response)
        try:
            if getattr(iterable, "streaming", False):
                response.stream(iterable)
                return False
            for chunk in iterable:  # start_response may come with the first chunk
                response.chunks.append(chunk)
            if response.status is None:
                raise RuntimeError("WSGI application did not call start_response()")
            return True
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()  # Django's request_finished: database connections go back
