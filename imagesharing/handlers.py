"""The last answer to a request that failed: 503 while the database cannot be reached, else 500.

Django calls `server_error` (handler500) for any exception nothing else answered,
with the exception still in flight. A request that failed because the database is
down gets 503 with `Retry-After`, in the API's JSON error shape or as the panel's
page, both rendered without touching the database. Anything else stays a 500 (and
Django has logged it).
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

from imagesharing.api.errors import error_response

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "The service cannot reach its database just now; nothing was changed. Try again in a few seconds."


def database_unreachable(error: BaseException | None) -> bool:
    """Whether `error` came from a database that cannot be reached now (not from a bad query)."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    try:
        with connection.cursor() as cursor:  # a fresh connection if the last one broke
            cursor.execute("SELECT 1")
    except DatabaseError:
        connection.close()  # the next request connects anew, as soon as the database is back
        return True
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    if not database_unreachable(sys.exc_info()[1]):
        return django_server_error(request)
    if request.path_info.startswith(API_PREFIX):
        response: HttpResponse = error_response(503, UNAVAILABLE)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
