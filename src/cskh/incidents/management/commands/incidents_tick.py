"""One incidents tick by hand: due planned-outage notices/reminders, pending cascades, due
notification batches. `cskh scheduler` runs the same step every minute (job `incidents_tick`)."""

from django.core.management.base import BaseCommand

from cskh.incidents.services import deliver_planned_notices


class Command(BaseCommand):
    help = (
        "Gửi thông báo lịch ngừng cấp điện đến hạn và xử lý sự cố đã khắc phục (một lần; "
        "`cskh scheduler` chạy việc này mỗi phút)."
    )

    def handle(self, *args, **opts) -> None:
        counts = deliver_planned_notices()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
