"""Explicit extension points between apps (no Django signals).

settings.CSKH_HOOKS maps an event name to dotted paths of functions, called in order inside the
caller's transaction with keyword arguments. Apps that react to a case opening (incidents,
dispatch, notifications) are listed there, so the flow is readable in one place.
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _functions(event: str):
    return tuple(import_string(path) for path in getattr(settings, "CSKH_HOOKS", {}).get(event, ()))


def run(hook: str, /, **kwargs) -> None:
    for fn in _functions(hook):
        fn(**kwargs)
