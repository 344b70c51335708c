"""Log lines for refused requests, and for requests answered 503 while the database is out of
reach: one short line each, however long or strange the input or however long the outage."""

import logging

MAX_MESSAGE = 200


class RefusalsOnOneLine(logging.Filter):
    """A refused request (4xx, or a suspicious one) is logged as one line: no traceback, and values
    from outside (a 5,000-character boundary, a forged host) cut short. A 503 (the database out of
    reach, see handlers.py) is one line too, naming the error: an outage would otherwise write a
    traceback per request. Real server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        refused = record.name.startswith("django.security") or (status is not None and status < 500)
        if refused or status == 503:
            message = record.getMessage()
            if status == 503 and record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                message += f" ({type(error).__name__}: {str(error).strip()})"
            message = " ".join(message.split())
            if len(message) > MAX_MESSAGE:
                message = message[:MAX_MESSAGE] + "…"
            record.msg, record.args = message, ()
            record.exc_info = record.exc_text = record.stack_info = None
        return True
