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
def can_view_cx_results(user) -> bool:
    return permissions.can_view_cx_results(user)
