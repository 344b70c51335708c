from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps  # a module: its AdminConfig is no default of this app


class OperatorsConfig(AppConfig):
    name = "imagesharing.operators"
    label = "operators"
    verbose_name = "Operations"


class OperationsAdminConfig(admin_apps.AdminConfig):
    """Django's admin with `OperationsSite` as `admin.site`; settings list it instead of the admin."""

    default = False
    default_site = "imagesharing.operators.site.OperationsSite"
