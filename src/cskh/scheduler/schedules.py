"""Schedule kinds and the job record used by `cskh.scheduler.jobs`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Every:
    """A fixed interval: due times lie on the grid first_due + k·interval."""

    seconds: float

    def first(self, now: datetime) -> datetime:
        return now

    def next_after(self, due: datetime, now: datetime) -> datetime:
        """The first grid slot after `now` (missed slots are not replayed)."""
        step = timedelta(seconds=self.seconds)
        if due > now:
            return due
        return due + ((now - due) // step + 1) * step

    def __str__(self) -> str:
        return f"every {self.seconds:g} s"


@dataclass(frozen=True)
class DailyAt:
    """Once a day at hour:minute, local time (settings.TIME_ZONE)."""

    hour: int
    minute: int = 0

    def first(self, now: datetime) -> datetime:
        return self.next_after(now, now)

    def next_after(self, due: datetime, now: datetime) -> datetime:
        local = timezone.localtime(now)
        at = datetime.combine(local.date(), time(self.hour, self.minute), tzinfo=local.tzinfo)
        if at <= now:
            at = datetime.combine(
                local.date() + timedelta(days=1), time(self.hour, self.minute), tzinfo=local.tzinfo
            )
        return at

    def __str__(self) -> str:
        return f"daily at {self.hour:02d}:{self.minute:02d}"


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Every | DailyAt
    task: str  # dotted path of a Django Task
    doc: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
