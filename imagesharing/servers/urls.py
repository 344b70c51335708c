from django.urls import path

from . import views

app_name = "servers"

urlpatterns = [
    path("", views.server_list, name="list"),
    path("boot/", views.boot, name="boot"),
    path("<uuid:server_id>/snapshot/", views.snapshot, name="snapshot"),
    path("<uuid:server_id>/delete/", views.delete, name="delete"),
]
