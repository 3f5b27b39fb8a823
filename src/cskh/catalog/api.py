from ninja import Router, Schema

from cskh.catalog.models import CaseType
from cskh.catalog.services import active_profile, get_case_type, route

router = Router(tags=["catalog"])


class CaseTypeOut(Schema):
    code: str
    name: str
    description: str
    default_priority: int
    sla_policy: str | None
    handler_unit_kind: str


class RoutePreview(Schema):
    type: str
    ward_code: int | None
    unit: str | None
    unit_name: str | None


@router.get("/case-types", response=list[CaseTypeOut], summary="Loại yêu cầu của ngành đang dùng")
def case_types(request):
    profile = active_profile()
    return [
        {
            "code": t.code,
            "name": t.name,
            "description": t.description,
            "default_priority": t.default_priority,
            "sla_policy": t.sla_policy.code if t.sla_policy else None,
            "handler_unit_kind": t.handler_unit_kind,
        }
        for t in CaseType.objects.filter(profile=profile, is_active=True).select_related(
            "sla_policy"
        )
    ]


@router.get(
    "/routing/preview",
    response=RoutePreview,
    summary="Đơn vị nào sẽ nhận một loại yêu cầu tại một phường/xã?",
)
def routing_preview(request, type: str, ward_code: int | None = None):
    ct = get_case_type(type)
    unit = route(case_type=ct, ward_id=ward_code)
    return {
        "type": type,
        "ward_code": ward_code,
        "unit": unit.code if unit else None,
        "unit_name": unit.name if unit else None,
    }
