from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "imagesharing.images"
    label = "images"
