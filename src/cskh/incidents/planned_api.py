"""REST API for planned outages: /api/v1/planned-outages."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from cskh.core.errors import DomainError
from cskh.core.schemas import ErrorOut
from cskh.incidents import selectors
from cskh.incidents.api import IncidentOut, to_out
from cskh.incidents.importer import MAX_BYTES, ImportRejected, parse_schedule
from cskh.incidents.models import Incident
from cskh.incidents.services import lifecycle, planned

router = Router(tags=["planned-outages"])


class ImportOut(Schema):
    import_id: int
    rows: int
    created: int
    updated: int
    cancelled: int
    short_notice: list[str]
    incident_ids: list[int]


class RowError(Schema):
    row: int
    errors: list[str]


class RejectedOut(Schema):
    detail: str
    code: str
    rows: int
    errors: list[RowError]


class PlannedList(Schema):
    items: list[IncidentOut]
    next_cursor: str | None


class CancelIn(Schema):
    note: str = ""


@router.post(
    "/import",
    response={201: ImportOut, 422: RejectedOut | ErrorOut},
    summary="Nhập lịch ngừng cấp điện (CSV/XLSX, tất cả hoặc không)",
)
def import_schedule(request, file: File[UploadedFile]):
    if file.size and file.size > MAX_BYTES:
        raise DomainError(_("Tệp quá lớn (tối đa 10 MB)."), status=413, code="too_large")
    data = file.read(MAX_BYTES + 1)
    try:
        rows = parse_schedule(data, file.name or "")
    except ImportRejected as exc:
        return Status(
            422,
            {"detail": str(exc.message), "code": exc.code, "rows": exc.total, "errors": exc.errors},
        )
    result = planned.import_planned(rows=rows, filename=file.name or "", actor=request.auth)
    return Status(201, result)


@router.get("", response=PlannedList, summary="Lịch ngừng cấp điện")
def list_planned(
    request, status: str | None = "active", cursor: str | None = None, limit: int = 50
):
    if status and status not in {"active", "live", *Incident.Status.values}:
        raise DomainError(_("Trạng thái không hợp lệ: %(s)s") % {"s": status}, code="bad_status")
    rows, next_cursor = selectors.list_incidents(
        request.auth,
        status=status,
        kind=Incident.Kind.PLANNED,
        cursor=cursor,
        limit=max(1, min(limit, 200)),
    )
    return {"items": [to_out(i) for i in rows], "next_cursor": next_cursor}


@router.post("/{incident_id}/cancel", response=IncidentOut, summary="Hủy lịch ngừng cấp điện")
def cancel(request, incident_id: int, payload: CancelIn):
    inc = selectors.get_for_user(request.auth, incident_id)
    if inc.kind != Incident.Kind.PLANNED:
        raise DomainError(_("Đây không phải lịch ngừng cấp điện."), code="not_planned")
    lifecycle.transition(incident=inc, to="cancelled", actor=request.auth, note=payload.note)
    return to_out(selectors.get_for_user(request.auth, incident_id))


class ChangeIn(Schema):
    start: datetime
    end: datetime
    reason: str | None = None


@router.patch("/{incident_id}", response=IncidentOut, summary="Đổi lịch ngừng cấp điện")
def change(request, incident_id: int, payload: ChangeIn):
    inc = selectors.get_for_user(request.auth, incident_id)
    planned.change_planned(
        incident=inc,
        start=payload.start,
        end=payload.end,
        reason=payload.reason,
        actor=request.auth,
    )
    return to_out(selectors.get_for_user(request.auth, incident_id))
