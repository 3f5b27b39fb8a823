from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cskh.api"
    label = "api"
