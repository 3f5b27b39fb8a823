"""Logging filters named in settings.LOGGING."""

import logging
import re


class NoTracebackForClientErrors(logging.Filter):
    """Keep the one-line "Forbidden: /path" of a 4xx answer, drop its traceback.

    Django logs a refused request (PermissionDenied → 403, 404s raised as Http404) on the
    `django.request` logger with the exception attached; a 403 is a normal answer to a user
    clicking where their role may not go, not a fault, and a traceback per click buries the
    real errors. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


# Vietnamese phone numbers as they appear in text: +84 / 84 / 0 then 9-10 digits, with
# optional spaces, dots or dashes between groups ("0901 234 567", "+84901234567").
_PHONE = re.compile(r"(?<![\w+])(?:\+?84|0)(?:[ .-]?\d){8,10}(?!\d)")


def mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if digits.startswith("84"):
        digits = "0" + digits[2:]
    return f"{digits[:4]}***{digits[-3:]}"


def mask_phones(text: str) -> str:
    """ "0901234567" → "0901***567" (also +84 forms and spaced groups)."""
    return _PHONE.sub(mask_phone, text)


class MaskPhoneNumbers(logging.Filter):
    """Phone numbers never reach a log line in plain text (Law 91/2025: personal data).

    Attached to the handlers in settings.LOGGING, so it sees every record whichever logger
    wrote it. The message is formatted once here (getMessage) and the arguments dropped, so a
    number passed as a %s argument is masked too; the exception text is masked as well."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave the record as logging would
            return True
        masked = mask_phones(message)
        if masked != message or record.args:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_phones(record.exc_text)
        return True
