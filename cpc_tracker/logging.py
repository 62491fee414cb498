"""Logs a council's IT team can feed to their log platform: one JSON object a line, each carrying the
id of the request it was written during, and errors to Sentry without personal data.

- `JsonFormatter`: a `logging.Formatter` writing a record as one JSON line (`LOG_FORMAT=json`, the
  default when DEBUG is off; settings.LOGGING).
- `request_id`: the id of the request being served, set by `cpc_tracker.middleware.RequestLogMiddleware`;
  every line logged while it is set carries it, and so do Django's own lines about a request
  ("Not Found: /x"), which name the request.
- `sentry_before_send`: strips query strings, bodies and cookies from an event before Sentry gets it.
- `secret_free_path` / `RedactSecretLinks`: secrets in links (an invitation's or a password reset's
  token) never reach a log line or Sentry, whoever writes the line: the request log, Django's own
  ("Forbidden (CSRF token missing.): /invitations/…") or an error.
"""

import contextvars
import datetime
import json
import logging

request_id = contextvars.ContextVar("request_id", default=None)

# URL arguments that are secrets (invitation and password-reset links).
SECRET_URL_ARGUMENTS = ("token", "uidb64")


def secret_free_path(path, match=None):
    """`path` with each secret URL argument replaced by "[redacted]". `match` is the path's
    ResolverMatch when the caller has it; otherwise the path is resolved here."""
    from django.urls import Resolver404, resolve

    if match is None:
        try:
            match = resolve(path)
        except Resolver404:
            return path
    for name in SECRET_URL_ARGUMENTS:
        value = match.kwargs.get(name)
        if value:
            path = path.replace(str(value), "[redacted]")
    return path


class RedactSecretLinks(logging.Filter):
    """On the log handler: a line about a request (Django names it with `extra={"request": ...}`)
    has the request's path made secret-free wherever the line quotes it."""

    def filter(self, record):
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path:
            safe = secret_free_path(path, getattr(request, "resolver_match", None))
            if safe != path:
                record.msg = str(record.msg).replace(path, safe)
                if isinstance(record.args, tuple):
                    record.args = tuple(a.replace(path, safe) if isinstance(a, str) else a for a in record.args)
        return True


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
        if isinstance(request.get("url"), str):
            from urllib.parse import urlsplit, urlunsplit

            url = urlsplit(request["url"])
            request["url"] = urlunsplit(url._replace(path=secret_free_path(url.path), query=""))
    return event
