import time

from django.core.management.base import BaseCommand

from cskh.sla.services import escalation_scan


class Command(BaseCommand):
    help = "Quét leo thang SLA (cảnh báo 75%, quá hạn 100%…). --every N: chạy định kỳ."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="seconds between scans")
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, every, limit, **opts):
        while True:
            started = time.perf_counter()
            stats = escalation_scan(limit=limit)
            self.stdout.write(f"{stats} in {time.perf_counter() - started:.3f}s")
            if not every:
                return
            time.sleep(every)
