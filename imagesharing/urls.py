from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("imagesharing.api.urls")),
    path("", include("imagesharing.accounts.urls")),
    path("images/", include("imagesharing.images.urls")),
    path("servers/", include("imagesharing.servers.urls")),
    path("", include("imagesharing.memberships.urls")),
]
