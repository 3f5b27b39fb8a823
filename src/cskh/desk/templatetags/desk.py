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
