from django.urls import path

from cskh.reports import views

app_name = "reports"

urlpatterns = [
    path("wallboard/", views.wallboard, name="wallboard"),
    path("wallboard/tiles", views.wallboard_tiles, name="wallboard_tiles"),
    path("wallboard/live", views.wallboard_live, name="wallboard_live"),
    path("", views.index, name="index"),
    path("xuat/<str:code>.<str:fmt>", views.export_report, name="export"),
    path("vu-viec.csv", views.export_cases_csv, name="cases_csv"),
    path("xuat-nen/", views.export_start, name="export_start"),
    path("xuat-nen/<int:job_id>/", views.export_job, name="export_job"),
    path("xuat-nen/<int:job_id>/tai-ve", views.export_download, name="export_download"),
    path("dang-ky/", views.subscribe, name="subscribe"),
    path("dang-ky/<int:subscription_id>/huy", views.unsubscribe, name="unsubscribe"),
]
