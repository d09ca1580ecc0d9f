"""Logging helpers of the whole shop (configured in ``settings.LOGGING``)."""

import copy
import logging


class ClientErrorWithoutTraceback(logging.Filter):
    """A 4xx Django logs with its exception (a NUL in the URL, a customer on
    the admin login, a foreign Host header) is the client's mistake, expected
    and answered: one line says what and where, a traceback would only bury
    the server errors. 5xx keep theirs. The handler gets a copy, so other
    handlers (an error tracker) still see the exception.

    >>> record = logging.makeLogRecord({"status_code": 400, "exc_info": (ValueError, None, None)})
    >>> ClientErrorWithoutTraceback().filter(record).exc_info, record.exc_info[0]
    (None, <class 'ValueError'>)
    >>> ClientErrorWithoutTraceback().filter(logging.makeLogRecord({"status_code": 500, "exc_info": True}))
    True
    """

    def filter(self, record: logging.LogRecord) -> bool | logging.LogRecord:
        status = getattr(record, "status_code", None)
        if not (record.exc_info and isinstance(status, int) and 400 <= status < 500):
            return True
        one_line = copy.copy(record)
        one_line.exc_info = one_line.exc_text = None
        return one_line
