from django.urls import path

from cskh.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.queue, name="queue"),
    path("privacy/requests/<int:request_id>/", views.request_detail, name="request"),
    path("privacy/customers/<int:customer_id>/", views.customer_page, name="customer"),
    path("privacy/customers/<int:customer_id>/export.json", views.export_json, name="export_json"),
    path("privacy/customers/<int:customer_id>/export", views.export_html, name="export_html"),
    path("privacy/customers/<int:customer_id>/request", views.file_request, name="file_request"),
    path("privacy/access-report", views.access_report, name="access_report"),
]
