"""Customer portal demo content: the customer-facing knowledge articles (procedures, papers
to bring, time limits, safety, general information) are shown on the portal's help pages.
The README's example customer (0901234567, cskh.demo.floor) signs in with a code that the
development SMS backend writes to the console log."""

from __future__ import annotations

CUSTOMER_TOPICS = ("procedure", "documents", "time_limit", "safety", "general", "tariff")


def build() -> dict[str, int]:
    from cskh.knowledge import selectors as kb_selectors
    from cskh.knowledge import services as kb

    n = 0
    for version in kb_selectors.live_versions():
        article = version.article
        if article.topic in CUSTOMER_TOPICS and not article.public:
            kb.set_public(article=article, public=True)
            n += 1
    return {"public_articles": n}
