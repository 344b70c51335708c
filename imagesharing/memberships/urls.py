from django.urls import path

from . import views

app_name = "memberships"

urlpatterns = [
    path("shared/", views.inbox, name="inbox"),
    path("history/", views.history, name="history"),
    path("images/<uuid:image_id>/share/", views.share, name="share"),
    path("images/<uuid:image_id>/members/<int:tenant_id>/remove/", views.remove, name="remove"),
    path("images/<uuid:image_id>/status/", views.set_status, name="status"),
    path("images/<uuid:image_id>/report/", views.report, name="report"),
]
