from django.core.management.base import BaseCommand

from cskh.search import services


class Command(BaseCommand):
    help = "Xây lại chỉ mục tìm kiếm (khách hàng, yêu cầu, bài viết tri thức)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=services.KINDS, help="Chỉ một loại.")
        parser.add_argument("--batch", type=int, default=200_000, help="Số dòng mỗi lô.")

    def handle(self, *args, kind=None, batch=200_000, **opts):
        stats = services.rebuild(kind=kind, batch=batch, log_fn=self.stdout.write)
        for k, n in stats["rows"].items():
            self.stdout.write(f"{k}: {n:,} ({stats['seconds'].get(k, 0)} s)")
        self.stdout.write(f"total: {stats['seconds']['total']} s")
        for name, size in stats.get("index_bytes", {}).items():
            self.stdout.write(f"{name}: {size / 1e6:,.1f} MB")
