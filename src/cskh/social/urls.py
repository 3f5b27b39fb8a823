from django.urls import path

from cskh.social import views

app_name = "social"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("check-reply", views.check_reply, name="check_reply"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/ack", views.acknowledge, name="acknowledge"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.export_csv, name="export"),
    path("dashboard.xlsx", views.export_xlsx, name="export_xlsx"),
    path("m/<int:mention_id>/", views.detail, name="mention"),
    path("m/<int:mention_id>/assign", views.assign_me, name="assign"),
    path("m/<int:mention_id>/confirm", views.confirm_customer, name="confirm"),
    path("m/<int:mention_id>/reject", views.reject_customer, name="reject"),
    path("m/<int:mention_id>/close", views.close, name="close"),
    path("m/<int:mention_id>/reply", views.reply, name="reply"),
    path("r/<int:reply_id>/send", views.send_reply, name="send"),
    path("r/<int:reply_id>/approve", views.approve_reply, name="approve"),
]
