"""Short signed survey links: /s/<id>.<signature> (django.core.signing, own salt).

The signature proves the id was issued by us; expiry and once-only are properties of the
survey row (expires_at, status), so a link dies when its survey is answered or expires."""

from __future__ import annotations

from django.core import signing
from django.utils.crypto import constant_time_compare

SALT = "cskh.cx.survey"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=".")


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def token_for(survey_id: int) -> str:
    signed = _signer().sign(_b36(survey_id))
    value, sig = signed.split(".", 1)
    return f"{value}.{sig[:16]}"  # 96 bits of HMAC: short enough for an SMS


def survey_id_from(token: str) -> int | None:
    """The survey id, or None when the token was not issued by us."""
    value, _sep, sig = (token or "").partition(".")
    if not value or len(sig) != 16 or len(value) > 12:
        return None
    expected = _signer().sign(value).split(".", 1)[1][:16]
    if not constant_time_compare(sig, expected):
        return None
    try:
        return int(value, 36)
    except ValueError:
        return None
