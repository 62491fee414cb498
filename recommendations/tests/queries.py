"""Counting the SQL queries a page makes, for query-budget tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

# Signing in costs the session, the user, their roles at councils (memberships), their Django
# permissions (own and groups') and the header's count of their unread notifications: six queries a page.
SIGNED_IN_QUERIES = 6


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(queries)
