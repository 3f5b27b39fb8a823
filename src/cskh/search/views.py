from django.shortcuts import render
from django.template.loader import select_template
from django.views.decorators.cache import never_cache

from cskh.core import hooks
from cskh.core.errors import DomainError
from cskh.core.phones import try_e164
from cskh.search import selectors


@never_cache
def search_page(request):
    """The desk's global search (login required by middleware). HTMX requests get the results
    fragment only. The page's forms POST (CSRF-checked), so a phone number typed in stays out
    of URLs, browser history and access logs; GET is still answered (old links, the "older"
    link of a non-phone query)."""
    source = request.POST if request.method == "POST" else request.GET
    q = source.get("q", "")
    kind = source.get("kind") or None
    cursor = source.get("cursor") or None
    phone = try_e164(q) if q.strip() else None
    hits: list[selectors.Hit] = []
    error, status, next_cursor = "", 200, None
    if q.strip():
        try:
            hits, next_cursor = selectors.search_page(
                request.user, q, kind=kind, limit=30, cursor=cursor
            )
        except DomainError as exc:
            error, status = str(exc.message), exc.status
    if phone:  # audit of reads, as the desk's look-up: who searched which phone, whose data
        hooks.run(
            "customer_read",
            user=request.user,
            customer_ids=[h.object_id for h in hits if h.kind == "customer"] or [None],
            action="search",
            detail=phone,
        )
    base = select_template(["desk/base_desk.html", "base.html"]).template.name
    context = {
        "q": q,
        # a phone-like query pages with a POST form, never a link carrying the number
        "q_is_phone": sum(ch.isdigit() for ch in q) >= 8,
        "kind": kind or "",
        "hits": hits,
        "next_cursor": next_cursor,
        "error": error,
        "kinds": selectors.KINDS,
        "base_template": base,
        "nav": "search",
    }
    template = "search/_results.html" if request.headers.get("HX-Request") else "search/page.html"
    return render(request, template, context, status=status)
