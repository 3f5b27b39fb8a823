from django.urls import path

from cskh.incidents import views

app_name = "incidents"

urlpatterns = [
    path("incidents/", views.incident_list, name="list"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="detail"),
    path("incidents/<int:incident_id>/transition", views.incident_transition, name="transition"),
    path("incidents/<int:incident_id>/update", views.incident_update, name="update"),
    path("incidents/planned/import", views.planned_import, name="import"),
    path("lich-ngung-cung-cap-dien/", views.public_schedule, name="public_schedule"),
]
