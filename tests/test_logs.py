"""Issue 9, item 9: a refused request is one short log line, without a traceback; a fault keeps its."""

import io
import logging
import sys

import pytest
from django.db import OperationalError
from django.test import Client

from imagesharing.logs import MAX_MESSAGE, RefusalsOnOneLine


def record_of(status: int, message: str, *args) -> logging.LogRecord:
    try:
        raise ValueError("from outside: " + "-" * 5000)
    except ValueError:
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, message, args, sys.exc_info())
    record.status_code = status
    return record


@pytest.mark.django_db
def test_a_forged_host_of_5000_characters_is_one_short_line():
    [console] = [h for h in logging.getLogger().handlers if any(isinstance(f, RefusalsOnOneLine) for f in h.filters)]
    written = io.StringIO()
    before = console.setStream(written)
    try:
        response = Client().get("/login/", headers={"Host": "x" * 5000})
    finally:
        console.setStream(before)
    assert response.status_code == 400
    [line] = [line for line in written.getvalue().splitlines() if "HTTP_HOST" in line]
    assert len(line) <= MAX_MESSAGE + 1 and "Traceback" not in written.getvalue()


def test_a_4xx_record_loses_its_traceback_and_is_cut_short():
    record = record_of(400, "Bad Request: %s\n%s", "/x/", "-" * 5000)
    assert RefusalsOnOneLine().filter(record)
    assert record.exc_info is None and len(record.getMessage()) == MAX_MESSAGE + 1
    assert "\n" not in record.getMessage()


def test_a_server_error_keeps_its_traceback():
    record = record_of(500, "Internal Server Error: %s", "/")
    assert RefusalsOnOneLine().filter(record)
    assert record.exc_info is not None and record.getMessage() == "Internal Server Error: /"


def test_a_503_of_an_outage_is_one_line_naming_the_error():
    try:
        raise OperationalError('connection failed: connection to server at "127.0.0.1", port 1 failed\nRefused')
    except OperationalError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Service Unavailable: %s",
            ("/api/dfw/v2/images",),
            sys.exc_info(),
        )
    record.status_code = 503
    assert RefusalsOnOneLine().filter(record)
    assert record.exc_info is None
    assert record.getMessage().startswith(
        "Service Unavailable: /api/dfw/v2/images (OperationalError: connection failed: connection to server"
    )
    assert "\n" not in record.getMessage()
