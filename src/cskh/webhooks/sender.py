"""The outbox's ``webhook`` channel (settings.CSKH_NOTIFY_BACKENDS["webhook"]).

The notify worker claims the row, calls ``send`` and, on a DeliveryError, retries it with its
exponential back-off (CSKH_NOTIFY_BACKOFF_*, CSKH_NOTIFY_MAX_ATTEMPTS) or gives up; a killed
worker's row is taken over after its lease. Every HTTP attempt is written to the delivery log
here. Success is a 2xx answer; any other answer, a timeout or a refused connection is retried.
A redirect is not followed (it counts as a failure: the subscription should name the final
URL)."""

from __future__ import annotations

import time

import httpx
from django.conf import settings
from django.utils import timezone

from cskh.core.errors import DomainError
from cskh.notify.channels import Backend, DeliveryError
from cskh.notify.worker import max_attempts
from cskh.webhooks import security, services
from cskh.webhooks.models import Delivery

USER_AGENT = "cskh-webhooks/1"


class WebhookBackend(Backend):
    client: httpx.Client | None = None

    def open(self) -> None:
        self.client = httpx.Client(
            timeout=float(settings.CSKH_WEBHOOKS_TIMEOUT), follow_redirects=False
        )

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def send(self, notification) -> str:
        delivery = (
            Delivery.objects.select_related("subscription").filter(uid=notification.to).first()
        )
        if delivery is None:
            raise DeliveryError("webhook delivery no longer exists", permanent=True)
        sub = delivery.subscription
        final = notification.attempts >= max_attempts()
        started = timezone.now()
        if not sub.is_active:
            services.record_attempt(
                delivery=delivery,
                number=notification.attempts,
                started_at=started,
                latency_ms=0,
                status_code=None,
                ok=False,
                error="subscription is disabled",
                final=True,
                counts=False,
            )
            raise DeliveryError("webhook subscription is disabled", permanent=True)
        try:
            target = security.pinned(sub.url)
        except DomainError as exc:
            services.record_attempt(
                delivery=delivery,
                number=notification.attempts,
                started_at=started,
                latency_ms=0,
                status_code=None,
                ok=False,
                error=f"target refused: {exc.message}",
                final=final,
            )
            raise DeliveryError(f"target refused: {exc.message}") from exc
        body = notification.body.encode()
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Host": target.host,
            "User-Agent": USER_AGENT,
            "X-Cskh-Event": delivery.event,
            "X-Cskh-Delivery": str(delivery.uid),
            "X-Cskh-Attempt": str(notification.attempts),
            "X-Cskh-Signature": security.signature_header(
                services.signing_keys(sub, started), stamp, body
            ),
        }
        client = self.client
        own = client is None
        if client is None:
            client = httpx.Client(
                timeout=float(settings.CSKH_WEBHOOKS_TIMEOUT), follow_redirects=False
            )
        limit = int(settings.CSKH_WEBHOOKS_RESPONSE_EXCERPT)
        status_code: int | None = None
        excerpt = ""
        error = ""
        t0 = time.perf_counter()
        try:
            with client.stream(
                "POST",
                target.url,
                content=body,
                headers=headers,
                # httpx's documented request extension: TLS name check against the host name
                extensions={"sni_hostname": target.server_name},
            ) as resp:
                status_code = resp.status_code
                raw = b""
                for chunk in resp.iter_bytes():  # never more than the excerpt is read
                    raw += chunk
                    if len(raw) >= limit:
                        break
                excerpt = raw[:limit].decode("utf-8", "replace")
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        finally:
            if own:
                client.close()
        latency = int((time.perf_counter() - t0) * 1000)
        ok = status_code is not None and 200 <= status_code < 300
        if not ok and not error:
            error = f"HTTP {status_code}"
        services.record_attempt(
            delivery=delivery,
            number=notification.attempts,
            started_at=started,
            latency_ms=latency,
            status_code=status_code,
            ok=ok,
            error=error,
            response_excerpt=excerpt,
            final=final,
        )
        if not ok:
            raise DeliveryError(error)
        return f"{delivery.uid}:{status_code}"
