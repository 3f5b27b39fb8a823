"""ASGI entry point used by `cskh serve` (uvicorn).

Only the live push stream (Server-Sent Events) needs ASGI: it holds a connection open for hours
without holding a thread. Every other request is ordinary synchronous Django, and Django's own
ASGI handler pays for that with several async<->sync hops and a new thread per request (measured:
~7 ms per request on this hardware, more than a whole customer lookup). So plain requests go to
the WSGI handler on a fixed pool of threads (cskh.wsgi_bridge), in one hop each way; the stream
goes to Django's ASGI handler.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cskh.settings")

from django.core.asgi import get_asgi_application  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from cskh.wsgi_bridge import WSGIBridge  # noqa: E402

#: Paths served by async views (long-lived streams).
ASYNC_PATHS = ("/desk/live",)

django_asgi = get_asgi_application()
django_wsgi = WSGIBridge(get_wsgi_application(), workers=int(os.environ.get("CSKH_THREADS", "4")))


def _warm_up() -> None:
    """Load what the first request would otherwise wait for (URL patterns and the modules behind
    them, text models, SLA calendars, wards: ~2 s)."""
    import logging

    from django.db import connections
    from django.urls import get_resolver

    from cskh.geo.selectors import wards_by_code
    from cskh.sla.services import warm_up as sla_warm_up
    from cskh.textintel.services import warm_up as text_warm_up

    try:
        get_resolver().url_patterns  # noqa: B018 - imports every app's views and API
        for warm_up in (text_warm_up, sla_warm_up, wards_by_code):
            warm_up()
    except Exception:  # e.g. database not migrated yet: requests will report it
        logging.getLogger("cskh").exception("warm-up failed")
    finally:
        connections.close_all()


if os.environ.get("CSKH_WARM_UP", "1") == "1":
    # uvicorn may import this module inside its event loop, where Django refuses database
    # work: warm up on a thread (nothing is served before the import returns).
    import threading

    _t = threading.Thread(target=_warm_up, name="cskh-warm-up")
    _t.start()
    _t.join()


async def application(scope, receive, send):
    if scope["type"] == "http" and not scope["path"].startswith(ASYNC_PATHS):
        await django_wsgi(scope, receive, send)
    else:
        await django_asgi(scope, receive, send)
