from django.apps import AppConfig


class PanelConfig(AppConfig):
    name = "imagesharing.panel"
    label = "panel"
