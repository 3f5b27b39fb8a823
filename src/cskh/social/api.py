"""REST API of social listening: mentions in (one or a batch of up to 1,000), and the Facebook
page feed webhook (signature checked like the Messenger webhook, by the same function)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from cskh.conversations.services import webhooks as conv_webhooks
from cskh.core import ratelimit
from cskh.core.errors import DomainError, Forbidden
from cskh.core.schemas import ErrorOut
from cskh.org import permissions
from cskh.social.services import intake, sources

router = Router(tags=["social"])
webhook_router = Router(tags=["channels"], auth=None)

MAX_BODY = 8 * 1024 * 1024


class Reach(BaseModel):
    followers: int = Field(0, ge=0)
    reactions: int = Field(0, ge=0)
    shares: int = Field(0, ge=0)


class MentionIn(BaseModel):
    source: str = Field(max_length=24)
    external_id: str = Field(min_length=1, max_length=200)
    url: str = Field("", max_length=500)
    author: str = Field("", max_length=200)
    author_id: str = Field("", max_length=100)
    text: str = Field(min_length=1, max_length=10000)
    posted_at: datetime
    profile: str = Field("", max_length=16)
    reach: Reach | None = None
    parent_external_id: str = Field("", max_length=200)


_ONE = TypeAdapter(MentionIn)
_MANY = TypeAdapter(list[MentionIn])


def _data(m: MentionIn) -> intake.MentionData:
    return intake.MentionData(
        source=m.source,
        external_id=m.external_id,
        text=m.text,
        posted_at=m.posted_at,
        url=m.url,
        author=m.author,
        author_id=m.author_id,
        parent_external_id=m.parent_external_id,
        profile=m.profile,
        reach=m.reach.model_dump() if m.reach else {},
    )


@router.post(
    "/mentions",
    summary="Nhận đề cập (một hoặc tối đa 1.000)",
    response={200: Any},
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            MentionIn.model_json_schema(),
                            {"type": "array", "items": MentionIn.model_json_schema()},
                        ]
                    }
                }
            },
            "required": True,
        }
    },
)
def post_mentions(request: HttpRequest) -> Any:
    """One mention object → one result object; a JSON array (≤ 1,000) → an array of results,
    in order: {"id", "sentiment", "actionable", "case_types", "urgent", "duplicate_of",
    "case_number"}. Idempotent on (source, external_id)."""
    if not permissions.can_ingest_social(request.user):
        raise Forbidden(_("Bạn không được gửi đề cập mạng xã hội."))
    if len(request.body) > MAX_BODY:
        raise DomainError(_("Dữ liệu gửi lên quá lớn."), status=413, code="too_large")
    try:
        raw = json.loads(request.body or b"null")
    except json.JSONDecodeError:
        raise DomainError(_("JSON không hợp lệ."), status=422, code="bad_json") from None
    single = isinstance(raw, dict)
    if isinstance(raw, list) and len(raw) > intake.MAX_BATCH:
        raise DomainError(
            _("Tối đa %(n)s đề cập mỗi lần.") % {"n": intake.MAX_BATCH},
            status=413,
            code="batch_too_large",
        )
    try:
        items = [_ONE.validate_python(raw)] if single else _MANY.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise DomainError(
            _("Dữ liệu không hợp lệ ở trường %(f)s.") % {"f": where or "-"},
            status=422,
            code="invalid",
        ) from None
    out = intake.ingest(items=[_data(m) for m in items])
    return out[0] if single else out


# --------------------------------------------------------------------------- webhook


@webhook_router.get(
    "/facebook/webhook",
    summary="Xác minh webhook nguồn tin Facebook",
    response={200: str, 403: ErrorOut},
)
def facebook_verify(request: HttpRequest) -> HttpResponse:
    token = settings.CSKH_FACEBOOK_VERIFY_TOKEN
    mode = request.GET.get("hub.mode", "")
    if not token or mode != "subscribe" or request.GET.get("hub.verify_token", "") != token:
        raise DomainError(_("Mã xác minh không đúng."), status=403, code="bad_verify_token")
    return HttpResponse(request.GET.get("hub.challenge", "")[:200], content_type="text/plain")


@webhook_router.post(
    "/facebook/webhook",
    summary="Webhook nguồn tin trang Facebook",
    response={200: dict, 401: ErrorOut, 413: ErrorOut, 429: ErrorOut},
)
def facebook_feed_webhook(request: HttpRequest) -> dict[str, object]:
    """Page feed changes (posts and comments): X-Hub-Signature-256 checked with the app
    secret by ``conversations.services.webhooks.facebook_verify``, then stored as mentions."""
    ratelimit.hit("webhook", f"facebook-feed:{ratelimit.client_ip(request)}")
    if int(request.headers.get("Content-Length") or 0) > settings.CSKH_WEBHOOK_MAX_BYTES:
        raise DomainError(_("Dữ liệu gửi lên quá lớn."), status=413, code="too_large")
    body = request.body
    if len(body) > settings.CSKH_WEBHOOK_MAX_BYTES:
        raise DomainError(_("Dữ liệu gửi lên quá lớn."), status=413, code="too_large")
    if not conv_webhooks.facebook_verify(body, request.headers.get("X-Hub-Signature-256", "")):
        raise DomainError(_("Chữ ký không hợp lệ."), status=401, code="bad_signature")
    try:
        payload = json.loads(body)
    except json.JSONDecodeError:
        raise DomainError(_("JSON không hợp lệ."), status=400, code="bad_json") from None
    n = sources.ingest_facebook_feed(payload)
    return {"ok": True, "mentions": n}
