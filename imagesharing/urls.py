from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("imagesharing.api.urls")),
    path("", include("imagesharing.panel.urls")),
]

# Django renders 403.html and 404.html itself; 400 gets the request, for the header;
# 500 becomes a 503 while the database cannot be reached.
handler400 = "imagesharing.panel.errors.bad_request"
handler500 = "imagesharing.handlers.server_error"
