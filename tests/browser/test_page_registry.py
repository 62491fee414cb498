"""Every URL name the app serves has an entry in pages.py (or a reason in NOT_PAGES), and every
entry names a URL that still exists. Fast: walks the URLconf, opens no browser."""

from django.urls import URLPattern, URLResolver, get_resolver

from .pages import NOT_PAGES, PAGES, ROLES

SKIPPED_NAMESPACES = {"admin"}


def url_names(resolver=None, namespace=""):
    """Every named URL pattern, with its namespaces ("recommendations:action-detail")."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_name_has_an_entry_in_pages_py():
    listed = {page.name for page in PAGES if page.routed} | set(NOT_PAGES)

    missing = sorted(url_names() - listed)

    assert not missing, f"Add these pages to tests/browser/pages.py PAGES (or NOT_PAGES, with a reason): {missing}"


def test_every_entry_in_pages_py_names_a_url_that_exists():
    names = url_names()

    gone = sorted({page.name for page in PAGES if page.routed} - names) + sorted(set(NOT_PAGES) - names)

    assert not gone, f"These URL names are in tests/browser/pages.py but no longer in the URLconf: {gone}"


def test_pages_py_lists_each_page_once_and_views_it_as_known_roles():
    names = [page.name for page in PAGES]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    unknown = sorted({role for page in PAGES for role in page.roles} - set(ROLES))

    assert not duplicates, f"Listed twice in PAGES: {duplicates}"
    assert not unknown, f"Roles not in tests/browser/pages.py ROLES: {unknown}"
    assert all(page.roles for page in PAGES), "Every page is viewed as at least one role"
