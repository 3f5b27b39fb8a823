from django.core.management.base import BaseCommand

from cskh.sla.services import backfill_clocks, backfill_closed_clocks


class Command(BaseCommand):
    help = (
        "Tạo đồng hồ SLA còn thiếu cho yêu cầu đang mở (dữ liệu nhập/demo). "
        "Mặc định không leo thang hồi tố các ngưỡng đã qua (--fire-past để leo thang)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fire-past", action="store_true")
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument(
            "--closed",
            action="store_true",
            help="also stopped clocks for imported closed cases (the SLA report's history)",
        )

    def handle(self, *args, fire_past, batch, closed, **opts):
        self.stdout.write(str(backfill_clocks(fire_past=fire_past, batch=batch)))
        if closed:
            self.stdout.write(str(backfill_closed_clocks(batch=batch)))
