"""Sign-in by a one-time code sent by SMS or Zalo through the notify outbox.

The visitor gets the same answer whether or not the number is on file (no enumeration): a
challenge row is written either way, but a code is sent only to a number on file. Sends are
limited per phone and per client address, checks per client address and per challenge."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import ratelimit
from cskh.core.errors import DomainError
from cskh.core.phones import to_e164
from cskh.customers import selectors as customer_selectors
from cskh.notify import services as notify
from cskh.portal.models import OtpChallenge

CHANNELS = ("sms", "zalo")


class WrongCode(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Mã không đúng hoặc đã hết hạn."), status=400, code="bad_code")


def _digest(token: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"portal-otp:{token}:{code}".encode(), hashlib.sha256).hexdigest()


def _phone_key(e164: str) -> str:
    # rate-limit keys name no phone number in the cache
    return hashlib.sha256(f"{settings.SECRET_KEY}:{e164}".encode()).hexdigest()[:24]


def request_code(*, phone: str, ip: str, channel: str = "sms") -> OtpChallenge:
    """Start a sign-in: returns the challenge (its token goes into the visitor's session).
    Raises DomainError for a malformed number, RateLimited past the send limits."""
    if channel not in CHANNELS:
        channel = "sms"
    e164 = to_e164(phone)
    window = settings.CSKH_PORTAL_SEND_WINDOW
    ratelimit.hit("portal_send_ip", ip, limit=settings.CSKH_PORTAL_SENDS_PER_IP, window=window)
    ratelimit.hit(
        "portal_send_phone",
        _phone_key(e164),
        limit=settings.CSKH_PORTAL_SENDS_PER_PHONE,
        window=window,
    )
    customers = customer_selectors.find_by_phone_for_intake(e164)
    customer = customers[0] if customers else None  # the oldest record with this number
    code = f"{secrets.randbelow(10**6):06d}"
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    minutes = settings.CSKH_PORTAL_OTP_MINUTES
    with transaction.atomic():
        challenge = OtpChallenge.objects.create(
            token=token,
            phone_e164=e164,
            customer_id=customer.pk if customer else None,
            channel=channel,
            code_hash=_digest(token, code),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        if customer is not None:
            notify.notify_address(
                channel=channel,
                to=e164,
                template="portal_otp",
                context={"code": code, "minutes": minutes},
                dedupe_key=f"portal-otp:{challenge.pk}",
            )
    return challenge


def verify_code(*, token: str, code: str, ip: str) -> int:
    """The signed-in customer's id, or WrongCode (a wrong, expired, used or exhausted code,
    or a number not on file: one answer). RateLimited past the checks per client address."""
    ratelimit.hit(
        "portal_verify_ip",
        ip,
        limit=settings.CSKH_PORTAL_VERIFY_PER_IP,
        window=settings.CSKH_PORTAL_SEND_WINDOW,
    )
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    now = timezone.now()
    with transaction.atomic():
        challenge = OtpChallenge.objects.select_for_update().filter(token=token or "-").first()
        if (
            challenge is None
            or challenge.used_at is not None
            or challenge.expires_at <= now
            or challenge.attempts >= settings.CSKH_PORTAL_OTP_ATTEMPTS
        ):
            raise WrongCode()
        challenge.attempts += 1
        ok = (
            len(code) == 6
            and hmac.compare_digest(challenge.code_hash, _digest(challenge.token, code))
            and challenge.customer_id is not None
        )
        if ok:
            challenge.used_at = now
        challenge.save(update_fields=["attempts", "used_at"])
    if not ok or challenge.customer_id is None:
        raise WrongCode()
    return int(challenge.customer_id)


def purge_expired(*, older_than_hours: int = 24) -> int:
    """Delete challenges past their expiry by more than a day (housekeeping)."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    deleted, _rows = OtpChallenge.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
