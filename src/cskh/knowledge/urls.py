from django.urls import path

from cskh.knowledge import views

app_name = "kb"

urlpatterns = [
    path("", views.index, name="search"),
    path("new", views.article_new, name="new"),
    path("<int:article_id>/", views.article_detail, name="article"),
    path("<int:article_id>/edit", views.article_edit, name="edit"),
    path("<int:article_id>/flag", views.article_flag, name="flag"),
    path("versions/<int:version_id>/approve", views.version_approve, name="approve"),
    path("versions/<int:version_id>/reject", views.version_reject, name="reject"),
    path("flags/<int:flag_id>/resolve", views.flag_resolve, name="flag_resolve"),
    path("canned/", views.canned_list, name="canned"),
    path("canned/new", views.canned_edit, name="canned_new"),
    path("canned/<int:answer_id>/edit", views.canned_edit, name="canned_edit"),
    path("canned/versions/<int:version_id>/decide", views.canned_decide, name="canned_decide"),
]
