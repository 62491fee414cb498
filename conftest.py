"""Shared pytest set-up: the test database is PostgreSQL (DATABASE_URL, set by `make test`)."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
