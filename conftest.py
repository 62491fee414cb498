"""Shared pytest set-up. Settings: cpc_tracker/test_settings.py; the test database is PostgreSQL
(DATABASE_URL, set by `make test`)."""
