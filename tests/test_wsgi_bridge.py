"""cskh.wsgi_bridge against small WSGI applications, driven as the ASGI server drives it (the
whole server over real HTTP: tests/cli/test_serve_and_commands.py)."""

import asyncio
import threading

import pytest

from cskh.wsgi_bridge import WSGIBridge


def _scope(method="POST", headers=()):
    return {
        "type": "http",
        "method": method,
        "path": "/x",
        "query_string": b"",
        "http_version": "1.1",
        "headers": list(headers),
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 5000),
    }


def _drive(app, scope, bodies=(b"",), *, disconnect_after: int | None = None, max_body=1 << 20):
    """Run one request; returns (status, headers, body, messages sent)."""
    sent: list[dict] = []

    async def main():
        incoming = [
            {"type": "http.request", "body": b, "more_body": i < len(bodies) - 1}
            for i, b in enumerate(bodies)
        ]
        gone = asyncio.Event()

        async def receive():
            if incoming:
                return incoming.pop(0)
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            if disconnect_after is not None and len(sent) >= disconnect_after:
                gone.set()
            await asyncio.sleep(0)

        bridge = WSGIBridge(app, workers=2, max_body=max_body)
        await asyncio.wait_for(bridge(scope, receive, send), 10)

    # a thread of its own: browser tests in the same process may hold a running loop here
    errors: list[BaseException] = []

    def run():
        try:
            asyncio.run(main())
        except BaseException as exc:  # re-raised in the test
            errors.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(30)
    if errors:
        raise errors[0]
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body, sent


def _echo(environ, start_response):
    data = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"got:", data]


def test_small_body_is_read_whole_and_the_response_sent_in_two_messages():
    headers = [(b"content-length", b"11")]
    status, head, body, sent = _drive(_echo, _scope(headers=headers), [b"xin ", b"ch\xc3\xa0o!"])
    assert status == 200 and head[b"content-type"] == b"text/plain"
    assert body == "got:xin chào!".encode()
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]


def test_chunked_body_gets_its_length():
    headers = [(b"transfer-encoding", b"chunked")]
    status, _h, body, _s = _drive(_echo, _scope(headers=headers), [b"ab", b"cd", b""])
    assert status == 200 and body == b"got:abcd"


def test_long_chunked_body_is_refused_with_411():
    headers = [(b"transfer-encoding", b"chunked")]
    status, _h, body, _s = _drive(
        _echo, _scope(headers=headers), [b"x" * 600, b"y" * 600, b""], max_body=1000
    )
    assert status == 411 and b"Content-Length" in body


def test_long_body_with_a_length_streams_in():
    headers = [(b"content-length", b"1200")]
    status, _h, body, _s = _drive(
        _echo, _scope(headers=headers), [b"x" * 600, b"y" * 600], max_body=1000
    )
    assert status == 200 and body == b"got:" + b"x" * 600 + b"y" * 600


def test_lazy_start_response_and_write_keep_their_order():
    def app(environ, start_response):
        write = start_response("201 Created", [("X-A", "1")])
        write(b"1")

        def body():
            write(b"2")  # legacy write() while the body is being iterated
            yield b"3"

        return body()

    def lazy(environ, start_response):
        def body():  # start_response only when the body is iterated
            start_response("202 Accepted", [])
            yield b"ok"

        return body()

    assert _drive(app, _scope("GET"))[::2] == (201, b"123")
    assert _drive(lazy, _scope("GET"))[::2] == (202, b"ok")


class _Streaming:
    """A streaming response as Django's: iterated and closed on the request thread."""

    streaming = True

    def __init__(self, n: int):
        self.n, self.made, self.closed_on = n, 0, None

    def __iter__(self):
        for i in range(self.n):
            self.made += 1
            yield b"%d," % i

    def close(self):
        self.closed_on = threading.current_thread().name


def test_streaming_response_goes_out_chunk_by_chunk_and_is_closed_on_its_thread():
    stream = _Streaming(5)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/csv")])
        return stream

    status, _h, body, sent = _drive(app, _scope("GET"))
    assert status == 200 and body == b"0,1,2,3,4,"
    assert sum(m["type"] == "http.response.body" for m in sent) == 6  # 5 chunks + the end
    assert stream.closed_on.startswith("WSGI")


def test_streaming_stops_when_the_client_goes_away():
    stream = _Streaming(100_000)

    def app(environ, start_response):
        start_response("200 OK", [])
        return stream

    status, _h, body, sent = _drive(app, _scope("GET"), disconnect_after=3)
    assert status == 200 and body.startswith(b"0,1,")
    ends = [m for m in sent if m["type"] == "http.response.body" and not m["more_body"]]
    assert ends == []  # abandoned: no end-of-body message
    assert stream.made < 1000 and stream.closed_on is not None


def test_second_start_response_without_exc_info_is_an_error():
    def app(environ, start_response):
        start_response("200 OK", [])
        start_response("500 Internal Server Error", [])
        return [b""]

    with pytest.raises(AssertionError, match="twice"):
        _drive(app, _scope("GET"))
