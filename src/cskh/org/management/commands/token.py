from django.core.management.base import BaseCommand, CommandError

from cskh.org.models import User
from cskh.org.services import create_api_token


class Command(BaseCommand):
    help = "Manage API tokens: `token create --user USERNAME` prints a new token."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("--user", required=True)
        parser.add_argument("--name", default="cli")
        parser.add_argument(
            "--scope",
            action="append",
            choices=["read", "write", "telephony"],
            help="repeatable; default read + write. The PBX: --scope telephony (call events only)",
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="print only the token (for TOKEN=$(cskh token create --user U --quiet))",
        )

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng: {opts['user']}")
        raw = create_api_token(user=user, name=opts["name"], scopes=opts["scope"])
        self.stdout.write(raw if opts["quiet"] else f"API token for {user.username}: {raw}")
