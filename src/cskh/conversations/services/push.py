"""Live updates to open inbox tabs (core.live, sent after commit)."""

from __future__ import annotations

from cskh.conversations.models import Conversation, Message
from cskh.core import live

INBOX = "inbox"


def conversation_channel(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def publish(conv: Conversation, message: Message | None, kind: str = "conversation") -> None:
    payload = {
        "type": kind,
        "id": conv.pk,
        "channel": conv.channel,
        "message": message.pk if message else None,
    }
    live.publish(INBOX, payload)
    live.publish(conversation_channel(conv.pk), payload)
