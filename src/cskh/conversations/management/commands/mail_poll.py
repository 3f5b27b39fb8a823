"""`cskh mail_poll`: fetch unread mail from every mailbox of settings.CSKH_MAILBOXES over IMAP
(IMAPClient), store each message as a conversation message, then flag it \\Seen. A message is
flagged only after it is stored; a crash in between fetches it again and the Message-ID makes
the second store a no-op."""

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from imapclient import IMAPClient

from cskh.conversations.services import mail

log = logging.getLogger("cskh.conversations.mail")


def poll_mailbox(box: dict[str, Any], *, batch: int = 200) -> dict[str, int]:
    counts = {"stored": 0, "duplicate": 0, "skipped": 0}
    with IMAPClient(
        box["host"], port=int(box.get("port", 993)), ssl=bool(box.get("ssl", True)), timeout=30
    ) as client:
        client.login(box["user"], box["password"])
        client.select_folder(box.get("folder", "INBOX"))
        uids = client.search(["UNSEEN"])[:batch]
        for uid, data in client.fetch(uids, ["RFC822"]).items():
            result = mail.receive_email(data[b"RFC822"])
            if isinstance(result, mail.Skipped):
                counts["skipped"] += 1
            else:
                counts["stored" if result.created else "duplicate"] += 1
            client.add_flags([uid], [b"\\Seen"])
    return counts


class Command(BaseCommand):
    help = "Đọc email mới từ các hộp thư IMAP (CSKH_MAILBOXES) vào hộp thư hội thoại."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=float, default=0, help="poll every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for box in settings.CSKH_MAILBOXES:
                try:
                    counts = poll_mailbox(box)
                except (OSError, IMAPClient.Error) as exc:
                    log.error("mailbox %s@%s: %s", box.get("user"), box.get("host"), exc)
                    continue
                self.stdout.write(f"{box.get('user')}: {counts}")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
