from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cskh.core.errors import NotFound
from cskh.core.pagination import keyset_page
from cskh.webhooks.models import Delivery, Subscription


def get_subscription(pk: int) -> Subscription:
    sub = Subscription.objects.filter(pk=pk).first()
    if sub is None:
        raise NotFound(_("Không tìm thấy webhook %(id)s.") % {"id": pk})
    return sub


def get_delivery(uid: str) -> Delivery:
    delivery = (
        Delivery.objects.select_related("subscription")
        .prefetch_related("log")
        .filter(uid=uid)
        .first()
    )
    if delivery is None:
        raise NotFound(_("Không tìm thấy lần chuyển %(id)s.") % {"id": uid})
    return delivery


def deliveries(
    *, subscription: Subscription, cursor: str | None, limit: int, status: str | None = None
) -> tuple[list[Delivery], str | None]:
    qs: QuerySet[Delivery] = Delivery.objects.filter(subscription=subscription)
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs, cursor=cursor, limit=limit, order=("-id",))
