from django.apps import AppConfig


class ServersConfig(AppConfig):
    name = "imagesharing.servers"
    label = "servers"
