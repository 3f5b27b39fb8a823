"""cskh.server: Nagle's algorithm off on every accepted connection, whatever the listening
socket's protocol number (uvicorn binds `socket.socket(AF_INET)` with several workers)."""

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

from cskh.server import set_nodelay


def test_accepted_connections_get_tcp_nodelay():
    async def main() -> tuple[int, int]:
        listener = socket.socket(socket.AF_INET)  # proto 0: asyncio leaves Nagle on
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        seen: dict[str, int] = {}
        done = asyncio.Event()

        class Probe(asyncio.Protocol):
            def __init__(self, fix: bool):
                self.fix = fix

            def connection_made(self, transport):
                if self.fix:
                    set_nodelay(transport)
                sock = transport.get_extra_info("socket")
                seen["fixed" if self.fix else "plain"] = sock.getsockopt(
                    socket.IPPROTO_TCP, socket.TCP_NODELAY
                )
                transport.close()
                if len(seen) == 2:
                    done.set()

        loop = asyncio.get_running_loop()
        results = []
        for fix in (False, True):
            sock = listener.dup()
            server = await loop.create_server(lambda fix=fix: Probe(fix), sock=sock)
            port = sock.getsockname()[1]
            _r, w = await asyncio.open_connection("127.0.0.1", port)
            await asyncio.sleep(0.05)
            w.close()
            server.close()
            results.append(port)
        await asyncio.wait_for(done.wait(), 5)
        listener.close()
        return seen["plain"], seen["fixed"]

    # a thread of its own: another test in this process may have left an event loop running
    with ThreadPoolExecutor(1) as pool:
        plain, fixed = pool.submit(asyncio.run, main()).result(timeout=30)
    assert plain == 0  # the bug this module works around is real on this platform
    assert fixed != 0
