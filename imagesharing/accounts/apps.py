from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "imagesharing.accounts"
    label = "accounts"
