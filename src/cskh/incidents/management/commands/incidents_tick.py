"""Scheduler step: due planned-outage notices/reminders and pending cascades.

Run it every minute (cron/systemd timer), or `cskh incidents_tick --loop 60`.
"""

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Gửi thông báo lịch ngừng cấp điện đến hạn và xử lý sự cố đã khắc phục."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, loop: int = 0, **opts):
        from cskh.incidents.services import deliver_planned_notices

        while True:
            counts = deliver_planned_notices()
            self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
            if not loop:
                return
            time.sleep(loop)
