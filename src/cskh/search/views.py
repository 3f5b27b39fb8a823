from django.shortcuts import render
from django.template.loader import select_template

from cskh.core.errors import DomainError
from cskh.search import selectors


def search_page(request):
    """The desk's global search (login required by middleware). HTMX requests get the results
    fragment only."""
    q = request.GET.get("q", "")
    kind = request.GET.get("kind") or None
    cursor = request.GET.get("cursor") or None
    hits: list[selectors.Hit] = []
    error, status, next_cursor = "", 200, None
    if q.strip():
        try:
            hits, next_cursor = selectors.search_page(
                request.user, q, kind=kind, limit=30, cursor=cursor
            )
        except DomainError as exc:
            error, status = str(exc.message), exc.status
    base = select_template(["desk/base_desk.html", "base.html"]).template.name
    context = {
        "q": q,
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
