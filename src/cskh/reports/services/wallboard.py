"""The wallboard's live push: one event on the `wallboard` channel, after commit."""

from __future__ import annotations

from cskh.core import live

CHANNEL = "wallboard"


def push() -> None:
    """Tell open wallboards that something they show changed (they fetch the tiles)."""
    live.publish(CHANNEL, {"type": "wallboard"})
