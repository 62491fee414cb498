"""Health checks for a load balancer or orchestrator.

- `/healthz` (liveness): the process answers; touches nothing else, so a database outage does not
  get every app server restarted. 200, text "ok".
- `/readyz` (readiness): the process can serve pages: the database answers a query, the cache
  stores and returns a value, and the default file storage answers. 200 with each part "ok", or
  503 naming the part that failed. Neither says anything about versions, settings or errors.

Both are GET-only, public and never cached, and are exempt from SECURE_SSL_REDIRECT (a probe
speaks plain HTTP to the app server); the Host header must still be one of ALLOWED_HOSTS.
"""

import logging
import uuid

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

STORAGE_PROBE = "readyz-probe"


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("the database did not answer SELECT 1")


def check_cache():
    key, value = f"readyz-{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)


def check_storage():
    default_storage.exists(STORAGE_PROBE)  # raises if the storage cannot be reached


CHECKS = {"database": check_database, "cache": check_cache, "storage": check_storage}


@never_cache
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@never_cache
@require_GET
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # any failure means "not ready"; the details go to the log, not the response
            logger.exception("Readiness check failed: %s", name)
            results[name] = "failing"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(results, status=200 if ready else 503)
