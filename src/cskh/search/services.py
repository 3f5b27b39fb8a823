"""The search app's writers, as other apps, commands, tests and benchmarks import them: the
index is kept in sync by cskh.search.indexing, over one backend per database
(cskh.search.backends)."""

from cskh.search.indexing import (
    KINDS,
    index_article,
    index_case,
    index_customer,
    index_new_case,
    index_sizes,
    rebuild,
)

__all__ = [
    "KINDS",
    "index_article",
    "index_case",
    "index_customer",
    "index_new_case",
    "index_sizes",
    "rebuild",
]
