"""The product's URLs plus `/bench-hello/`: the floor a page is measured against, served
by the same gunicorn, settings and middleware, so the product keeps no bench hook."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from imagesharing.urls import handler400, handler500
from imagesharing.urls import urlpatterns as product_urls

__all__ = ["handler400", "handler500", "urlpatterns"]


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench-hello/", hello), *product_urls]
