"""Logging filters used by settings.LOGGING."""

import logging


class NoTracebackFor4xx(logging.Filter):
    """A refused request (403, 404, 400) is logged as one warning line, not a traceback: Django attaches
    the PermissionDenied or Http404 exception to the record, which reads as a crash to a newcomer.
    5xx records keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
