"""Gateway adapters of conversation replies, behind notify's backend interface.

Chosen per outbox channel in settings.CSKH_NOTIFY_BACKENDS ("log" everywhere in
development: the outbox row is the record). Errors follow notify's rules: 408/429/5xx and
network errors are retried with back-off, other 4xx are permanent.
"""

from __future__ import annotations

import smtplib
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formatdate
from typing import Any

import httpx
from django.conf import settings

from cskh.conversations import selectors
from cskh.notify.channels import Backend, DeliveryError, SmtpBackend


class _HttpBackend(Backend):
    client: httpx.Client | None = None

    def open(self) -> None:
        self.client = httpx.Client(timeout=float(self.options.get("TIMEOUT", 10)))

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def _post(self, url: str, payload: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        client = self.client or httpx.Client(timeout=10)
        try:
            resp = client.post(url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"gateway unreachable: {exc}") from exc
        finally:
            if self.client is None:
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
        return data if isinstance(data, dict) else {}


class ZaloOABackend(_HttpBackend):
    """Zalo OA consultation message: POST {URL} (v3 ``/oa/message/cs``) with header
    ``access_token`` and {"recipient": {"user_id"}, "message": {"text"}}. Zalo answers HTTP
    200 with {"error": 0, "data": {"message_id"}}; a non-zero error is a failure (-32: rate
    limit, retried; others, e.g. outside the consultation window, permanent)."""

    def send(self, notification: Any) -> str:
        url = self.options.get("URL")
        if not url:
            raise DeliveryError("Zalo OA URL is not configured", permanent=True)
        data = self._post(
            url,
            {"recipient": {"user_id": notification.to}, "message": {"text": notification.body}},
            {
                "access_token": self.options.get("TOKEN", ""),
                "X-Request-Id": notification.dedupe_key,
            },
        )
        error = int(data.get("error", 0) or 0)
        if error:
            raise DeliveryError(
                f"Zalo error {error}: {data.get('message', '')}"[:300], permanent=error != -32
            )
        inner = data.get("data") if isinstance(data.get("data"), dict) else {}
        return str((inner or {}).get("message_id", ""))


class FacebookBackend(_HttpBackend):
    """Graph API: Messenger reply ``POST {URL}/me/messages`` (recipient id, or comment_id for a
    private reply to a comment) or a public answer ``POST {URL}/{comment_id}/comments``."""

    def send(self, notification: Any) -> str:
        base = str(self.options.get("URL", "")).rstrip("/")
        if not base:
            raise DeliveryError("Graph API URL is not configured", permanent=True)
        headers = {"Authorization": f"Bearer {self.options.get('TOKEN', '')}"}
        to = str(notification.to)
        if to.startswith("comment:"):
            data = self._post(
                f"{base}/{to.split(':', 1)[1]}/comments", {"message": notification.body}, headers
            )
            return str(data.get("id", ""))
        recipient = {"comment_id": to.split(":", 1)[1]} if to.startswith("private:") else {"id": to}
        data = self._post(
            f"{base}/me/messages",
            {
                "recipient": recipient,
                "messaging_type": "RESPONSE",
                "message": {"text": notification.body},
            },
            headers,
        )
        return str(data.get("message_id", ""))


class WebChatBackend(Backend):
    """Web chat: the visitor's widget reads the reply from the database; delivering is only
    marking the row sent."""

    def send(self, notification: Any) -> str:
        return f"webchat-{notification.pk}"


class EmailReplyBackend(SmtpBackend):
    """SMTP with threading headers: a reply in an e-mail conversation carries In-Reply-To and
    References of the thread, so the customer's mail client shows one thread. Other e-mail
    (templated notifications) is sent as notify's SmtpBackend sends it."""

    def send(self, notification: Any) -> str:
        thread = selectors.email_thread_for_notification(notification.pk)
        if thread is None:
            return super().send(notification)
        msg = MIMEText(notification.body, "plain", "utf-8")
        msg["From"] = settings.CSKH_SUPPORT_EMAIL
        msg["To"] = notification.to
        msg["Subject"] = Header(notification.subject or "cskh", "utf-8")  # type: ignore[assignment]
        msg["Message-ID"] = notification.message_id
        msg["Date"] = formatdate(localtime=True)
        msg["Auto-Submitted"] = "no"
        if thread["in_reply_to"]:
            msg["In-Reply-To"] = thread["in_reply_to"]
        if thread["references"]:
            msg["References"] = " ".join(thread["references"])
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.open()
                assert self.conn is not None
                self.conn.send_message(msg)
                return notification.message_id
            except smtplib.SMTPRecipientsRefused as exc:
                raise DeliveryError(f"recipient refused: {exc}", permanent=True) from exc
            except smtplib.SMTPResponseException as exc:
                raise DeliveryError(
                    f"SMTP {exc.smtp_code}", permanent=500 <= exc.smtp_code < 600
                ) from exc
            except (smtplib.SMTPServerDisconnected, ConnectionError, OSError) as exc:
                self.conn = None
                if attempt:
                    raise DeliveryError(f"SMTP connection: {exc}") from exc
        raise DeliveryError("SMTP: unreachable")  # pragma: no cover
