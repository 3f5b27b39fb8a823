from ninja import Router, Schema

from cskh.core.errors import Forbidden
from cskh.org import permissions
from cskh.org.selectors import visible_unit_ids
from cskh.sla import selectors

router = Router(tags=["sla"])


class ComplianceRow(Schema):
    month: str
    unit: str | None
    unit_name: str | None
    case_type: str
    case_type_name: str
    resolved: int
    met: int
    breached: int
    first_response_met: int
    compliance: float | None
    open_overdue: int


@router.get(
    "/compliance",
    response=list[ComplianceRow],
    summary="Tỷ lệ đạt SLA theo đơn vị, loại yêu cầu và tháng (YYYY-MM)",
)
def compliance(request, month: str):
    from django.utils.translation import gettext as _

    user = request.auth
    if not permissions.can_view_sla_report(user):
        raise Forbidden(_("Chỉ quản lý, trưởng ca hoặc đơn vị xem được báo cáo SLA."))
    return selectors.compliance(month, unit_ids=visible_unit_ids(user))
