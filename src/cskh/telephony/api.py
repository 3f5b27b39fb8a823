import logging

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from cskh.core.errors import DomainError, Forbidden
from cskh.org import permissions
from cskh.telephony import services

router = Router(tags=["telephony"])
log = logging.getLogger("cskh.telephony")


class CallEventIn(Schema):
    call_id: str | None = Field(None, max_length=100)
    event: str | None = Field(None, max_length=20)
    from_number: str | None = Field(None, max_length=40)
    to_number: str | None = Field(None, max_length=40)
    agent_extension: str | None = Field(None, max_length=16)
    agent_username: str | None = Field(None, max_length=150)
    at: str | None = Field(None, max_length=40)
    recording_url: str | None = Field(None, max_length=500)


class CallEventOut(Schema):
    duplicate: bool
    call_id: str
    event: str
    interaction: int | None = None
    customers: list[int] | None = None
    duration_seconds: int | None = None
    cases: list[str] | None = None
    callback: int | None = None
    callback_count: int | None = None


REQUIRED = ("call_id", "event", "from_number")


@router.post(
    "/events",
    response=CallEventOut,
    summary="Sự kiện cuộc gọi từ tổng đài (ringing/answered/ended/missed)",
)
def call_event(request, payload: CallEventIn):
    """Idempotent on (call_id, event): a replay answers 200 with "duplicate": true."""
    user = request.auth
    try:
        if not permissions.can_send_call_events(user):
            raise Forbidden(_("Chỉ tài khoản tích hợp tổng đài được gửi sự kiện cuộc gọi."))
        missing = [f for f in REQUIRED if not (getattr(payload, f) or "").strip()]
        if missing:
            raise DomainError(
                _("Thiếu trường bắt buộc: %(f)s") % {"f": ", ".join(missing)},
                code="missing_fields",
            )
        at = None
        at_text = (payload.at or "").strip()
        if at_text:
            try:
                at = parse_datetime(at_text)
            except ValueError:
                at = None
            if at is None:
                raise DomainError(
                    _("Thời điểm không hợp lệ (ISO 8601): %(v)s") % {"v": payload.at},
                    code="bad_at",
                )
        return services.handle_call_event(
            # the three below are non-blank: checked against REQUIRED above
            call_id=payload.call_id or "",
            event=(payload.event or "").strip().lower(),
            from_number=payload.from_number or "",
            to_number=payload.to_number or "",
            agent_extension=payload.agent_extension,
            agent_username=payload.agent_username,
            at=at,
            recording_url=payload.recording_url or "",
            source=user,
        )
    except DomainError as exc:
        log.warning(
            "rejected call event %s (%s): %s payload=%s",
            exc.code,
            exc.status,
            exc,
            payload.dict(),
        )
        raise
