from django.urls import path

from cskh.dispatch import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("backlog/", views.backlog, name="backlog"),
    path("wo/<int:wo_id>/", views.detail, name="detail"),
    path("wo/<int:wo_id>/accept", views.accept, name="accept"),
    path("wo/<int:wo_id>/note", views.note, name="note"),
    path("wo/<int:wo_id>/request-info", views.request_info, name="request_info"),
    path("wo/<int:wo_id>/complete", views.complete, name="complete"),
    path("wo/<int:wo_id>/reject", views.reject, name="reject"),
    path("wo/<int:wo_id>/answer", views.answer, name="answer"),
    path("wo/<int:wo_id>/cancel", views.cancel, name="cancel"),
    path("wo/<int:wo_id>/redispatch", views.redispatch, name="redispatch"),
    path("wo/<int:wo_id>/files/<int:att_id>", views.attachment, name="file"),
    path("cases/<str:number>/", views.case_dispatch, name="case"),
]
