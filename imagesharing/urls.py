from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("imagesharing.api.urls")),
    path("", include("imagesharing.panel.urls")),
]

# Django renders 403.html, 404.html and 500.html itself; 400 gets the request, for the header.
handler400 = "imagesharing.panel.errors.bad_request"
