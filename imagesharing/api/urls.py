"""The Glance-compatible image API, one endpoint per region: /api/<region>/..."""

from django.urls import path, re_path

from imagesharing.api import views
from imagesharing.api.dispatch import not_found

app_name = "api"

urlpatterns = [
    re_path(r"^(?P<region>[^/]+)/?$", views.versions_root, name="root"),
    path("<str:region>/versions", views.versions, name="versions"),
    path("<str:region>/v2/schemas/<str:name>", views.schema, name="schema"),
    path("<str:region>/v2/images", views.images, name="images"),
    path("<str:region>/v2/images/<str:image_id>", views.image, name="image"),
    path("<str:region>/v2/images/<str:image_id>/file", views.image_file, name="file"),
    path("<str:region>/v2/images/<str:image_id>/members", views.members, name="members"),
    path("<str:region>/v2/images/<str:image_id>/members/<str:member_id>", views.member, name="member"),
    # Everything else under /api/: a JSON 404.
    re_path(r"^(?P<path>.*)$", not_found),
]
