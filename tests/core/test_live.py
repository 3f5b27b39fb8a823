"""The database live-push hub (no Redis): a subscriber gets only what was published after it
subscribed, even when its process had no listener in between (#21: a reload replayed old
call pops)."""

import asyncio
import json
import os
import threading

import pytest

from cskh.core import live

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(bool(os.environ.get("REDIS_URL")), reason="database backend only"),
]


async def _first_items(channel: str, n_wait: float = 1.0) -> list[dict]:
    """Subscribe, drain what arrives within n_wait seconds, unsubscribe."""
    got: list[dict] = []
    gen = live.subscribe([channel], heartbeat=n_wait)
    assert await gen.__anext__() is None  # subscribed
    try:
        while True:
            item = await asyncio.wait_for(gen.__anext__(), timeout=n_wait + 1)
            if item is None:
                break
            got.append(json.loads(item[2]))
    finally:
        await gen.aclose()
    return got


def test_events_published_while_nobody_listened_are_not_replayed():
    from asgiref.sync import sync_to_async

    async def scenario():
        # a first listener makes the process's hub start polling, then goes away
        await _first_items("agent:1", n_wait=0.3)
        await sync_to_async(live.publish)("agent:1", {"n": "old"})
        await asyncio.sleep(0.3)
        gen = live.subscribe(["agent:1"], heartbeat=1.0)
        assert await gen.__anext__() is None
        await sync_to_async(live.publish)("agent:1", {"n": "new"})
        items = []
        try:
            while True:
                item = await asyncio.wait_for(gen.__anext__(), timeout=2)
                if item is None:
                    break
                items.append(json.loads(item[2])["n"])
        finally:
            await gen.aclose()
        return items

    assert run_in_own_thread(scenario) == ["new"]


def run_in_own_thread(make_coro):
    """asyncio.run in a fresh thread: the test process may already run an event loop in the
    main thread (Playwright's sync API, after a browser test)."""
    out: dict = {}

    def target():
        try:
            out["value"] = asyncio.run(make_coro())
        except BaseException as exc:  # re-raised in the test's thread
            out["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if "error" in out:
        raise out["error"]
    return out["value"]
