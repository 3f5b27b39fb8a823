"""`cskh demo --profile electricity|telecom --customers N --seed S [--cases-per-customer 3]
[--if-empty]`: builds the deterministic demo data set and prints the demo logins."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cskh.customers.models import Customer
from cskh.demo import data


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu (khách hàng, mạng lưới, lịch sử yêu cầu) và in tài khoản demo."
    # `make run` calls `cskh migrate` (which runs the system checks) right before this command;
    # skipping them here keeps a second `make run` fast (the checks import every view module).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=["electricity", "telecom"], default="electricity")
        parser.add_argument("--customers", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--cases-per-customer", type=float, default=3.0)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Không làm gì (chỉ in tài khoản) nếu đã có khách hàng.",
        )
        parser.add_argument(
            "--now",
            default=None,
            help="Mốc thời gian 'hiện tại' (ISO 8601), để tái tạo đúng cùng một lịch sử.",
        )

    def handle(self, *args, **opts):
        if opts["customers"] < 0:
            raise CommandError("--customers phải >= 0")
        if Customer.objects.exists():
            if opts["if_empty"]:
                self.stdout.write("Dữ liệu đã có sẵn: bỏ qua tạo dữ liệu mẫu.")
                self._logins()
                return
            raise CommandError(
                "Cơ sở dữ liệu đã có khách hàng. Dùng --if-empty, hoặc một cơ sở dữ liệu trống."
            )
        from cskh.demo.builder import Builder

        now = datetime.fromisoformat(opts["now"]) if opts["now"] else None
        if now is not None and now.tzinfo is None:
            now = now.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        builder = Builder(
            profile=opts["profile"],
            customers=opts["customers"],
            seed=opts["seed"],
            cases_per_customer=opts["cases_per_customer"],
            now=now,
            log=lambda msg: self.stdout.write(msg),
        )
        builder.run()
        self.stdout.write("")
        self.stdout.write(
            f"Demo data ({opts['profile']}, seed {opts['seed']}, {connection.vendor}) "
            f"built in {builder.timings['total']:.1f} s:"
        )
        for table, rows in sorted(builder.counts.items()):
            self.stdout.write(f"  {table:<32} {rows:>12,}")
        self._logins()

    def _logins(self):
        from cskh.org.models import User

        picks = [
            ("admin", "admin"),
            ("agent", "tvv01"),
            ("shift_lead", "truongca"),
            ("manager", "quanly"),
            ("integration", "pbx"),
            ("counter_staff", "gdv01"),
        ]
        users = {u.username: u for u in User.objects.filter(username__in=[p[1] for p in picks])}
        if not users:
            return
        staff = list(
            User.objects.filter(role="unit_staff", username__regex=r"^(dl|cn)_")
            .select_related("unit")
            .order_by("username")[:3]
        )
        self.stdout.write("")
        # a literal path: reverse() would import every app's views (seconds) just to print this
        self.stdout.write("Demo logins (sign in at /accounts/login/):")
        self.stdout.write(f"  {'role':<22} {'username':<10} {'password':<12} unit")
        rows = [users[name] for _role, name in picks if name in users] + staff
        for u in rows:
            unit = u.unit.name if u.unit else ""
            self.stdout.write(
                f"  {str(u.get_role_display()):<22} {u.username:<10} {data.DEMO_PASSWORD:<12} {unit}"
            )
        n_agents = User.objects.filter(role="agent", username__startswith="tvv").count()
        if n_agents > 1:
            self.stdout.write(
                f"  (agents tvv01…tvv{n_agents:02d} and one staff login per field unit, "
                "all with the same password)"
            )
        self.stdout.write(
            "  API token for the telephony integration: cskh token create --user pbx --scope telephony"
        )
