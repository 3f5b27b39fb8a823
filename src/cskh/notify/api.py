from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema

from cskh.cases.selectors import get_for_user
from cskh.core.errors import Forbidden, NotFound
from cskh.core.schemas import ErrorOut
from cskh.notify import services
from cskh.notify.models import Notification
from cskh.org import permissions

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    template: str
    channel: str
    to: str
    subject: str
    body: str
    status: str
    attempts: int
    case: str | None
    created_at: datetime
    sent_at: datetime | None
    last_error: str


def _out(n: Notification) -> dict:
    return {
        "id": n.pk,
        "template": n.template,
        "channel": n.channel,
        "to": n.to,
        "subject": n.subject,
        "body": n.body,
        "status": n.status,
        "attempts": n.attempts,
        "case": n.case.number if n.case else None,
        "created_at": n.created_at,
        "sent_at": n.sent_at,
        "last_error": n.last_error,
    }


def _center_only(user):
    if not permissions.can_read_notifications(user):
        raise Forbidden(_("Bạn không có quyền xem thông báo."))


@router.get(
    "",
    response={200: list[NotificationOut], 403: ErrorOut, 404: ErrorOut},
    summary="Thông báo của một yêu cầu",
)
def list_notifications(request, case: str):
    _center_only(request.auth)
    c = get_for_user(request.auth, case)
    return [_out(n) for n in Notification.objects.filter(case=c).select_related("case")]


@router.post("/{notification_id}/retry", response=NotificationOut, summary="Gửi lại")
def retry(request, notification_id: int):
    _center_only(request.auth)
    n = Notification.objects.select_related("case").filter(pk=notification_id).first()
    if n is None:
        raise NotFound(_("Không tìm thấy thông báo."))
    return _out(services.retry(notification=n, actor=request.auth))
