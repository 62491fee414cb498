#!/usr/bin/env bash
# The load run (`make load`): gunicorn serving the benchmark data set, driven by wrk.
#
#   LOAD_DURATION=10s ./scripts/load-test.sh     # a quick check; the default is 60s
#
# Why wrk: it is a small C program (Debian package `wrk`) with a Lua hook to rotate over several
# URLs. A Python load tool (locust and the like) would spend much of the CPU on the client side,
# and on a 2-core machine that is CPU taken from gunicorn and PostgreSQL: it would measure the
# client as much as the app.
#
# What it does: uses the database `make bench` builds (cpc_tracker_bench: run `make bench` first),
# collects static files (DEBUG off, hashed file names, served by WhiteNoise), starts gunicorn on
# 127.0.0.1 only, waits until it answers, checks every URL once, runs wrk for LOAD_DURATION over
# the public pages (home, a challenge, its recommendations, a recommendation, a theme, an action,
# the progress review, a consideration, the stylesheet), prints requests per second, latency and
# errors (responses that are not 2xx, and socket errors), then stops gunicorn whatever happened.
# Requests carry `X-Forwarded-Proto: https`, as from the TLS-terminating proxy production runs
# behind (SECURE_PROXY_SSL_HEADER); without it SECURE_SSL_REDIRECT would answer every one with a 301.
#
# Settings (environment): LOAD_DURATION (60s), LOAD_CONNECTIONS (50), LOAD_THREADS (2, wrk's),
# LOAD_WORKERS (3, gunicorn's), LOAD_PORT (8765), LOAD_CONN_MAX_AGE (unset: the settings' default,
# a new database connection per request; a number of seconds keeps connections open, to compare).
# Exit status: 0 if every response was 2xx with no socket errors, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${LOAD_DURATION:-60s}
CONNECTIONS=${LOAD_CONNECTIONS:-50}
THREADS=${LOAD_THREADS:-2}
WORKERS=${LOAD_WORKERS:-3}
PORT=${LOAD_PORT:-8765}
PY=.venv/bin/python
GUNICORN=.venv/bin/gunicorn

case "$DURATION" in
  *m) seconds=$(( ${DURATION%m} * 60 )) ;;
  *s) seconds=${DURATION%s} ;;
  *) seconds=$DURATION; DURATION="${DURATION}s" ;;
esac
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ] || [ "$seconds" -gt 1800 ]; then
  echo "LOAD_DURATION must be whole seconds or minutes, at most 30m (like 10s, 60s or 2m): got $DURATION" >&2
  exit 2
fi

for tool in wrk curl "$PY" "$GUNICORN"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing (wrk: apt-get install -y wrk; .venv: make venv)" >&2; exit 2; }
done
if [ ! -f static/build/app.css ]; then
  echo "static/build/app.css is missing: run make assets (make load does)" >&2
  exit 2
fi

# The benchmark database, on the same server and role as DATABASE_URL (benchmarks/pages.py decides).
BENCH_URL=$("$PY" -c 'from benchmarks.pages import database_urls; print(database_urls()[0])')
if ! "$PY" - "$BENCH_URL" <<'EOF'
import sys
import psycopg2
from benchmarks import MARKER_TABLE
try:
    conn = psycopg2.connect(sys.argv[1].replace("postgres://", "postgresql://", 1))
except psycopg2.OperationalError:
    sys.exit(1)
with conn, conn.cursor() as cursor:
    cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
    sys.exit(0 if cursor.fetchone()[0] else 1)
EOF
then
  echo "The benchmark database ($BENCH_URL) does not exist or holds no data set: run make bench first" >&2
  exit 2
fi
if [ -n "${LOAD_CONN_MAX_AGE:-}" ]; then
  case "$BENCH_URL" in *\?*) BENCH_URL="$BENCH_URL&conn_max_age=$LOAD_CONN_MAX_AGE" ;; *) BENCH_URL="$BENCH_URL?conn_max_age=$LOAD_CONN_MAX_AGE" ;; esac
fi

# The server's environment: DEBUG off, STATIC_MANIFEST at its default (on), only 127.0.0.1.
export DJANGO_SETTINGS_MODULE=cpc_tracker.settings
export DEBUG=false
export SECRET_KEY=load-test-only-secret-key-never-used-outside-the-load-run-0123456789
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="$BENCH_URL"
unset STATIC_MANIFEST

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "Something already listens on 127.0.0.1:$PORT: stop it or set LOAD_PORT" >&2
  exit 2
fi

work=$(mktemp -d)
gunicorn_pid=
wrk_pid=
cleanup() {
  if [ -n "$wrk_pid" ]; then kill -TERM "$wrk_pid" 2>/dev/null || true; fi
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill -TERM "$gunicorn_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$gunicorn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$gunicorn_pid" 2>/dev/null || true
    wait "$gunicorn_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "Collecting static files"
"$PY" manage.py collectstatic --noinput --verbosity 0

# The pages to rotate over, from the data set: one challenge in the middle of it.
"$PY" - >"$work/paths" <<'EOF'
import django
django.setup()
from django.templatetags.static import static
from django.urls import reverse
from recommendations.models import Action, PeerChallenge
from reviews.models import Consideration

challenges = list(PeerChallenge.objects.filter(slug__startswith="bench-").exclude(slug="bench-small").order_by("slug"))
challenge = challenges[len(challenges) // 2]
recommendation = challenge.recommendations.order_by("number")[4]
theme = challenge.themes.order_by("number")[1]
action = Action.objects.filter(recommendation=recommendation).order_by("reference")[3]
review = challenge.progress_reviews.order_by("-on_site")[0]
consideration = Consideration.objects.filter(review=review).order_by("order")[0]
for path in [
    reverse("home"),
    challenge.get_absolute_url(),
    reverse("recommendations:recommendation-list", args=[challenge.slug]),
    recommendation.get_absolute_url(),
    theme.get_absolute_url(),
    action.get_absolute_url(),
    review.get_absolute_url(),
    consideration.get_absolute_url(),
    static("build/app.css"),
]:
    print(path)
EOF

echo "Starting gunicorn on 127.0.0.1:$PORT ($WORKERS workers, 1 thread each)"
"$GUNICORN" cpc_tracker.wsgi -b "127.0.0.1:$PORT" -w "$WORKERS" --threads 1 \
  --log-level warning --error-logfile "$work/gunicorn.log" &
gunicorn_pid=$!

base="http://127.0.0.1:$PORT"
for _ in $(seq 1 60); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-Proto: https' "$base/" || true)
  [ "$code" = 200 ] && break
  kill -0 "$gunicorn_pid" 2>/dev/null || { echo "gunicorn exited:" >&2; cat "$work/gunicorn.log" >&2; exit 1; }
  sleep 0.5
done
if [ "$code" != 200 ]; then
  echo "gunicorn did not answer 200 on / within 30 s (last: $code):" >&2
  tail -n 40 "$work/gunicorn.log" >&2
  exit 1
fi

echo "Checking each page once"
failed=0
while read -r path; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-Proto: https' "$base$path")
  printf '  %s %s\n' "$code" "$path"
  [ "$code" = 200 ] || failed=1
done <"$work/paths"
if [ "$failed" = 1 ]; then
  echo "Some pages do not answer 200: fix them before a load run. gunicorn's log:" >&2
  tail -n 40 "$work/gunicorn.log" >&2
  exit 1
fi

{
  echo '-- Written by scripts/load-test.sh: rotate over the pages, count responses that are not 2xx.'
  echo 'local paths = {'
  while read -r path; do printf '  "%s",\n' "$path"; done <"$work/paths"
  echo '}'
  cat <<'EOF'
wrk.headers["X-Forwarded-Proto"] = "https"
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id * 4  -- threads start at different pages
  responses = 0
  non2xx = 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local total, bad = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("responses")
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write("\n")
  io.write(string.format("Requests/s:      %.1f (%d responses in %.1f s)\n", summary.requests / seconds, total, seconds))
  io.write(string.format("Latency (ms):    median %.1f, p90 %.1f, p99 %.1f, max %.1f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("Errors:          %d not 2xx; socket: %d connect, %d read, %d write, %d timeout\n",
    bad, e.connect, e.read, e.write, e.timeout))
  io.write(string.format("LOAD_RESULT rps=%.1f responses=%d non2xx=%d socket_errors=%d p50_ms=%.1f p99_ms=%.1f\n",
    summary.requests / seconds, total, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
EOF
} >"$work/rotate.lua"

echo "Running wrk: $THREADS threads, $CONNECTIONS connections, $DURATION on $base"
# In the background and waited for, so that an interrupt stops it (and gunicorn) at once.
timeout --kill-after=5 $(( seconds + 60 )) \
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "$work/rotate.lua" "$base/" \
  >"$work/wrk.out" 2>&1 &
wrk_pid=$!
wait "$wrk_pid" || true
wrk_pid=
cat "$work/wrk.out"

if grep -q ' Error\| Traceback' "$work/gunicorn.log"; then
  echo
  echo "gunicorn logged errors (last 40 lines):"
  tail -n 40 "$work/gunicorn.log"
fi

result=$(grep '^LOAD_RESULT' "$work/wrk.out" || true)
[ -n "$result" ] || { echo "wrk printed no result" >&2; exit 1; }
non2xx=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$result")
socket=$(sed -E 's/.*socket_errors=([0-9]+).*/\1/' <<<"$result")
[ "$non2xx" = 0 ] && [ "$socket" = 0 ]
