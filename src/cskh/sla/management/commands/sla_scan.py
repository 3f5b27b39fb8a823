import time

from django.core.management.base import BaseCommand

from cskh.sla.services import escalation_scan


class Command(BaseCommand):
    help = (
        "Một lần quét leo thang SLA (cảnh báo 75%, quá hạn 100%, quản lý 150%). "
        "Chạy định kỳ: `cskh scheduler` (bảng công việc định kỳ)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, limit, **opts):
        started = time.perf_counter()
        stats = escalation_scan(limit=limit)
        self.stdout.write(f"{stats} in {time.perf_counter() - started:.3f}s")
