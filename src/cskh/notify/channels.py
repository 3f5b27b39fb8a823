"""Delivery channels behind one small provider interface.

A backend has `send(notification) -> provider_message_id` and raises `DeliveryError` (with
`permanent=True` when retrying cannot help). `open()`/`close()` let a worker reuse a connection
(SMTP) across a batch. Backends are chosen per channel in settings.CSKH_NOTIFY_BACKENDS:
"log" (development: the outbox row itself is the record, plus a log line), "http" (SMS / Zalo ZNS
gateway posting JSON with a bearer token) or "smtp" (email through settings.CSKH_SMTP, i.e. env EMAIL_HOST/EMAIL_PORT).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formatdate

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("cskh.notify")


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Backend:
    channel: str = ""

    def __init__(self, channel: str, **options):
        self.channel = channel
        self.options = options

    def open(self) -> None:  # noqa: B027 - optional hook
        pass

    def close(self) -> None:  # noqa: B027 - optional hook
        pass

    def send(self, notification) -> str:
        raise NotImplementedError


class LogBackend(Backend):
    """Development backend: nothing leaves the machine; the outbox row is the record."""

    def send(self, notification) -> str:
        log.info("[%s] → %s: %s", notification.channel, notification.to, notification.body[:200])
        return f"log-{notification.pk}"


class HttpGatewayBackend(Backend):
    """POST JSON to an SMS or Zalo ZNS gateway.

    Request: {"channel", "to", "text", "subject", "template", "request_id"}; a Zalo message adds
    what ZNS requires — "phone" (84…, no "+"), "template_id" (Template.zns_template_id),
    "template_data" (the template's variables as strings) and "tracking_id" — with
    `Authorization: Bearer <TOKEN>` and `Idempotency-Key: <dedupe key>` so a gateway that
    honours idempotency keys drops a resend after a worker crash. 2xx → sent (the JSON field
    "message_id" or "id" is kept); 408/429/5xx/network errors → retry; other 4xx → permanent.
    """

    client: httpx.Client | None = None

    def open(self) -> None:
        self.client = httpx.Client(timeout=float(self.options.get("TIMEOUT", 10)))

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
            self.client = None

    def send(self, notification) -> str:
        url = self.options.get("URL")
        if not url:
            raise DeliveryError("gateway URL is not configured", permanent=True)
        client = getattr(self, "client", None) or httpx.Client(timeout=10)
        payload = {
            "channel": notification.channel,
            "to": notification.to,
            "text": notification.body,
            "subject": notification.subject,
            "template": notification.template,
            "request_id": notification.dedupe_key,
        }
        if notification.channel == "zalo":
            payload |= {
                "phone": notification.to.lstrip("+"),
                "template_id": notification.zns_template_id,
                "template_data": notification.template_data,
                "tracking_id": notification.dedupe_key[:48],
            }
        headers = {"Idempotency-Key": notification.dedupe_key}
        if token := self.options.get("TOKEN"):
            headers["Authorization"] = f"Bearer {token}"
        try:
            resp = client.post(url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"gateway unreachable: {exc}") from exc
        finally:
            if getattr(self, "client", None) is None:
                client.close()
        if resp.status_code >= 300:
            permanent = 400 <= resp.status_code < 500 and resp.status_code not in (408, 429)
            raise DeliveryError(
                f"gateway HTTP {resp.status_code}: {resp.text[:200]}", permanent=permanent
            )
        try:
            data = resp.json()
        except ValueError:
            data = {}
        return str(data.get("message_id") or data.get("id") or "")


class SmtpBackend(Backend):
    """Email through a real SMTP server. The Message-ID is derived from the dedupe key."""

    conn: smtplib.SMTP | None = None

    def _opt(self, name: str, default=None):
        if name in self.options:
            return self.options[name]
        return settings.CSKH_SMTP.get(name, default)

    def open(self) -> None:
        host = self._opt("HOST", "localhost")
        port = int(self._opt("PORT", 25))
        timeout = float(self._opt("TIMEOUT", 30))
        if self._opt("USE_SSL", False):
            self.conn = smtplib.SMTP_SSL(host, port, timeout=timeout)
        else:
            self.conn = smtplib.SMTP(host, port, timeout=timeout)
            if self._opt("USE_TLS", False):
                self.conn.starttls(context=ssl.create_default_context())
        if user := self._opt("USER", ""):
            self.conn.login(user, self._opt("PASSWORD", ""))

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.conn = None

    def send(self, notification) -> str:
        # compat32 MIMEText: same wire format as EmailMessage, a fraction of the CPU per message
        msg = MIMEText(notification.body, "plain", "utf-8")
        msg["From"] = settings.DEFAULT_FROM_EMAIL
        msg["To"] = notification.to
        # compat32 takes a Header (RFC 2047 encoded when flattened); typeshed types MIMEText
        # headers as plain str only.
        msg["Subject"] = Header(notification.subject or "cskh", "utf-8")  # type: ignore[assignment]
        msg["Message-ID"] = notification.message_id
        msg["Date"] = formatdate(localtime=True)
        msg["X-Cskh-Dedupe-Key"] = notification.dedupe_key
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.open()
                assert self.conn is not None, "open() connects or raises"
                self.conn.send_message(msg)
                return notification.message_id
            except smtplib.SMTPRecipientsRefused as exc:
                raise DeliveryError(f"recipient refused: {exc}", permanent=True) from exc
            except smtplib.SMTPResponseException as exc:
                if 500 <= exc.smtp_code < 600:
                    raise DeliveryError(f"SMTP {exc.smtp_code}", permanent=True) from exc
                raise DeliveryError(f"SMTP {exc.smtp_code}") from exc
            except (smtplib.SMTPServerDisconnected, ConnectionError, OSError) as exc:
                self.conn = None  # reconnect once, then give up for this round
                if attempt:
                    raise DeliveryError(f"SMTP connection: {exc}") from exc
        raise DeliveryError("SMTP: unreachable")  # pragma: no cover


ALIASES = {
    "log": "cskh.notify.channels.LogBackend",
    "http": "cskh.notify.channels.HttpGatewayBackend",
    "smtp": "cskh.notify.channels.SmtpBackend",
}


def get_backend(channel: str) -> Backend:
    conf = dict(settings.CSKH_NOTIFY_BACKENDS.get(channel) or {"BACKEND": "log"})
    path = conf.pop("BACKEND", "log")
    cls = import_string(ALIASES.get(path, path))
    return cls(channel, **conf)
