from django.http import HttpRequest

from cskh.catalog import services
from cskh.catalog.profiles import ProfileTerms


def terms(request: HttpRequest) -> dict[str, ProfileTerms]:
    """`{{ terms.work_order }}`, `{{ terms.planned }}`…: the active profile's words."""
    return {"terms": services.terms()}
