from django import template

from cskh.cases.models import Channel
from cskh.cases.states import Status
from cskh.core.text import fold

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """'in_progress' → 'Đang xử lý' (in the active language); unknown values pass through."""
    try:
        return str(Status(value).label)
    except ValueError:
        return value


@register.filter
def channel_label(value: str) -> str:
    """'phone' → 'Điện thoại' (the channel's label); unknown values pass through."""
    try:
        return str(Channel(value).label)
    except ValueError:
        return value


@register.filter
def address_line(customer) -> str:
    """The customer's address with the ward appended once: demo and imported addresses
    often already end with the ward ("…, Phường Bến Thành")."""
    address = (getattr(customer, "address", "") or "").strip()
    ward = getattr(customer, "ward", None) if getattr(customer, "ward_id", None) else None
    if ward is None or fold(ward.name) in fold(address):
        return address
    return f"{address}, {ward.name}" if address else ward.name
