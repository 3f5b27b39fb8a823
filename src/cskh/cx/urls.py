from django.urls import path

from cskh.cx import views

app_name = "cx"

urlpatterns = [
    path("s/<str:token>", views.survey_page, name="survey"),
    path("s/<str:token>/huy", views.survey_opt_out, name="survey_opt_out"),
    path("gioi-thieu/<str:code>", views.referral_page, name="referral"),
    path("cx/", views.results, name="results"),
    path("cx/giu-chan/", views.save_desk, name="save_desk"),
    path("cx/giu-chan/<int:entry_id>/", views.save_entry, name="save_entry"),
    path("cx/goi-lai/", views.followup_list, name="followups"),
    path("cx/goi-lai/<int:followup_id>/", views.followup_outcome, name="followup_outcome"),
    path("cx/gioi-thieu/", views.referral_report, name="referrals"),
]
