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


@register.filter
def get_item(mapping: dict, key):
    """{{ mapping|get_item:key }}: a dict look-up by a variable key (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def countdown(due_at, now) -> str:
    """Time left to a due time, or how far past it: 'còn 1 giờ 05 phút', 'quá 20 phút'."""
    from django.utils.translation import gettext as _

    if not due_at or not now:
        return "—"
    seconds = int((due_at - now).total_seconds())
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = _("%(d)s ngày %(h)s giờ") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)s giờ %(m)02d phút") % {"h": hours, "m": mins}
    else:
        text = _("%(m)s phút") % {"m": mins}
    return (_("còn %(t)s") if seconds >= 0 else _("quá %(t)s")) % {"t": text}
