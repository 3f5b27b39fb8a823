"""`cskh mail_in`: one RFC 822 message on stdin (a mail server's pipe/alias delivery)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand

from cskh.conversations.services import mail


class Command(BaseCommand):
    help = "Nhận một email (RFC 822) từ stdin vào hộp thư hội thoại."

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            self.stderr.write("empty message")
            raise SystemExit(65)  # EX_DATAERR: the MTA bounces it
        result = mail.receive_email(raw)
        if isinstance(result, mail.Skipped):
            self.stdout.write(f"skipped: {result.reason}")
        else:
            state = "stored" if result.created else "duplicate"
            self.stdout.write(f"{state}: conversation {result.message.conversation_id}")
