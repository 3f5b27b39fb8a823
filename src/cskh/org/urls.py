from django.urls import path

from cskh.org import views

app_name = "org"

urlpatterns = [
    path("2fa/", views.otp_verify, name="otp_verify"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
]
