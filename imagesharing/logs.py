"""Log lines for refused requests: one short line each, however long or strange the input."""

import logging

MAX_MESSAGE = 200


class RefusalsOnOneLine(logging.Filter):
    """A refused request (4xx, or a suspicious one) is logged as one line: no traceback, and values
    from outside (a 5,000-character boundary, a forged host) cut short. Server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        refused = record.name.startswith("django.security") or (status is not None and status < 500)
        if refused:
            message = " ".join(record.getMessage().split())
            if len(message) > MAX_MESSAGE:
                message = message[:MAX_MESSAGE] + "…"
            record.msg, record.args = message, ()
            record.exc_info = record.exc_text = record.stack_info = None
        return True
