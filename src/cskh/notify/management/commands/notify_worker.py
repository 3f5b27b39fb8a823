import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from cskh.notify import worker


class Command(BaseCommand):
    help = "Gửi thông báo trong hàng đợi (outbox). Chạy được nhiều tiến trình / nhiều máy cùng lúc."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=100)
        parser.add_argument("--once", action="store_true", help="one batch, then exit")
        parser.add_argument("--idle-sleep", type=float, default=1.0)
        parser.add_argument(
            "--exit-when-idle", type=int, default=None, help="exit after N empty polls"
        )

    def handle(self, *args, batch, once, idle_sleep, exit_when_idle, **opts):
        if once:
            stats = worker.run_once(batch=batch)
            self.stdout.write(str(stats))
            return
        stopping = {"flag": False}

        def stop(signum, frame):
            stopping["flag"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        backends = ", ".join(
            f"{channel}={(conf or {}).get('BACKEND', 'log')}"
            for channel, conf in sorted(settings.CSKH_NOTIFY_BACKENDS.items())
        )
        self.stdout.write(
            f"cskh notify_worker {worker.worker_name()}: delivering the outbox "
            f"(batch {batch}; {backends}); Ctrl+C to stop"
        )
        self.stdout.flush()
        worker.run_loop(
            batch=batch,
            idle_sleep=idle_sleep,
            stop=lambda: stopping["flag"],
            max_idle_rounds=exit_when_idle,
        )
