"""/api/v1/webhooks: subscriptions, secrets, test pings, deliveries and their log.

Managers and admins (session or token), and integration accounts whose token has the "write"
or "webhooks" scope. Secrets appear in an answer only when created or rotated."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cskh.core.errors import DomainError, Forbidden
from cskh.core.schemas import ErrorOut
from cskh.org import permissions
from cskh.webhooks import selectors, services
from cskh.webhooks.models import Attempt, Delivery, Event, Subscription

router = Router(tags=["webhooks"])

R = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    disabled_reason: str
    disabled_at: datetime | None
    consecutive_failures: int
    last_success_at: datetime | None
    last_failure_at: datetime | None
    created_by: str | None
    created_at: datetime


class SubscriptionWithSecret(SubscriptionOut):
    secret: str = Field(description="Chỉ trả về một lần, khi tạo hoặc đổi khóa.")


class SubscriptionIn(Schema):
    name: str = Field(max_length=100)
    url: str = Field(max_length=1000)
    events: list[str] = Field(min_length=1, max_length=10)
    is_active: bool = True


class SubscriptionPatch(Schema):
    name: str | None = Field(None, max_length=100)
    url: str | None = Field(None, max_length=1000)
    events: list[str] | None = Field(None, min_length=1, max_length=10)
    is_active: bool | None = None


class AttemptOut(Schema):
    number: int
    started_at: datetime
    latency_ms: int
    status_code: int | None
    ok: bool
    error: str
    response_excerpt: str


class DeliveryOut(Schema):
    id: uuid.UUID
    subscription_id: int
    event: str
    event_id: uuid.UUID
    status: str
    attempts: int
    redeliveries: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    last_attempt_at: datetime | None


class DeliveryDetail(DeliveryOut):
    body: str
    log: list[AttemptOut]


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class EventOut(Schema):
    event: str
    description: str


def _require(request) -> None:
    if not permissions.can_manage_webhooks(request.auth):
        raise Forbidden(_("Bạn không có quyền quản lý webhook."))


def _sub_out(sub: Subscription, secret: str | None = None) -> dict:
    out = {
        "id": sub.pk,
        "name": sub.name,
        "url": sub.url,
        "events": list(sub.events),
        "is_active": sub.is_active,
        "disabled_reason": sub.disabled_reason,
        "disabled_at": sub.disabled_at,
        "consecutive_failures": sub.consecutive_failures,
        "last_success_at": sub.last_success_at,
        "last_failure_at": sub.last_failure_at,
        "created_by": sub.created_by.username if sub.created_by else None,
        "created_at": sub.created_at,
    }
    if secret is not None:
        out["secret"] = secret
    return out


def _delivery_out(d: Delivery) -> dict:
    return {
        "id": d.uid,
        "subscription_id": d.subscription_id,
        "event": d.event,
        "event_id": d.event_id,
        "status": d.status,
        "attempts": d.attempts,
        "redeliveries": d.redeliveries,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "created_at": d.created_at,
        "last_attempt_at": d.last_attempt_at,
    }


def _attempt_out(a: Attempt) -> dict:
    return {
        "number": a.number,
        "started_at": a.started_at,
        "latency_ms": a.latency_ms,
        "status_code": a.status_code,
        "ok": a.ok,
        "error": a.error,
        "response_excerpt": a.response_excerpt,
    }


@router.get("/events", response={200: list[EventOut], 403: ErrorOut}, summary="Các loại sự kiện")
def list_events(request):
    _require(request)
    return [{"event": e.value, "description": str(e.label)} for e in Event]


@router.get(
    "/subscriptions", response={200: list[SubscriptionOut], 403: ErrorOut}, summary="Các webhook"
)
def list_subscriptions(request):
    _require(request)
    return [_sub_out(s) for s in Subscription.objects.select_related("created_by")]


@router.post(
    "/subscriptions",
    response={201: SubscriptionWithSecret, 403: ErrorOut},
    summary="Tạo webhook (trả về khóa bí mật một lần)",
)
def create_subscription(request, payload: SubscriptionIn):
    _require(request)
    sub, secret = services.create_subscription(
        name=payload.name,
        url=payload.url,
        events=payload.events,
        is_active=payload.is_active,
        actor=request.auth,
    )
    return Status(201, _sub_out(sub, secret))


@router.get(
    "/subscriptions/{int:subscription_id}",
    response={200: SubscriptionOut, **R},
    summary="Một webhook",
)
def get_subscription(request, subscription_id: int):
    _require(request)
    return _sub_out(selectors.get_subscription(subscription_id))


@router.patch(
    "/subscriptions/{int:subscription_id}",
    response={200: SubscriptionOut, **R},
    summary="Sửa webhook (bật/tắt, địa chỉ, sự kiện)",
)
def update_subscription(request, subscription_id: int, payload: SubscriptionPatch):
    _require(request)
    sub = services.update_subscription(
        subscription=selectors.get_subscription(subscription_id),
        actor=request.auth,
        name=payload.name,
        url=payload.url,
        events=payload.events,
        is_active=payload.is_active,
    )
    return _sub_out(sub)


@router.delete(
    "/subscriptions/{int:subscription_id}", response={204: None, **R}, summary="Xóa webhook"
)
def delete_subscription(request, subscription_id: int):
    _require(request)
    services.delete_subscription(
        subscription=selectors.get_subscription(subscription_id), actor=request.auth
    )
    return Status(204, None)


@router.post(
    "/subscriptions/{int:subscription_id}/rotate-secret",
    response={200: SubscriptionWithSecret, **R},
    summary="Đổi khóa bí mật (khóa cũ vẫn ký thêm 24 giờ)",
)
def rotate_secret(request, subscription_id: int):
    _require(request)
    sub, secret = services.rotate_secret(
        subscription=selectors.get_subscription(subscription_id), actor=request.auth
    )
    return _sub_out(sub, secret)


@router.post(
    "/subscriptions/{int:subscription_id}/ping",
    response={202: DeliveryOut, **R},
    summary="Gửi thử (sự kiện ping)",
)
def ping(request, subscription_id: int):
    _require(request)
    d = services.ping(subscription=selectors.get_subscription(subscription_id), actor=request.auth)
    return Status(202, _delivery_out(d))


@router.get(
    "/subscriptions/{int:subscription_id}/deliveries",
    response={200: DeliveryPage, **R},
    summary="Các lần chuyển của một webhook (mới nhất trước)",
)
def list_deliveries(
    request,
    subscription_id: int,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    _require(request)
    limit = max(1, min(limit, 200))
    if status is not None and status not in Delivery.Status.values:
        raise DomainError(_("Trạng thái không hợp lệ."), code="bad_status")
    rows, next_cursor = selectors.deliveries(
        subscription=selectors.get_subscription(subscription_id),
        cursor=cursor,
        limit=limit,
        status=status,
    )
    return {"items": [_delivery_out(d) for d in rows], "next_cursor": next_cursor}


@router.get(
    "/deliveries/{uuid:delivery_id}",
    response={200: DeliveryDetail, **R},
    summary="Một lần chuyển với nhật ký từng lần gửi",
)
def get_delivery(request, delivery_id: uuid.UUID):
    _require(request)
    d = selectors.get_delivery(str(delivery_id))
    out = _delivery_out(d) | {"body": d.body, "log": [_attempt_out(a) for a in d.log.all()]}
    return out


@router.post(
    "/deliveries/{uuid:delivery_id}/redeliver",
    response={202: DeliveryOut, **R},
    summary="Gửi lại (cùng mã lần chuyển)",
)
def redeliver(request, delivery_id: uuid.UUID):
    _require(request)
    d = services.redeliver(delivery=selectors.get_delivery(str(delivery_id)), actor=request.auth)
    return Status(202, _delivery_out(d))
