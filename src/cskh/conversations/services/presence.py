"""Who is looking: agents with the inbox open (web chat offline mode) and agents viewing one
conversation (collision notice). Kept in the shared cache with a short lifetime: it is
presence, not history."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

from cskh.conversations.models import Conversation
from cskh.conversations.services import push
from cskh.core import live

ONLINE_KEY = "conversations:inbox-online"
VIEW_KEY = "conversations:viewers:{}"
TTL = 60  # seconds without a heartbeat after which an agent is gone


def _fresh(entries: dict[str, Any], now: float) -> dict[str, Any]:
    return {k: v for k, v in entries.items() if now - float(v[1]) < TTL}


def agent_online(user: Any, now: float | None = None) -> None:
    now = now or time.time()
    entries = _fresh(cache.get(ONLINE_KEY) or {}, now)
    entries[str(user.pk)] = (user.display_name, now)
    cache.set(ONLINE_KEY, entries, TTL * 2)


def agents_online(now: float | None = None) -> int:
    return len(_fresh(cache.get(ONLINE_KEY) or {}, now or time.time()))


def viewing(conversation: Conversation, user: Any, now: float | None = None) -> list[str]:
    """Record that `user` has the conversation open; the names of the others who do. A new
    viewer is announced to the others' open pages."""
    now = now or time.time()
    key = VIEW_KEY.format(conversation.pk)
    entries = _fresh(cache.get(key) or {}, now)
    is_new = str(user.pk) not in entries
    entries[str(user.pk)] = (user.display_name, now)
    cache.set(key, entries, TTL * 2)
    agent_online(user, now)
    if is_new and len(entries) > 1:
        live.publish(
            push.conversation_channel(conversation.pk),
            {"type": "viewers", "id": conversation.pk},
        )
    return [name for uid, (name, _ts) in entries.items() if uid != str(user.pk)]
