"""`cskh scheduler`: the one process type that runs periodic work (see cskh.scheduler.jobs)."""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from cskh.scheduler import services
from cskh.scheduler.jobs import JOBS
from cskh.scheduler.leader import Leadership

log = logging.getLogger("cskh.scheduler")


class Command(BaseCommand):
    help = (
        "Chạy các công việc định kỳ (quét SLA, thông báo/nhắc lịch ngừng cấp điện, xử lý sự cố, "
        "huấn luyện lại mô hình) bằng cách giao Django Task cho `cskh worker`. "
        "Chạy được trên nhiều máy cùng lúc: mỗi lần đến hạn chỉ một tiến trình chạy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one tick, then exit")
        parser.add_argument(
            "--list", action="store_true", dest="list_jobs", help="print the job table and exit"
        )
        parser.add_argument(
            "--tick",
            type=float,
            default=None,
            help="seconds between ticks (default: CSKH_SCHEDULER_TICK_SECONDS)",
        )

    def handle(self, *args, once: bool, list_jobs: bool, tick: float | None, **opts) -> None:
        if list_jobs:
            for job in JOBS:
                self.stdout.write(f"{job.name:24} {job.schedule!s:18} {job.task}")
            return
        if once:
            started = services.tick()
            self.stdout.write(" ".join(started) or "-")
            return
        interval = settings.CSKH_SCHEDULER_TICK_SECONDS if tick is None else tick
        stopping = threading.Event()

        def stop(signum, frame) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        runner = services.runner_name()
        leader = Leadership()
        try:
            self._loop(stopping, leader, runner, interval)
        finally:
            leader.release()

    def _loop(
        self, stopping: threading.Event, leader: Leadership, runner: str, interval: float
    ) -> None:
        """Tick while this process holds the leader lock; otherwise wait on standby."""
        role = ""
        while not stopping.is_set():
            close_old_connections()  # a long-lived process: drop connections gone stale
            now_role = "leader" if leader.acquire() else "standby"
            if now_role != role:  # said once per change: a standby scheduler waits quietly
                role = now_role
                self.stdout.write(
                    f"scheduler {runner}: leader, running the periodic jobs"
                    if role == "leader"
                    else f"scheduler {runner}: another scheduler is the leader; waiting (standby)"
                )
                self.stdout.flush()
            if role == "standby":
                stopping.wait(interval)
                continue
            try:
                started = services.tick(runner=runner)
            except Exception:  # database restart etc.: keep the process up, try again
                log.exception("scheduler tick failed")
                started = []
            if started:
                self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} {' '.join(started)}")
            stopping.wait(interval)
