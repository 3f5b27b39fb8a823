"""Vietnamese phone numbers, stored as E.164."""

import re

import phonenumbers
from django.utils.translation import gettext_lazy as _

from cskh.core.errors import DomainError

_STRIP = re.compile(r"[\s.\-()/]")


def to_e164(raw: str, *, region: str = "VN") -> str:
    """0901234567, +84 901 234 567, 84.901.234.567 → +84901234567; raises DomainError."""
    text = _STRIP.sub("", str(raw or ""))
    if not text or len(text) > 20:
        raise DomainError(_("Số điện thoại không hợp lệ: %(v)s") % {"v": raw}, code="bad_phone")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("84") and len(text) >= 11 and not text.startswith("+"):
        text = "+" + text
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise DomainError(
            _("Số điện thoại không hợp lệ: %(v)s") % {"v": raw}, code="bad_phone"
        ) from exc
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        raise DomainError(_("Số điện thoại không hợp lệ: %(v)s") % {"v": raw}, code="bad_phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_e164(raw: str) -> str | None:
    try:
        return to_e164(raw)
    except DomainError:
        return None


def display(e164: str) -> str:
    """+84901234567 → 0901 234 567 (how agents read numbers out)."""
    try:
        parsed = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
