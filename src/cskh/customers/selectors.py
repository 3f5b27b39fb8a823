from django.db.models import Prefetch, QuerySet

from cskh.core.phones import try_e164
from cskh.customers.models import Customer, Phone, ServicePoint
from cskh.textintel.normalize import fold


def base_qs() -> QuerySet[Customer]:
    return Customer.objects.select_related("ward__province").prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("-is_primary", "id")),
        Prefetch("service_points", queryset=ServicePoint.objects.select_related("ward")),
    )


def find_by_phone(raw: str, *, limit: int = 10) -> list[Customer]:
    e164 = try_e164(raw)
    if not e164:
        return []
    ids = list(Phone.objects.filter(e164=e164).values_list("customer_id", flat=True)[:limit])
    if not ids:
        return []
    return list(base_qs().filter(id__in=ids).order_by("id"))


def find_by_code(code: str) -> Customer | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    customer = base_qs().filter(code=code).first()
    if customer is None:
        sp = ServicePoint.objects.filter(code=code).only("customer_id").first()
        if sp:
            customer = base_qs().filter(id=sp.customer_id).first()
    return customer


def get(customer_id: int) -> Customer | None:
    return base_qs().filter(id=customer_id).first()


def search_simple(q: str, *, limit: int = 20, after_id: int | None = None) -> list[Customer]:
    """Prefix match on the folded name; full-text search lives in textintel."""
    folded = fold(q)
    qs = base_qs().filter(name_folded__startswith=folded) if folded else base_qs()
    if after_id:
        qs = qs.filter(id__gt=after_id)
    return list(qs.order_by("id")[:limit])
