from django.apps import AppConfig


class OperatorsConfig(AppConfig):
    name = "imagesharing.operators"
    label = "operators"
    verbose_name = "Operations"
