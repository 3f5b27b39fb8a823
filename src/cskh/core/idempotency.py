"""``Idempotency-Key`` for the API's POST operations (a client retrying after a lost answer gets
the first answer again, not a second case).

How it works (``IdempotencyMiddleware``): a POST under ``/api/`` that carries the header runs
inside one transaction that first INSERTs an ``IdempotencyKey`` row (scope = digest of the
caller's credentials, the key, a digest of method + path + query + body). The unique
constraint decides races: a concurrent request with the same key waits on that INSERT until
the first commits, then finds the stored answer and returns it; if the first failed (any
answer that is not 2xx rolls the whole request back, key row included) the second runs as if
it were the first. Answers kept: 2xx only, for ``IDEMPOTENCY_TTL`` (24 h). The same key with
another request → 422 ``idempotency_key_reused``. Replays carry ``Idempotent-Replayed: true``.

Provider webhooks (``/api/v1/channels/``) have their own de-duplication and are left alone.
Outside the API only the pages in ``FORM_PATHS`` take part: HTMX forms that answer 200 with a
partial on success and on a refused input alike (a page that redirects after success would
have its redirect taken for a failure and rolled back). Their key comes with each rendering
of the form, so a corrected second attempt carries a new one."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
SKIP_PREFIXES = ("/api/v1/channels/",)
FORM_PATHS = ("/desk/log",)  # the desk's one-screen case logging


def _scope(request: HttpRequest) -> str | None:
    credentials = request.headers.get("Authorization", "")
    if not credentials:
        session = getattr(request, "session", None)
        key = session.session_key if session is not None else None
        if not key:
            return None
        credentials = f"session:{key}"
    return hashlib.sha256(credentials.encode()).hexdigest()


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "code": code}, status=status)


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if (
            key is None
            or request.method != "POST"
            or not (request.path_info.startswith("/api/") or request.path_info in FORM_PATHS)
            or request.path_info.startswith(SKIP_PREFIXES)
        ):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return _error(
                400,
                "bad_idempotency_key",
                _("Idempotency-Key phải có từ 1 đến %(n)s ký tự.") % {"n": MAX_KEY_LENGTH},
            )
        scope = _scope(request)
        if scope is None:  # not signed in: the API answers 401, nothing to remember
            return self.get_response(request)
        return self._once(request, scope, key, _request_hash(request))

    def _once(self, request: HttpRequest, scope: str, key: str, digest: str) -> HttpResponseBase:
        with transaction.atomic():
            IdempotencyKey.objects.filter(
                scope=scope, key=key, created_at__lt=timezone.now() - IDEMPOTENCY_TTL
            ).delete()
            try:
                with transaction.atomic():
                    row = IdempotencyKey.objects.create(scope=scope, key=key, request_hash=digest)
            except IntegrityError:
                # another request with this key committed first (we waited for it here)
                earlier = IdempotencyKey.objects.get(scope=scope, key=key)
                if earlier.request_hash != digest:
                    return _error(
                        422,
                        "idempotency_key_reused",
                        _(
                            "Idempotency-Key này đã được dùng cho một yêu cầu khác "
                            "(nội dung khác); hãy dùng khoá mới cho yêu cầu mới."
                        ),
                    )
                return _replay(earlier)
            response = self.get_response(request)
            if not (200 <= response.status_code < 300) or not isinstance(response, HttpResponse):
                transaction.set_rollback(True)  # nothing happened: a retry runs again
                return response
            row.status = response.status_code
            row.content_type = response.get("Content-Type", "application/json")
            row.body = response.content
            row.save(update_fields=["status", "content_type", "body"])
            return response


def purge_expired() -> int:
    """Delete keys past their 24 hours (the scheduler's `core_idempotency_purge` job)."""
    deleted, _rows = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_TTL
    ).delete()
    return deleted
