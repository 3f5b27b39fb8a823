import time

from django.core.management.base import BaseCommand

from cskh.sla.services import escalation_scan


class Command(BaseCommand):
    help = (
        "Quét leo thang SLA (cảnh báo 75%, quá hạn 100%, quản lý 150%). "
        "--every N: chạy định kỳ trong tiến trình này; --schedule N: giao cho `cskh worker` "
        "chạy định kỳ mỗi N giây (Django Task tự lên lịch lại)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="seconds between scans")
        parser.add_argument("--limit", type=int, default=1000)
        parser.add_argument(
            "--schedule", type=float, default=0, help="enqueue the periodic task (seconds)"
        )

    def handle(self, *args, every, limit, schedule, **opts):
        if schedule:
            from cskh.sla.tasks import schedule as enqueue

            queued = enqueue(schedule, delay=0)
            self.stdout.write("scheduled" if queued else "already scheduled")
            return
        while True:
            started = time.perf_counter()
            stats = escalation_scan(limit=limit)
            self.stdout.write(f"{stats} in {time.perf_counter() - started:.3f}s")
            if not every:
                return
            time.sleep(every)
