"""Template filters over org.permissions, so templates ask the same predicates as views:
`{% load perms %}{% if user|can_supervise %}…{% endif %}`."""

from django import template

from cskh.org import permissions

register = template.Library()


@register.filter
def can_supervise(user) -> bool:
    return permissions.can_supervise(user)


@register.filter
def is_center_staff(user) -> bool:
    return permissions.is_center_staff(user)


@register.filter
def is_unit_staff(user) -> bool:
    return permissions.is_unit_staff(user)


@register.filter
def can_import_planned(user) -> bool:
    return permissions.can_import_planned(user)


@register.filter
def can_view_sla_report(user) -> bool:
    return permissions.can_view_sla_report(user)


@register.filter
def staff_name(user) -> str:
    """A staff member's name in Vietnamese order ("Lê Minh Thành"), else the username."""
    if user is None or not getattr(user, "pk", None):
        return ""
    return user.display_name


@register.filter
def can_plan_workforce(user) -> bool:
    return permissions.can_plan_workforce(user)


@register.filter
def can_review_quality(user) -> bool:
    return permissions.can_review_quality(user)


@register.filter
def can_check_replies(user) -> bool:
    return permissions.can_check_replies(user)


@register.filter
def can_request_time_off(user) -> bool:
    return permissions.can_request_time_off(user)


@register.filter
def can_view_cx_results(user) -> bool:
    return permissions.can_view_cx_results(user)


@register.filter
def can_view_wallboard(user) -> bool:
    return permissions.can_view_wallboard(user)


@register.filter
def can_view_reports(user) -> bool:
    return permissions.can_view_reports(user)


@register.filter
def can_work_social(user) -> bool:
    return permissions.can_work_social(user)


@register.filter
def can_use_counters(user) -> bool:
    return permissions.can_use_counters(user)


@register.filter
def can_view_counter_figures(user) -> bool:
    return permissions.can_view_counter_figures(user)


@register.filter
def can_manage_training(user) -> bool:
    return permissions.can_manage_training(user)


@register.filter
def can_take_training(user) -> bool:
    return permissions.can_take_training(user)
