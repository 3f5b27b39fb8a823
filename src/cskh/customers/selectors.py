from collections import defaultdict

from django.db.models import Prefetch, QuerySet

from cskh.core.compiled import CompiledQuery, run_together
from cskh.core.phones import try_e164
from cskh.customers.models import Customer, Phone, ServicePoint
from cskh.geo import selectors as ward_selectors
from cskh.textintel.normalize import fold


def base_qs() -> QuerySet[Customer]:
    return Customer.objects.select_related("ward__province").prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("-is_primary", "id")),
        Prefetch("service_points", queryset=ServicePoint.objects.select_related("ward")),
    )


# The lookup / screen-pop hot path: compiled once per process (see cskh.core.compiled).
# (customer, e164) is unique: the join yields each customer once.
MAX_PHONE_MATCHES = 10  # customers sharing one number shown for a call (oldest first)
_BY_PHONE = CompiledQuery(
    lambda e164: Customer.objects.filter(phones__e164=e164).order_by("id")[:MAX_PHONE_MATCHES]
)
_BY_CODE = CompiledQuery(lambda code: Customer.objects.filter(code=code)[:1])
_BY_ID = CompiledQuery(lambda pk: Customer.objects.filter(id=pk)[:1])
_POINT_BY_CODE = CompiledQuery(lambda code: ServicePoint.objects.filter(code=code)[:1])
_PHONES_OF = CompiledQuery(
    lambda ids: Phone.objects.filter(customer_id__in=ids).order_by("-is_primary", "id")
)
_POINTS_OF = CompiledQuery(lambda ids: ServicePoint.objects.filter(customer_id__in=ids))


def _ids_with_phone(e164: str):
    """The customers _BY_PHONE returns, as a subquery (so their phones and service points go
    out in the same round trip as the customers)."""
    return (Phone.objects.filter(e164=e164).order_by("customer_id").values("customer_id"))[
        :MAX_PHONE_MATCHES
    ]


_PHONES_BY_PHONE = CompiledQuery(
    lambda e164: Phone.objects.filter(customer_id__in=_ids_with_phone(e164)).order_by(
        "-is_primary", "id"
    )
)
_POINTS_BY_PHONE = CompiledQuery(
    lambda e164: ServicePoint.objects.filter(customer_id__in=_ids_with_phone(e164))
)


def _first(rows: list):
    return rows[0] if rows else None


def find_by_phone(raw: str) -> list[Customer]:
    e164 = try_e164(raw)
    if not e164:
        return []
    customers, phone_rows, point_rows = run_together(
        (_BY_PHONE, (e164,)), (_PHONES_BY_PHONE, (e164,)), (_POINTS_BY_PHONE, (e164,))
    )
    return _with_details(customers, phone_rows, point_rows)


def _with_details(
    customers: list[Customer],
    phone_rows: list[Phone] | None = None,
    point_rows: list[ServicePoint] | None = None,
) -> list[Customer]:
    """What base_qs() loads (ward and province, phones, service points with their wards) for
    the screen-pop / lookup hot path: wards come from the per-process reference cache and the
    two child lists from one round trip (unless the caller fetched them already), set as
    prefetched results (customer.phones.all() then costs no query). Same objects as
    base_qs(), at about a third of the time."""
    if customers and (phone_rows is None or point_rows is None):
        ids = [c.pk for c in customers]
        phone_rows, point_rows = run_together((_PHONES_OF, (ids,)), (_POINTS_OF, (ids,)))
    return _attach(customers, phone_rows or [], point_rows)


def _attach(
    customers: list[Customer], phone_rows: list[Phone], point_rows: list[ServicePoint] | None
) -> list[Customer]:
    """Wards (reference cache) and the fetched child rows onto the customers; service points
    only when given."""
    wards = ward_selectors.wards_by_code()
    phones: dict[int, list[Phone]] = defaultdict(list)
    for phone in phone_rows:
        phones[phone.customer_id].append(phone)
    points: dict[int, list[ServicePoint]] = defaultdict(list)
    for sp in point_rows or ():
        if sp.ward_id in wards:
            sp.ward = wards[sp.ward_id]
        points[sp.customer_id].append(sp)
    for c in customers:
        if c.ward_id in wards:
            c.ward = wards[c.ward_id]
        _set_prefetched(c, "phones", phones[c.pk])
        if point_rows is not None:
            _set_prefetched(c, "service_points", points[c.pk])
    return customers


def _set_prefetched(obj, name: str, items: list) -> None:
    """As prefetch_related stores results (django.db.models.query.prefetch_one_level)."""
    qs = getattr(obj, name).get_queryset()
    qs._result_cache = items
    qs._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


def find_by_phone_for_intake(raw: str) -> list[Customer]:
    """Customers with this phone, with just what opening a case reads (ward for routing,
    phones for the "received" message), in one round trip."""
    e164 = try_e164(raw)
    if not e164:
        return []
    customers, phone_rows = run_together((_BY_PHONE, (e164,)), (_PHONES_BY_PHONE, (e164,)))
    return _attach(customers, phone_rows, None)


def find_by_code(code: str) -> Customer | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    customer = _first(_BY_CODE(code))
    if customer is None:
        sp = _first(_POINT_BY_CODE(code))
        if sp:
            customer = _first(_BY_ID(sp.customer_id))
    return _with_details([customer])[0] if customer else None


def get_for_intake(customer_id: int) -> Customer | None:
    """The customer with its ward (routing reads it, from the reference cache) and phones (the
    "received" message goes to the primary one), in one round trip."""
    customers, phone_rows = run_together((_BY_ID, (customer_id,)), (_PHONES_OF, ([customer_id],)))
    return _first(_attach(customers, phone_rows, None))


def get(customer_id: int) -> Customer | None:
    customer = _first(_BY_ID(customer_id))
    return _with_details([customer])[0] if customer else None


def search_simple(q: str, *, limit: int = 20, after_id: int | None = None) -> list[Customer]:
    """Prefix match on the folded name; full-text search lives in textintel."""
    folded = fold(q)
    qs = base_qs().filter(name_folded__startswith=folded) if folded else base_qs()
    if after_id:
        qs = qs.filter(id__gt=after_id)
    return list(qs.order_by("id")[:limit])
