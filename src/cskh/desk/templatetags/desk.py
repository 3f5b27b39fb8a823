from django import template

from cskh.cases.states import Status

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """'in_progress' → 'Đang xử lý' (in the active language); unknown values pass through."""
    try:
        return str(Status(value).label)
    except ValueError:
        return value


@register.filter
def get_item(mapping: dict, key):
    """{{ mapping|get_item:key }}: a dict look-up by a variable key (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
