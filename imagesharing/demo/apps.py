from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "imagesharing.demo"
    label = "demo"
