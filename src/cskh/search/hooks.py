"""Hook functions listed in settings.CSKH_HOOKS: keep the search index in sync, inside the
caller's transaction (an indexing failure rolls the change back, so the index never lags)."""

from cskh.search import services


def case_opened(*, case, **_kw) -> None:
    services.index_new_case(case)


def case_changed(*, case, **_kw) -> None:
    """case_transitioned, case_replied, case_noted, case_assigned."""
    services.index_case(case)


def customer_changed(*, customer, **_kw) -> None:
    """customer_changed (create, update, phone or service point added)."""
    services.index_customer(customer)


def article_changed(*, article, **_kw) -> None:
    """article_changed (a version approved or rejected)."""
    services.index_article(article)
