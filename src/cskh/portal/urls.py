from django.urls import path

from cskh.portal import views

app_name = "kh"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.signin, name="signin"),
    path("dang-nhap/ma/", views.verify, name="verify"),
    path("dang-xuat/", views.signout, name="signout"),
    path("yeu-cau/", views.my_requests, name="requests"),
    path("yeu-cau/moi/", views.new_request, name="new"),
    path("yeu-cau/<str:number>/", views.case_detail, name="case"),
    path("yeu-cau/<str:number>/tra-loi", views.case_reply, name="reply"),
    path("yeu-cau/<str:number>/mo-lai", views.case_reopen, name="reopen"),
    path("anh/<int:photo_id>", views.photo, name="photo"),
    path("su-co/", views.outage_status, name="outages"),
    path("tra-cuu/", views.track, name="track"),
    path("tro-giup/", views.help_index, name="help"),
    path("tro-giup/<slug:slug>/", views.help_article, name="help_article"),
]
