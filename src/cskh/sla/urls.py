from django.urls import path

from cskh.sla import views

app_name = "sla"
urlpatterns = [path("compliance/", views.compliance, name="compliance")]
