"""The product's URLs plus two bench views, served by the same gunicorn, settings and
middleware, so that the product keeps no bench hook: `/bench-hello/`, the floor a page is
measured against (bench/pages.py), and `/bench-insert/`, the stack's ceiling for a write
(one INSERT, bench/members.py)."""

import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from imagesharing.jobs.models import Schedule
from imagesharing.urls import handler400, handler500
from imagesharing.urls import urlpatterns as product_urls

__all__ = ["handler400", "handler500", "urlpatterns"]


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> JsonResponse:
    """One INSERT in a transaction, answered in JSON: what a member call could cost at best."""
    row = Schedule.objects.create(job=uuid.uuid4().hex, due_at=timezone.now())
    return JsonResponse({"job": row.job}, status=201)


urlpatterns = [path("bench-hello/", hello), path("bench-insert/", insert), *product_urls]
