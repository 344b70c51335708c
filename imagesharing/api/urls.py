"""The Glance-compatible image API, one endpoint per region: /api/<region>/..."""

app_name = "api"

urlpatterns: list = []
