import re

from django.urls import path, register_converter

from cskh.catalog.services import public_paths
from cskh.incidents import views


class SchedulePath:
    """The public schedule's path segment: one per profile (catalog.profiles terms)."""

    regex = "|".join(re.escape(p) for p in public_paths())

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SchedulePath, "schedule")

app_name = "incidents"

urlpatterns = [
    path("incidents/", views.incident_list, name="list"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="detail"),
    path("incidents/<int:incident_id>/transition", views.incident_transition, name="transition"),
    path("incidents/<int:incident_id>/update", views.incident_update, name="update"),
    path("incidents/planned/import", views.planned_import, name="import"),
    path("<schedule:slug>/", views.public_schedule, name="public_schedule"),
]
