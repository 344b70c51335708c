from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "imagesharing.api"
    label = "api"
