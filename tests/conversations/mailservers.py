"""A private Dovecot IMAP server (Debian's dovecot-imapd) for the e-mail tests: its own config,
port and passwd-file in a temporary directory, started and stopped by the fixture."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
IN_CI = os.environ.get("CI") == "true"


@dataclass
class Imap:
    host: str
    port: int
    user: str
    password: str

    def mailbox(self) -> dict:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "ssl": False,
            "folder": "INBOX",
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIG = """\
base_dir = {d}/run
state_dir = {d}/state
instance_name = cskh-test-{port}
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def start_dovecot(tmp: Path, *, user: str, password: str) -> Iterator[Imap]:
    if not os.path.exists(DOVECOT):
        if IN_CI:
            pytest.fail("CI=true but dovecot-imapd is not installed")
        pytest.skip("dovecot not installed (apt-get install dovecot-imapd)")
    tmp.chmod(0o755)  # dovecot's auth process (its own user) reads the passwd-file
    for sub in ("run", "state", "mail"):
        (tmp / sub).mkdir()
    if os.geteuid() == 0:  # mail processes never run as root: the mailbox belongs to nobody
        uid, gid = 65534, 65534
        os.chown(tmp / "mail", uid, gid)
    else:
        uid, gid = os.getuid(), os.getgid()
    (tmp / "passwd").write_text(f"{user}:{{PLAIN}}{password}::::::\n")
    port = free_port()
    conf = tmp / "dovecot.conf"
    conf.write_text(CONFIG.format(d=tmp, port=port, uid=uid, gid=gid))
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log = (tmp / "dovecot.log").read_text() if (tmp / "dovecot.log").exists() else ""
                raise RuntimeError(f"dovecot did not start: {proc.stderr.read()!r} {log}") from None
            time.sleep(0.1)
    try:
        yield Imap("127.0.0.1", port, user, password)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


class RawSink:
    """aiosmtpd handler keeping every accepted message parsed (headers included)."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        from email import policy
        from email.parser import BytesParser

        raw = envelope.original_content or envelope.content
        self.messages.append(BytesParser(policy=policy.default).parsebytes(raw))
        return "250 OK"
