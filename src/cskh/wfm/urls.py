from django.urls import path

from cskh.wfm import views

app_name = "wfm"

urlpatterns = [
    path("wfm/", views.overview, name="overview"),
    path("wfm/roster/", views.roster, name="roster"),
    path("wfm/roster/generate", views.roster_generate, name="roster_generate"),
    path("wfm/roster/<int:schedule_id>/publish", views.roster_publish, name="roster_publish"),
    path("wfm/requests/<int:request_id>/decide", views.request_decide, name="request_decide"),
    path("wfm/requests/", views.requests_list, name="requests"),
    path("wfm/me/swap", views.swap_request, name="swap_request"),
    path("wfm/adherence/", views.adherence, name="adherence"),
    path("wfm/what-if/", views.what_if, name="what_if"),
    path("wfm/me/", views.my_shifts, name="me"),
]
