"""Settings for the test suite: the environment's defaults for tests, then the real settings.

Tests run with DEBUG off, as production does; static files are served unhashed so that
tests need no collectstatic. DATABASE_URL (PostgreSQL) comes from `make test`.
"""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("STATIC_MANIFEST", "false")
# Playwright's sync API runs an event loop in the test's thread; the ORM calls there are safe in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The test client and the live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
