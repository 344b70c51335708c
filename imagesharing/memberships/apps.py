from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "imagesharing.memberships"
    label = "memberships"
