"""Templates keep to the apps' boundaries (issue 10, "Cycles out"); imports are checked by `lint-imports`.

An app's templates load only their own app's template tags or cpc_tracker's (site-wide: pagination,
charts that know no app), and third-party ones. The site's templates (templates/) load only
cpc_tracker's and third-party tags, except the home page's: cpc_tracker.home is the composition root.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines

APPS = ["cpc_tracker", "recommendations", "reviews", "reports"]
COMPOSITION_ROOT_TEMPLATES = {"home.html"}
LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")


def libraries_loaded(path):
    for match in LOAD.finditer(path.read_text()):
        names = match.group(1).split()
        yield from names[names.index("from") + 1 :] if "from" in names else names


def owner(library):
    module = engines["django"].engine.libraries[library]
    return module.split(".")[0]


def template_files():
    site = Path(settings.BASE_DIR) / "templates"
    for path in sorted(site.rglob("*.html")):
        if str(path.relative_to(site)) not in COMPOSITION_ROOT_TEMPLATES:
            yield "cpc_tracker", path
    for app in APPS[1:]:
        for path in sorted((Path(settings.BASE_DIR) / app / "templates").rglob("*.html")):
            yield app, path


@pytest.mark.parametrize(("app", "path"), list(template_files()), ids=lambda value: str(value))
def test_templates_load_only_their_apps_or_site_wide_tags(app, path):
    for library in libraries_loaded(path):
        library_owner = owner(library)
        assert library_owner not in APPS or library_owner in {app, "cpc_tracker"}, (
            f"{path} loads {library!r}, template tags of {library_owner}: move the tags to cpc_tracker "
            f"if several apps' templates need them"
        )
