"""Time every page of CPC Tracker against a large data set: `make bench`.

    python -m benchmarks.pages [--reuse] [--write-doc] [--challenges 50] [--requests 30] [--only TEXT]

1. Drops and re-creates the database `cpc_tracker_bench` (same server and role as DATABASE_URL,
   never the developers' `cpc_tracker`), migrates it and fills it (benchmarks/dataset.py).
   `--reuse` keeps the database if it already holds a data set of the same shape.
2. Walks the URLconf, so a new page is measured without anyone remembering to add it. `admin/`,
   sign-in and sign-out and views that answer only POST are left out. Each pattern's URL
   arguments are filled from the data set: the model is guessed from the path segment before the
   last argument ("actions/<int:pk>/" -> Action), else the view's `model`, else the route name;
   ROUTE_MODELS overrides the guess and ROUTE_VARIANTS picks which objects (e.g. draft and issued
   reports); ROUTE_QUERIES adds query strings to pages of no object (filters, a search). A pattern
   it cannot fill stops the run (exit 2) with a list of what needs a filler.
3. Public pages are requested anonymously and as a signed-in scrutiny committee member; pages that
   send anonymous users to the sign-in page are requested as the least powerful role that gets a
   200 (ROUTE_ROLES overrides). Requests go through django.test.Client, in-process: no network,
   no WSGI server, the database connection kept open. scripts/load-test.sh covers the rest.
4. Per page: 3 warm-up requests, then 30 timed ones (time.perf_counter) spread over up to 10
   objects from different challenges; the median and 95th percentile, and the SQL queries per
   request (CaptureQueriesContext, counted on separate, untimed requests). The query count for an
   object of the big set is compared with that for the tiny `bench-small` challenge: if they
   differ, the page's queries grow with the data (an N+1) and it says NO.
5. Prints a Markdown table (and writes it into docs/performance.md with --write-doc). Exits 1 if a
   page did not answer 200; missed time targets are reported, not fatal.
"""

import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks import BENCH_DATABASE

TARGET_MEDIAN_MS = 50
TARGET_P95_MS = 150
ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
DOC_START = "<!-- bench:start (written by `python -m benchmarks.pages --write-doc`; edits inside are lost) -->"
DOC_END = "<!-- bench:end -->"

ANONYMOUS = "anonymous"
SCRUTINY = "scrutiny member"
LEAD_OFFICER = "lead officer"  # the officer who leads the object's actions (each challenge has its own)
COORDINATOR = "coordinator"

# Which model fills a route's URL arguments is guessed from the path segment before its last
# argument ("actions/<int:pk>/update/" -> Action, "challenges/<slug>/themes/<int:number>/" -> Theme),
# then the view's model, then the route name. Where that guess is wrong: route -> model label.
ROUTE_MODELS: dict = {"recommendations:invitation-create": "recommendations.Council"}
# Routes that answer only for some objects, or differ by kind of object: route -> [(variant, filter)].
# Each variant is measured as its own row, e.g. an issued report (a stored snapshot) and a draft one
# (built from the plan on every request).
ROUTE_VARIANTS = {
    "recommendations:update-return": [(None, {"approval": "awaiting"})],
    "reports:report-detail": [("issued", {"issued_at__isnull": False}), ("draft", {"issued_at__isnull": True})],
    "reports:report-pdf": [("issued", {"issued_at__isnull": False})],
    "reports:report-issue": [(None, {"issued_at__isnull": True})],
    "recommendations:round-detail": [("open", {"closed_at__isnull": True}), ("closed", {"closed_at__isnull": False})],
    "recommendations:round-close": [(None, {"closed_at__isnull": True})],
    "recommendations:round-my-updates": [(None, {"closed_at__isnull": True})],
    # Internal indicators are not found by the public: measured as the least powerful role that reads them.
    "reviews:indicator-detail": [("public", {"public": True}), ("internal", {"public": False})],
}
# Pages of no object that are also measured with a query string (filters, a search): route ->
# [(variant, query string)]; the variant None is the page as it is first shown.
ROUTE_QUERIES = {
    # The LGA overview: every challenge, and those of one type of council in one region (the data
    # set's councils 1, 46, 91, ...: benchmarks/dataset.py gives types and regions in turn).
    "recommendations:overview": [(None, ""), ("filtered", "kind=county&region=north_west")],
    # Search: the empty form; a word in about one progress update in seventy; a phrase in every
    # update's next steps (more matches than are ranked: reports.search.SCAN_CAP).
    "reports:search": [(None, ""), ("a word", "q=policy"), ("in every update", "q=scrutiny+committee")],
}
# Routes for signed-in users whose page depends on who is asking: route -> roles to measure.
# Other sign-in pages are measured as the least powerful role that gets a 200.
ROUTE_ROLES = {
    "recommendations:my-actions": [LEAD_OFFICER, COORDINATOR],
    "recommendations:progress-update-create": [LEAD_OFFICER],
    "recommendations:round-my-updates": [LEAD_OFFICER],
}
# Routes left out, and why.
SKIPPED_ROUTES = {
    "login": "sign-in",
    "logout": "sign-out",
    "recommendations:start": "redirects to the person's start page, which is measured itself",
    "recommendations:notification-open": "marks a notification read and redirects to its page",
    "recommendations:invitation-accept": "needs the secret token of an invitation e-mail",
    "password_reset_confirm": "needs the secret token of a password-reset e-mail",
    "two-factor-verify": "a step of signing in, after the password",
    "two-factor-setup": "a step of signing in, for someone who must set up an authenticator app",
    "recommendations:evidence-file": "a file download, not a page: its queries are counted in "
    "recommendations/tests/test_evidence.py",
}
SKIPPED_PREFIXES = ("admin/",)


# --------------------------------------------------------------------------------------------
# The database, before Django starts


def database_urls():
    """(bench URL, maintenance URL, source database name), from DATABASE_URL's server and role."""
    source = os.environ.get("DATABASE_URL", "postgres:///cpc_tracker")
    parts = urlsplit(source)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        sys.exit(f"make bench needs PostgreSQL: DATABASE_URL is {source!r}")
    query = f"?{parts.query}" if parts.query else ""

    def with_name(name):
        return f"{parts.scheme}://{parts.netloc}/{name}{query}"

    return with_name(BENCH_DATABASE), with_name("postgres"), parts.path.lstrip("/")


def _libpq(url):
    # libpq knows postgres:// and postgresql://; django-environ's other spellings are the same thing.
    return re.sub(r"^(pgsql|postgis)://", "postgresql://", url)


def database_exists(maintenance_url):
    import psycopg2

    with psycopg2.connect(_libpq(maintenance_url)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE])
        found = cursor.fetchone() is not None
    conn.close()
    return found


def recreate_database(maintenance_url):
    import psycopg2

    conn = psycopg2.connect(_libpq(maintenance_url))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    conn.close()


def configure_environment(bench_url):
    os.environ["DJANGO_SETTINGS_MODULE"] = "cpc_tracker.settings"
    os.environ["DATABASE_URL"] = bench_url
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = "bench-only-secret-key-never-used-outside-benchmarks-0123456789"
    os.environ["STATIC_MANIFEST"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"


# --------------------------------------------------------------------------------------------
# The pages: walking the URLconf and filling each pattern's arguments


@dataclass
class Route:
    name: str  # namespaced, e.g. "recommendations:action-detail"
    pattern: str  # e.g. "actions/<int:pk>/"
    kwargs: list
    view_class: object


@dataclass
class Sample:
    """One URL to request, and the challenge it belongs to (whose officer is the 'lead officer')."""

    url: str
    challenge: object


def walk(patterns, prefix="", namespace=None, kwargs=()):
    from django.urls import URLResolver

    for entry in patterns:
        names = [*kwargs, *entry.pattern.regex.groupindex]
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from walk(entry.url_patterns, route, inner, names)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(name, route, names, getattr(entry.callback, "view_class", None))


def discover_routes():
    """(routes to measure, [(pattern, why it is left out)])."""
    from django.urls import get_resolver

    routes, skipped, seen = [], [], set()
    for route in walk(get_resolver().url_patterns):
        if route.pattern.startswith(SKIPPED_PREFIXES):
            continue
        if route.name is None:
            skipped.append((route.pattern, "no name"))
        elif route.name in SKIPPED_ROUTES:
            skipped.append((route.pattern, SKIPPED_ROUTES[route.name]))
        elif route.view_class is not None and (
            "get" not in route.view_class.http_method_names or not hasattr(route.view_class, "get")
        ):
            skipped.append((route.pattern, "answers POST only"))
        elif route.name in seen:
            skipped.append((route.pattern, f"name {route.name} already measured"))
        else:
            seen.add(route.name)
            routes.append(route)
    return routes, skipped


def challenge_paths():
    """Model -> the lookup from it to its peer challenge, for every model a page can be about."""
    from django.apps import apps

    paths = {
        apps.get_model("recommendations.Council"): "peer_challenges",
        apps.get_model("recommendations.PeerChallenge"): None,
        apps.get_model("recommendations.Theme"): "challenge",
        apps.get_model("recommendations.Recommendation"): "challenge",
        apps.get_model("recommendations.Action"): "recommendation__challenge",
        apps.get_model("recommendations.ProgressUpdate"): "action__recommendation__challenge",
        apps.get_model("recommendations.UpdateRound"): "challenge",
        apps.get_model("reviews.ProgressReview"): "challenge",
        apps.get_model("reviews.PeerTeamMember"): "review__challenge",
        apps.get_model("reviews.Finding"): "review__challenge",
        apps.get_model("reviews.Consideration"): "review__challenge",
        apps.get_model("reviews.Indicator"): "challenge",
        apps.get_model("reviews.IndicatorValue"): "indicator__challenge",
    }
    if apps.is_installed("reports"):
        paths[apps.get_model("reports.CommitteeReport")] = "challenge"
    return paths


def _model_named(word, paths):
    """The one model whose name is `word` or ends with it ("update" -> ProgressUpdate), or None."""
    word = word.replace("-", "").replace("_", "").lower()
    for candidate in (word, word[:-1] if word.endswith("s") else None):
        if not candidate:
            continue
        exact = [m for m in paths if m._meta.model_name == candidate]
        suffix = [m for m in paths if m._meta.model_name.endswith(candidate)]
        for found in (exact, suffix):
            if len(found) == 1:
                return found[0]
    return None


def route_model(route, paths):
    """The model whose objects fill the route's URL arguments, and why not if there is none."""
    from django.apps import apps

    if route.name in ROUTE_MODELS:
        return apps.get_model(ROUTE_MODELS[route.name]), None
    segments = re.findall(r"([\w-]+)/<(?:\w+:)?\w+>", route.pattern)
    if segments and (model := _model_named(segments[-1], paths)):
        return model, None
    view = route.view_class
    model = getattr(view, "model", None) or getattr(getattr(view, "queryset", None), "model", None)
    if model is not None and model in paths:
        return model, None
    stem = re.sub(r"-(detail|list|create|update|edit|delete|history|pdf|csv|export)$", "", route.name.split(":")[-1])
    if model := _model_named(stem, paths):
        return model, None
    return None, (
        f"cannot tell the model from the path, view {getattr(view, '__name__', view)} or route name: "
        "add it to ROUTE_MODELS"
    )


def argument(obj, name, challenge):
    """The value of URL argument `name` for `obj`: its own attribute, or its challenge's slug."""
    if name == "slug" and not hasattr(obj, "slug"):
        return challenge.slug
    if hasattr(obj, name):
        return getattr(obj, name)
    raise LookupError(f"{type(obj).__name__} has no {name!r} to fill the URL with")


def object_samples(route, model, lookup, challenges, filters):
    """One object of `model` per challenge, varied in which one (the 1st, 8th, ... of the challenge's).

    Challenges without an object matching `filters` (ROUTE_VARIANTS) are passed over.
    """
    from django.urls import reverse

    samples = []
    for i, challenge in enumerate(challenges):
        if lookup is None:
            obj = challenge
        else:
            queryset = model._default_manager.filter(**{lookup: challenge}, **filters)
            queryset = queryset.order_by("pk")
            count = queryset.count()
            if count == 0:
                continue
            obj = queryset[(i * 7) % count]
        kwargs = {name: argument(obj, name, challenge) for name in route.kwargs}
        samples.append(Sample(reverse(route.name, kwargs=kwargs), challenge))
    return samples


def list_samples(route, ds, role, k, probe, query=""):
    """Pages without arguments: different users (lead officer) or different pages of the list."""
    from django.urls import reverse

    url = reverse(route.name) + (f"?{query}" if query else "")
    if role == LEAD_OFFICER:
        return [Sample(url, c) for c in ds.spread(k)], Sample(url, ds.small)
    paginate = getattr(route.view_class, "paginate_by", None)
    if not paginate:
        return [Sample(url, None)], None
    joiner = "&" if query else "?"
    pages = [Sample(f"{url}{joiner}page=1", None)]
    for number in range(2, k + 1):  # every full page, up to k (the last page is the "small" one)
        candidate = Sample(f"{url}{joiner}page={number}", None)
        nxt = Sample(f"{url}{joiner}page={number + 1}", None)
        if probe(candidate) != 200 or probe(nxt) != 200:
            break
        pages.append(candidate)
    last = Sample(f"{url}{joiner}page=last", None)
    return pages, last


# --------------------------------------------------------------------------------------------
# Measuring


def verify_two_factor(client, user):
    """As if `user` had entered their authenticator app's code: coordinators and administrators must
    (cpc_tracker/two_factor.py), and force_login skips the sign-in form. Their app is made once."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cpc_tracker.two_factor import two_factor_required

    if not two_factor_required(user):
        return
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Benchmark app", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@dataclass
class Page:
    """One row of the table: a route (and variant) requested as one role."""

    route: Route
    variant: str
    role: str
    big: list  # samples from the big challenges
    small: Sample  # the same page for the tiny challenge, or None

    @property
    def label(self):
        return f"{self.route.name} ({self.variant})" if self.variant else self.route.name


@dataclass
class Result:
    page: Page
    times: list = field(default_factory=list)
    queries: list = field(default_factory=list)  # one per big sample
    small_queries: int = None
    samples: int = 0
    failure: str = None

    @property
    def route(self):
        return self.page.route

    @property
    def role(self):
        return self.page.role

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def p95(self):
        return statistics.quantiles(self.times, n=100, method="inclusive")[94]

    @property
    def independent(self):
        if self.small_queries is None:
            return "–"
        return "yes" if set(self.queries) == {self.small_queries} else "NO"

    @property
    def target_met(self):
        return self.median < TARGET_MEDIAN_MS and self.p95 < TARGET_P95_MS

    @property
    def query_text(self):
        low, high = min(self.queries), max(self.queries)
        text = str(low) if low == high else f"{low}–{high}"
        if self.small_queries is not None and {self.small_queries} != set(self.queries):
            text += f" (small: {self.small_queries})"
        return text


# As production sees requests: through a TLS-terminating proxy (SECURE_PROXY_SSL_HEADER), so
# SECURE_SSL_REDIRECT does not answer every page with a 301.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


class Requester:
    """One signed-in test client per user, kept for the whole run."""

    def __init__(self, ds):
        from django.test import Client

        self.ds = ds
        self._client_class = Client
        self.clients = {None: self._new_client()}

    def _new_client(self):
        return self._client_class(raise_request_exception=False, headers=PROXY_HEADERS)

    def user_for(self, role, sample):
        return {
            ANONYMOUS: None,
            SCRUTINY: self.ds.scrutiny,
            COORDINATOR: self.ds.coordinator,
            LEAD_OFFICER: self.ds.officers.get(getattr(sample.challenge, "pk", None)),
        }[role]

    def client(self, role, sample):
        user = self.user_for(role, sample)
        if role != ANONYMOUS and user is None:
            raise LookupError(f"no {role} for {sample.url}")
        key = getattr(user, "pk", None)
        if key not in self.clients:
            client = self._new_client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            verify_two_factor(client, user)
            self.clients[key] = client
        return self.clients[key]

    def get(self, role, sample):
        return self.client(role, sample).get(sample.url)


def describe_failure(response, sample, role):
    text = f"{sample.url} as {role}: HTTP {response.status_code}"
    if response.status_code in (301, 302):
        text += f" to {response.get('Location')}"
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        text += "\n" + "".join(traceback.format_exception(*exc_info)).rstrip()
    return text


def count_queries(requester, role, sample):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = requester.client(role, sample)  # signing in (the first time) is not the page's queries
    with CaptureQueriesContext(connection) as captured:
        response = client.get(sample.url)
    return response, len(captured.captured_queries)


def measure(page, requester, args):
    route, role, samples, small = page.route, page.role, page.big, page.small
    result = Result(page, samples=len(samples))
    try:
        for i in range(args.warmups):
            sample = samples[i % len(samples)]
            response = requester.get(role, sample)
            if response.status_code != 200:
                result.failure = describe_failure(response, sample, role)
                return result
        for sample in samples:
            response, n = count_queries(requester, role, sample)
            if response.status_code != 200:
                result.failure = describe_failure(response, sample, role)
                return result
            result.queries.append(n)
        if small is not None:
            response, result.small_queries = count_queries(requester, role, small)
            if response.status_code != 200:
                result.failure = describe_failure(response, small, role)
                return result
        for i in range(args.requests):
            sample = samples[i % len(samples)]
            client = requester.client(role, sample)
            started = time.perf_counter()
            response = client.get(sample.url)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                result.failure = describe_failure(response, sample, role)
                return result
            result.times.append(elapsed * 1000)
    except Exception:  # a filler or client problem: report it with the page, carry on with the rest
        result.failure = f"{route.pattern} as {role}: " + traceback.format_exc().rstrip()
    return result


def roles_for(route, first, requester):
    """Public pages: anonymous and scrutiny member. Sign-in pages, and pages not found by the public
    (an internal indicator): the first role that gets a 200."""
    from django.conf import settings
    from django.shortcuts import resolve_url

    if route.name in ROUTE_ROLES:
        return ROUTE_ROLES[route.name], None
    response = requester.get(ANONYMOUS, first)
    if response.status_code == 200:
        return [ANONYMOUS, SCRUTINY], None
    login = resolve_url(settings.LOGIN_URL)
    hidden = response.status_code == 404
    if hidden or (response.status_code == 302 and urlsplit(response["Location"]).path == login):
        for role in (SCRUTINY, LEAD_OFFICER, COORDINATOR):
            if requester.get(role, first).status_code == 200:
                return [role], None
        return [], f"{first.url}: no role gets a 200 (add the route to ROUTE_ROLES)"
    return [], describe_failure(response, first, ANONYMOUS)


def plan(routes, ds, requester, k):
    """[Page], [unfillable pattern reasons], [failures]."""
    from django.urls import reverse

    paths = challenge_paths()
    pages, unfillable, failures = [], [], []
    for route in routes:
        if not route.kwargs:
            for variant, query in ROUTE_QUERIES.get(route.name, [(None, "")]):
                first = Sample(reverse(route.name) + (f"?{query}" if query else ""), ds.challenges[0])
                roles, problem = roles_for(route, first, requester)
                if problem:
                    failures.append(problem)
                for role in roles:
                    big, small = list_samples(
                        route, ds, role, k, lambda s, role=role: requester.get(role, s).status_code, query
                    )
                    pages.append(Page(route, variant, role, big, small))
            continue
        model, reason = route_model(route, paths)
        if model is None:
            unfillable.append(f"{route.pattern} ({route.name}): {reason}")
            continue
        for variant, filters in ROUTE_VARIANTS.get(route.name, [(None, {})]):
            try:
                big = object_samples(route, model, paths[model], ds.spread(k), filters)
                small = next(iter(object_samples(route, model, paths[model], [ds.small], filters)), None)
            except Exception as error:  # noqa: BLE001 - reported as unfillable
                unfillable.append(f"{route.pattern} ({route.name}): {error}")
                continue
            if not big:
                unfillable.append(
                    f"{route.pattern} ({route.name}): the data set has no {model.__name__} "
                    f"{filters or ''} for it (extend benchmarks/dataset.py)"
                )
                continue
            roles, problem = roles_for(route, big[0], requester)
            if problem:
                failures.append(problem)
            pages.extend(Page(route, variant, role, big, small) for role in roles)
    return pages, unfillable, failures


# --------------------------------------------------------------------------------------------
# The report


def load_average():
    """(1, 5, 15 minute) load averages, or None where the OS does not say."""
    try:
        return os.getloadavg()
    except (OSError, AttributeError):
        return None


def _load_text(load):
    return "/".join(f"{x:.1f}" for x in load) if load else "unknown"


def machine_facts(load_at_start):
    from django import get_version
    from django.db import connection

    def cpuinfo():
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor() or "unknown"

    def memory():
        try:
            for line in Path("/proc/meminfo").read_text().splitlines():
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        except OSError:
            pass
        return "unknown"

    def git():
        try:
            head = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
            dirty = subprocess.run(
                ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
            return f"{head}{' + uncommitted changes' if dirty else ''}"
        except (OSError, subprocess.CalledProcessError):
            return "unknown"

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        ("Date", datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("CPUs (nproc)", str(cpus)),
        ("CPU model", cpuinfo()),
        ("Memory", memory()),
        ("PostgreSQL", pg),
        ("Python / Django", f"{platform.python_version()} / {get_version()}"),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Code", git()),
        ("Load average (1/5/15 min) at start / end", f"{_load_text(load_at_start)} / {_load_text(load_average())}"),
    ]


def report(results, skipped, failures, facts, counts, args, built_seconds, load_at_start):
    lines = ["### Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in facts]
    cpus = os.cpu_count() or 1
    if load_at_start and load_at_start[0] > cpus / 2:
        lines += [
            "",
            f"**The machine was busy** (load average above {cpus / 2:g} with {cpus} CPUs): other work "
            "shared the CPUs with this run, so the times are higher than the app's own.",
        ]
    lines += ["", "### Data set", "", "| Rows | Count |", "|---|---:|"]
    lines += [f"| {k} | {v:,} |" for k, v in counts]
    if built_seconds is not None:
        lines += ["", f"Built in {built_seconds:.0f} s (factory `build_batch` + `bulk_create`, then `ANALYZE`)."]
    lines += [
        "",
        f"### Pages ({args.warmups} warm-ups, then {args.requests} timed requests each, "
        f"spread over up to {args.samples} objects from different challenges)",
        "",
        "| Page | URL pattern | As | Median ms | p95 ms | Queries | Queries independent of size | Target met |",
        "|---|---|---|---:|---:|---:|:---:|:---:|",
    ]
    for r in results:
        if r.failure:
            lines.append(f"| {r.page.label} | `/{r.route.pattern}` | {r.role} | – | – | – | – | FAILED |")
            continue
        met = "yes" if r.target_met else "NO"
        lines.append(
            f"| {r.page.label} | `/{r.route.pattern}` | {r.role} | {r.median:.1f} | {r.p95:.1f} "
            f"| {r.query_text} | {r.independent} | {met} |"
        )
    lines += [
        "",
        f"Targets: median under {TARGET_MEDIAN_MS} ms and 95th percentile under {TARGET_P95_MS} ms. "
        "“Queries independent of size”: the same number of queries for the one-action `bench-small` "
        "challenge as for the big ones (for lists: the last, short page or an officer with one action); "
        "– where there is nothing smaller to compare.",
    ]
    if skipped:
        lines += [
            "",
            "Left out: " + "; ".join(f"`/{p}` ({why})" for p, why in skipped) + "; everything under `/admin/`.",
        ]
    misses = [r for r in results if not r.failure and not r.target_met]
    growing = [r for r in results if not r.failure and r.independent == "NO"]
    if misses:
        lines += ["", "Missed the time target: " + ", ".join(f"{r.page.label} as {r.role}" for r in misses) + "."]
    if growing:
        lines += [
            "",
            "Query count grows with the data: " + ", ".join(f"{r.page.label} as {r.role}" for r in growing) + ".",
        ]
    if failures:
        lines += ["", "**Failed** (not 200):", ""]
        lines += [f"- {failure.splitlines()[0]}" for failure in failures]
    return "\n".join(lines)


METHOD = """\
How it was measured: `make bench` (`python -m benchmarks.pages`) builds the data set in its own
database, `cpc_tracker_bench`, and requests every page in the URLconf through Django's test client,
in-process, with DEBUG off. The times are the view, templates, middleware and queries, but not the
network, a WSGI server or opening a database connection (see the load run for those). The query
counts come from separate, untimed requests."""


def write_doc(text):
    block = f"{DOC_START}\n{METHOD}\n\n{text}\n{DOC_END}"
    if DOC.exists():
        current = DOC.read_text()
        if DOC_START in current and DOC_END in current:
            before, rest = current.split(DOC_START, 1)
            after = rest.split(DOC_END, 1)[1]
            DOC.write_text(before + block + after)
            return
        DOC.write_text(current.rstrip() + "\n\n## Page timings\n\n" + block + "\n")
        return
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(f"# Performance\n\n## Page timings\n\n{block}\n")


# --------------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="keep cpc_tracker_bench if it already holds this data set")
    parser.add_argument("--write-doc", action="store_true", help="also write the results into docs/performance.md")
    parser.add_argument("--challenges", type=int, default=50, help="big challenges in the data set (default 50)")
    parser.add_argument(
        "--requests", type=int, default=30, help="timed requests per page (default 30, at least 30 for the record)"
    )
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests before timing (default 3)")
    parser.add_argument("--samples", type=int, default=10, help="different objects per page (default 10)")
    parser.add_argument("--only", metavar="TEXT", help="measure only routes whose name or pattern contains TEXT")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    bench_url, maintenance_url, source_name = database_urls()
    if source_name == BENCH_DATABASE:
        sys.exit(
            f"DATABASE_URL already names {BENCH_DATABASE}: point it at the developers' database; "
            f"the benchmark derives its own from it"
        )
    fresh = not (args.reuse and database_exists(maintenance_url))
    if fresh:
        print(f"Creating database {BENCH_DATABASE} (dropping any old one)", flush=True)
        recreate_database(maintenance_url)
    configure_environment(bench_url)
    load_at_start = load_average()

    import logging

    import django

    django.setup()
    # 403s while finding who may see a page, and 500s, would print tracebacks as they happen;
    # the report prints each failing page's traceback once, at the end.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    logging.getLogger("cpc_tracker.requests").setLevel(logging.WARNING)  # one line per request otherwise
    # WhiteNoise's warning when collectstatic has not run: the benchmark serves no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import dataset

    call_command("migrate", interactive=False, verbosity=0)
    built_seconds = None
    wanted = dataset.params(args.challenges)
    if not fresh and dataset.stored_params() != wanted:
        print(f"{BENCH_DATABASE} holds no data set of this shape: rebuilding it", flush=True)
        connection.close()
        recreate_database(maintenance_url)
        call_command("migrate", interactive=False, verbosity=0)
        fresh = True
    if fresh:
        print(f"Building the data set: {args.challenges} challenges and a small one", flush=True)
        started = time.perf_counter()
        dataset.build(args.challenges, log=lambda line: print(line, flush=True))
        built_seconds = time.perf_counter() - started
    else:
        print(f"Reusing the data set in {BENCH_DATABASE}", flush=True)

    ds = dataset.load()
    requester = Requester(ds)
    routes, skipped = discover_routes()
    if args.only:
        routes = [r for r in routes if args.only in r.name or args.only in r.pattern]
    pages, unfillable, failures = plan(routes, ds, requester, args.samples)
    if unfillable:
        print(
            "\nCannot fill these URL patterns from the data set. Add a filler for each "
            "(ROUTE_MODELS, ROUTE_VARIANTS or challenge_paths() in benchmarks/pages.py, or the data "
            "set in benchmarks/dataset.py):",
            file=sys.stderr,
        )
        for line in unfillable:
            print(f"  - {line}", file=sys.stderr)
        return 2

    results = []
    for page in pages:
        result = measure(page, requester, args)
        status = (
            "FAILED"
            if result.failure
            else f"median {result.median:.1f} ms, p95 {result.p95:.1f} ms, {result.query_text} queries"
        )
        print(f"  {page.label:45} {page.role:16} {status}", flush=True)
        if result.failure:
            failures.append(result.failure)
        results.append(result)

    text = report(
        results,
        skipped,
        failures,
        machine_facts(load_at_start),
        dataset.row_counts(),
        args,
        built_seconds,
        load_at_start,
    )
    print("\n" + text)
    for failure in failures:
        print("\n" + failure, file=sys.stderr)
    if args.write_doc:
        write_doc(text)
        print(f"\nWritten into {DOC.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
