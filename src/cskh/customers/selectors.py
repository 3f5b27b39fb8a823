import re
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects

from cskh.core.compiled import CompiledQuery
from cskh.core.phones import try_e164
from cskh.core.text import fold
from cskh.customers.models import Consent, Customer, Phone, Purpose, ServicePoint
from cskh.geo import selectors as ward_selectors


def base_qs() -> QuerySet[Customer]:
    return Customer.objects.select_related("ward__province").prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("-is_primary", "id")),
        Prefetch("service_points", queryset=ServicePoint.objects.select_related("ward")),
    )


# The lookup / screen-pop hot path: the customer queries are compiled once per process (see
# cskh.core.compiled); (customer, e164) is unique, so the join yields each customer once.
MAX_PHONE_MATCHES = 10  # customers sharing one number shown for a call (oldest first)
_BY_PHONE = CompiledQuery(
    lambda e164: Customer.objects.filter(phones__e164=e164).order_by("id")[:MAX_PHONE_MATCHES],
    example=("+84901234567",),
)


def with_primary_phone(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """The customers with ``primary_e164``: their primary phone (else the oldest), None without
    one, read in the same query (Customer.primary_phone() then costs none)."""
    first = Phone.objects.filter(customer=OuterRef("pk")).order_by("-is_primary", "id")
    return qs.annotate(primary_e164=Subquery(first.values("e164")[:1]))


# Opening a case reads the customer's ward (routing) and primary phone (the "received"
# message): one query.
_BY_PHONE_FOR_INTAKE = CompiledQuery(
    lambda e164: with_primary_phone(Customer.objects.filter(phones__e164=e164)).order_by("id")[
        :MAX_PHONE_MATCHES
    ],
    example=("+84901234567",),
)
_BY_ID_FOR_INTAKE = CompiledQuery(
    lambda pk: with_primary_phone(Customer.objects.filter(id=pk))[:1], example=(1,)
)
_BY_CODE = CompiledQuery(lambda code: Customer.objects.filter(code=code)[:1], example=("KH1",))
_BY_ID = CompiledQuery(lambda pk: Customer.objects.filter(id=pk)[:1], example=(1,))
_POINT_BY_CODE = CompiledQuery(
    lambda code: ServicePoint.objects.filter(code=code)[:1], example=("PE1",)
)
_PHONES = Prefetch("phones", queryset=Phone.objects.order_by("-is_primary", "id"))


def _first[T](rows: list[T]) -> T | None:
    return rows[0] if rows else None


def find_by_phone(raw: str) -> list[Customer]:
    e164 = try_e164(raw)
    if not e164:
        return []
    return _with_details(_BY_PHONE(e164))


def _with_details(customers: list[Customer]) -> list[Customer]:
    """What base_qs() loads, for the screen-pop / lookup hot path: phones and service points
    prefetched, customer.phones.all() then costs no query; wards and their provinces from the
    reference cache instead of a join."""
    prefetch_related_objects(customers, _PHONES, "service_points")
    wards = ward_selectors.wards_by_code()
    for c in _with_wards(customers):
        for sp in c.service_points.all():
            if sp.ward_id in wards:
                sp.ward = wards[sp.ward_id]
    return customers


def find_by_phone_for_intake(raw: str) -> list[Customer]:
    """Customers with this phone, with just what opening a case reads (ward for routing,
    primary phone for the "received" message), in one query."""
    e164 = try_e164(raw)
    if not e164:
        return []
    return _with_wards(_BY_PHONE_FOR_INTAKE(e164))


def _with_wards(customers: list[Customer]) -> list[Customer]:
    wards = ward_selectors.wards_by_code()
    for c in customers:
        if c.ward_id in wards:
            c.ward = wards[c.ward_id]
    return customers


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
    """The customer with its ward (routing reads it, from the reference cache) and primary
    phone (the "received" message goes to it), in one query."""
    return _first(_with_wards(_BY_ID_FOR_INTAKE(customer_id)))


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


def find_by_email(email: str) -> list[Customer]:
    """Customers with this e-mail address (case-insensitive), at most a few."""
    email = (email or "").strip()
    if not email or "@" not in email:
        return []
    return list(base_qs().filter(email__iexact=email).order_by("id")[:5])


def find_by_zalo_id(zalo_id: str) -> list[Customer]:
    """Customers whose record carries this Zalo user id (set at the counter or by import)."""
    if not zalo_id:
        return []
    return list(base_qs().filter(zalo_id=zalo_id).order_by("id")[:5])


# --------------------------------------------------------------------------- personal data


def has_consent(customer: Customer, purpose: str) -> bool:
    """May a message for this purpose be sent? The answer in force (Customer.consents), else the
    default of settings.CSKH_CONSENT_DEFAULTS (service messages: the contract is the legal
    basis). A restricted or anonymised customer gets service messages only when they agreed
    explicitly or by default, never the others. No query: reads the loaded row."""
    if customer.anonymised_at is not None:
        return False
    if customer.restricted and purpose != Purpose.SERVICE:
        return False
    answer = (customer.consents or {}).get(purpose)
    if answer is not None:
        return bool(answer)
    if purpose == Purpose.MARKETING:
        return bool(customer.consent_marketing)
    return bool(settings.CSKH_CONSENT_DEFAULTS.get(purpose, False))


def consent_history(customer_id: int) -> list[Consent]:
    return list(
        Consent.objects.filter(customer_id=customer_id)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")
    )


def export_for_customer(customer_id: int) -> dict[str, Any]:
    """Everything the customers app holds about one customer (data-subject access request)."""
    c = base_qs().filter(pk=customer_id).first()
    if c is None:
        return {}
    return {
        "code": c.code,
        "full_name": c.full_name,
        "email": c.email,
        "zalo_id": c.zalo_id,
        "segment": c.segment,
        "tags": list(c.tags or []),
        "address": c.address,
        "ward": c.ward.name if c.ward is not None else "",
        "preferred_channel": c.preferred_channel,
        "channel_consent": {
            "sms": c.consent_sms,
            "zalo": c.consent_zalo,
            "email": c.consent_email,
            "marketing": c.consent_marketing,
        },
        "restricted": c.restricted,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
        "phones": [
            {"e164": p.e164, "label": p.label, "primary": p.is_primary} for p in c.phones.all()
        ],
        "service_points": [
            {
                "code": sp.code,
                "kind": sp.kind,
                "plan": sp.plan,
                "status": sp.status,
                "address": sp.address,
                "start_date": sp.start_date.isoformat() if sp.start_date else None,
            }
            for sp in c.service_points.all()
        ],
        "consents": [
            {
                "purpose": r.purpose,
                "granted": r.granted,
                "channel": r.channel,
                "recorded_at": r.recorded_at.isoformat(),
            }
            for r in consent_history(customer_id)
        ],
    }


def phones_of(customer_id: int) -> list[str]:
    """The customer's phone numbers (E.164), primary first."""
    return list(
        Phone.objects.filter(customer_id=customer_id)
        .order_by("-is_primary", "id")
        .values_list("e164", flat=True)
    )


def get_plain(customer_id: int) -> Customer | None:
    """The customer row alone (one compiled query, no phones, points or wards): what a
    signed-in customer's every portal page needs."""
    return _first(_BY_ID(customer_id))


# --------------------------------------------------------------------------- batch matching
# Social listening identifies the authors of up to 1,000 posts at once: a fixed number of
# queries per batch, not one per post.


def customer_ids_by_codes(codes: list[str]) -> dict[str, int]:
    """{code: customer id} for customer codes or service-point codes (two queries)."""
    wanted = sorted({(c or "").strip().upper() for c in codes} - {""})
    if not wanted:
        return {}
    found = dict(Customer.objects.filter(code__in=wanted).values_list("code", "id"))
    rest = [c for c in wanted if c not in found]
    if rest:
        found.update(ServicePoint.objects.filter(code__in=rest).values_list("code", "customer_id"))
    return found


def customer_ids_by_phones(e164s: list[str]) -> dict[str, list[int]]:
    """{E.164 number: ids of the customers with it, oldest first} (one query)."""
    wanted = sorted(set(e164s) - {""})
    out: dict[str, list[int]] = {}
    if not wanted:
        return out
    rows = Phone.objects.filter(e164__in=wanted).order_by("customer_id")
    for e164, cid in rows.values_list("e164", "customer_id"):
        ids = out.setdefault(e164, [])
        if cid not in ids:
            ids.append(cid)
    return out


_STREET_WORDS = frozenset({"so", "nha", "duong", "pho", "d", "d.", "dg"})
_TOKEN = re.compile(r"[a-z0-9/]+")


def _street_tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(fold(text)) if t not in _STREET_WORDS]


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def customer_ids_at_addresses(wanted: list[tuple[int, str]]) -> list[list[int]]:
    """For each (current ward code, free text): the ids of the customers with a service point
    in that ward whose street address (house number and street: the part of the stored
    address before the first comma) is written in the text, with or without diacritics and
    the words "số", "đường", "phố". One query for all the wards.

    A street address without a house number never matches (a street name alone fits many
    customers)."""
    wards = sorted({w for w, _text in wanted})
    if not wards:
        return [[] for _ in wanted]
    streets: dict[int, list[tuple[list[str], int]]] = {}
    rows = (
        ServicePoint.objects.filter(ward_id__in=wards)
        .exclude(address="")
        .values_list("ward_id", "address", "customer_id")
    )
    for ward_id, address, customer_id in rows.iterator(2000):
        tokens = _street_tokens(address.split(",")[0])
        if len(tokens) >= 2 and any(ch.isdigit() for ch in tokens[0]):
            streets.setdefault(ward_id, []).append((tokens, customer_id))
    out: list[list[int]] = []
    for ward, text in wanted:
        words = _street_tokens(text)
        ids: list[int] = []
        for tokens, customer_id in streets.get(ward, ()):
            if customer_id not in ids and _contains(words, tokens):
                ids.append(customer_id)
        out.append(ids)
    return out
