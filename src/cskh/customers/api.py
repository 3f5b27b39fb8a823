from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cskh.core import hooks
from cskh.core.errors import DomainError, NotFound
from cskh.core.pagination import keyset_page
from cskh.core.phones import try_e164
from cskh.customers import selectors, services
from cskh.customers.models import Customer
from cskh.geo.address import WardChoiceNeeded
from cskh.org import permissions

router = Router(tags=["customers"])


class ServicePointOut(Schema):
    id: int
    code: str
    kind: str
    plan: str
    status: str
    address: str
    ward: str | None
    feeder_code: str
    transformer_code: str


class CustomerOut(Schema):
    id: int
    code: str
    full_name: str
    phones: list[str]
    email: str
    zalo_id: str
    address: str
    ward_code: int | None
    ward: str | None
    province: str | None
    segment: str
    tags: list[str]
    service_points: list[ServicePointOut]


class CustomerIn(Schema):
    full_name: str = Field(..., max_length=200)
    phones: list[str] = Field(default_factory=list, max_length=10)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    ward_code: int | None = None
    code: str | None = Field(None, max_length=32)
    segment: str = "residential"
    tags: list[str] = Field(default_factory=list, max_length=10)
    zalo_id: str = Field("", max_length=64)


class WardCandidateOut(Schema):
    ward_code: int
    ward: str
    province: str
    old_ward: str
    old_district: str
    old_province: str


class WardChoiceOut(Schema):
    """409: the address fits several current wards; send again with one ``ward_code``."""

    detail: str
    code: str
    reason: str
    candidates: list[WardCandidateOut]


class CustomerList(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


def to_out(c: Customer) -> dict:
    ward = c.ward if c.ward_id else None
    return {
        "id": c.id,
        "code": c.code,
        "full_name": c.full_name,
        "phones": [p.e164 for p in c.phones.all()],
        "email": c.email,
        "zalo_id": c.zalo_id,
        "address": c.address,
        "ward_code": c.ward_id,
        "ward": ward.name if ward else None,
        "province": ward.province.name if ward else None,
        "segment": c.segment,
        "tags": c.tags or [],
        "service_points": [
            {
                "id": s.id,
                "code": s.code,
                "kind": s.kind,
                "plan": s.plan,
                "status": s.status,
                "address": s.address,
                "ward": s.ward.name if s.ward else None,
                "feeder_code": s.feeder_code,
                "transformer_code": s.transformer_code,
            }
            for s in c.service_points.all()
        ],
    }


def _require_center(request):
    if not permissions.can_browse_customers(request.auth):
        from cskh.core.errors import Forbidden

        raise Forbidden(_("Nhân viên đơn vị không được tra cứu toàn bộ khách hàng."))


def _read(request, customers: list[Customer], *, action: str, detail: str = "") -> None:
    """Audit of reads (the privacy app listens): the same access log entries as the desk's
    card and search, with "api" in the detail when nothing more precise is known."""
    hooks.run(
        "customer_read",
        user=request.auth,
        customer_ids=[c.pk for c in customers] or [None],
        action=action,
        detail=detail or "api",
    )


def _by_phone(request, phone: str) -> list[Customer]:
    matches = list(selectors.find_by_phone(phone))
    _read(request, matches, action="search", detail=try_e164(phone) or "api")
    return matches


class LookupIn(Schema):
    phone: str | None = Field(None, max_length=40)
    code: str | None = Field(None, max_length=64)


@router.post(
    "/lookup",
    response=CustomerList,
    summary="Tìm khách hàng theo số điện thoại hoặc mã (số điện thoại trong thân yêu cầu)",
)
def lookup_customers(request, payload: LookupIn):
    """The phone number travels in the body, never in the URL (access logs, proxies)."""
    _require_center(request)
    if payload.phone:
        return {
            "items": [to_out(c) for c in _by_phone(request, payload.phone)],
            "next_cursor": None,
        }
    if payload.code:
        c = selectors.find_by_code(payload.code)
        if c is not None:
            _read(request, [c], action="search", detail="api:code")
        return {"items": [to_out(c)] if c else [], "next_cursor": None}
    raise DomainError(_("Cần số điện thoại hoặc mã khách hàng."), code="missing_query")


@router.get("", response=CustomerList, summary="Tìm khách hàng theo số điện thoại, mã hoặc tên")
def list_customers(
    request,
    phone: str | None = None,
    code: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
):
    _require_center(request)
    limit = max(1, min(limit, 100))
    if phone:  # deprecated: POST /customers/lookup keeps the number out of URLs and logs
        return {"items": [to_out(c) for c in _by_phone(request, phone)], "next_cursor": None}
    if code:
        c = selectors.find_by_code(code)
        return {"items": [to_out(c)] if c else [], "next_cursor": None}
    qs = selectors.base_qs()
    if q:
        from cskh.core.text import fold

        qs = qs.filter(name_folded__startswith=fold(q))
    rows, next_cursor = keyset_page(qs, cursor=cursor, limit=limit, order=("id",))
    return {"items": [to_out(c) for c in rows], "next_cursor": next_cursor}


@router.get("/{int:customer_id}", response=CustomerOut)
def get_customer(request, customer_id: int):
    from cskh.customers.selectors import get

    c = get(customer_id)
    if c is None or not permissions.can_view_customer(request.auth, c):
        raise NotFound(_("Không tìm thấy khách hàng %(id)s.") % {"id": customer_id})
    _read(request, [c], action="card")
    return to_out(c)


@router.post("", response={201: CustomerOut, 409: WardChoiceOut})
def create_customer(request, payload: CustomerIn):
    _require_center(request)
    if not payload.full_name.strip():
        raise DomainError(_("Thiếu họ tên khách hàng."), code="missing_name")
    try:
        c = services.create_customer(actor=request.auth, **payload.dict())
    except WardChoiceNeeded as exc:
        return Status(409, _ward_choice(exc))
    created = selectors.get(c.id)
    if created is None:  # deleted by someone else in between
        raise NotFound(_("Không tìm thấy khách hàng %(id)s.") % {"id": c.id})
    return Status(201, to_out(created))


def _ward_choice(exc: WardChoiceNeeded) -> dict:
    return {
        "detail": str(exc.message),
        "code": exc.code,
        "reason": exc.resolution.reason,
        "candidates": [
            {
                "ward_code": c.ward_code,
                "ward": c.ward_name,
                "province": c.province_name,
                "old_ward": c.old_ward,
                "old_district": c.old_district,
                "old_province": c.old_province,
            }
            for c in exc.resolution.candidates
        ],
    }
