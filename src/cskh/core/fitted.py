"""Models fitted from the data cskh ships (the default case-type model of each profile, the
sentiment model of case texts, the social listening models) are the same in every process:
the same code and the same training rows give the same model. Each process used to fit its own on first use, about 2 s of CPU inside
the first request each web worker served. joblib's Memory (a scikit-learn dependency) keeps the
fitted model on disk, keyed by the fitting function's code and arguments, so the first process
on a machine fits it and the others load it.

The fitting functions take the prepared training texts as arguments, so a change to the
shipped rows or to their preparation is a new key; the library versions are an argument too (a
model pickled by one scikit-learn is not loaded by another). The directory holds pickles the
service wrote itself: like the rest of CSKH_VAR_DIR, only the service account may write it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings

if TYPE_CHECKING:
    from joblib import Memory


@cache
def _memory(location: str) -> Memory:
    from joblib import Memory

    return Memory(location, verbose=0)


def cached[F: Callable[..., Any]](fit: F) -> F:
    """`fit`, its results kept on disk (`CSKH_MODEL_CACHE_DIR`)."""
    return cast(F, _memory(str(settings.CSKH_MODEL_CACHE_DIR)).cache(fit))


def fit_once[T](fit: Callable[..., T], *training: Any) -> T:
    """`fit(*training, versions)`, fitted once per machine and loaded from the disk after."""
    return cached(fit)(*training, library_versions())


def library_versions() -> tuple[str, ...]:
    """The versions a pickled model depends on: pass them to a cached fit."""
    from importlib.metadata import version

    return tuple(version(name) for name in ("scikit-learn", "numpy", "scipy", "joblib"))
