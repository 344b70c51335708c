from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "imagesharing.jobs"
    verbose_name = "Scheduled jobs"
