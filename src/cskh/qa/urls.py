from django.urls import path

from cskh.qa import views

app_name = "qa"

urlpatterns = [
    path("check-reply", views.check_reply_partial, name="check_reply"),
    path("reviews/", views.queue, name="queue"),
    path("reviews/sample", views.sample, name="sample"),
    path("reviews/<int:review_id>/", views.detail, name="review"),
    path("reviews/<int:review_id>/score", views.score, name="score"),
    path("reviews/<int:review_id>/answer", views.answer, name="answer"),
    path("reviews/<int:review_id>/calibrate", views.calibrate, name="calibrate"),
    path("mine/", views.mine, name="mine"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
