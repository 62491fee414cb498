"""Logs a council's IT team can feed to their log platform: one JSON object a line, each carrying the
id of the request it was written during, and errors to Sentry without personal data.

- `JsonFormatter`: a `logging.Formatter` writing a record as one JSON line (`LOG_FORMAT=json`, the
  default when DEBUG is off; settings.LOGGING).
- `request_id`: the id of the request being served, set by `cpc_tracker.middleware.RequestLogMiddleware`;
  every line logged while it is set carries it, and so do Django's own lines about a request
  ("Not Found: /x"), which name the request.
- `sentry_before_send`: strips query strings, bodies and cookies from an event before Sentry gets it.
"""

import contextvars
import datetime
import json
import logging

request_id = contextvars.ContextVar("request_id", default=None)

# A LogRecord's own attributes; anything else on a record was passed as `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_PLAIN = (str, int, float, bool, type(None))


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (UTC), level, logger, message, the request id, the record's
    plain extras (`extra={"status": 404}`; objects such as Django's `request` are left out) and the
    traceback, if any."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Django logs a request's 4xx and 5xx after the middleware has finished with it, passing the
        # request itself: its id is the one RequestLogMiddleware gave it.
        current = request_id.get() or getattr(getattr(record, "request", None), "id", None)
        if isinstance(current, str):
            entry["request_id"] = current
        for name, value in vars(record).items():
            if name not in _RECORD_ATTRIBUTES and name not in entry and isinstance(value, _PLAIN):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def sentry_before_send(event, hint):
    """Sentry's `before_send`: the request's query string, body and cookies never leave the server
    (filters can name people; form text can be an unpublished draft)."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("query_string", "data", "cookies"):
            request.pop(key, None)
    return event
