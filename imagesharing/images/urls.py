from django.urls import path

from . import views

app_name = "images"

urlpatterns = [
    path("", views.image_list, name="list"),
    path("import/", views.image_import, name="import"),
    path("<uuid:image_id>/upload/", views.image_upload, name="upload"),
    path("<uuid:image_id>/", views.image_detail, name="detail"),
    path("<uuid:image_id>/edit/", views.image_edit, name="edit"),
    path("<uuid:image_id>/delete/", views.image_delete, name="delete"),
    path("<uuid:image_id>/download/", views.image_download, name="download"),
]
