"""Logging filters named in settings.LOGGING."""

import logging


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
