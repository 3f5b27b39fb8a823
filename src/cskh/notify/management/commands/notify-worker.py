"""`cskh notify-worker` (alias of notify_worker)."""

from cskh.notify.management.commands.notify_worker import Command  # noqa: F401
