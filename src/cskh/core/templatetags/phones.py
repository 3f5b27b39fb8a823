"""`{% load phones %}{{ number|phone }}`: one way to print a Vietnamese phone number on every
page ("0379 193 193", how agents read numbers out), whatever form it is stored in."""

from django import template

from cskh.core.phones import display, try_e164

register = template.Library()


@register.filter
def phone(value: object) -> str:
    text = str(value or "")
    e164 = try_e164(text)
    return display(e164) if e164 else text
