#!/usr/bin/env bash
# Start the local PostgreSQL 15 cluster if it is down and give the current OS
# user a role with CREATEDB, so tests can reach postgres:///cpc_tracker over the
# Unix socket (peer auth). Safe to run again: every step is idempotent.
set -euo pipefail

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: apt-get install postgresql" >&2
  exit 1
fi

if ! pg_lsclusters --no-header | grep -q online; then
  cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
  if [ -z "$cluster" ]; then
    echo "No PostgreSQL cluster found: create one with pg_createcluster" >&2
    exit 1
  fi
  echo "Starting PostgreSQL cluster $cluster"
  pg_ctlcluster --skip-systemctl-redirect $cluster start
fi

me=$(id -un)
if [ "$me" = "root" ] || [ "$(id -u)" = 0 ]; then
  as_postgres() { su postgres -c "$1"; }
else
  as_postgres() { sudo -u postgres sh -c "$1"; }
fi

if ! as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$me'\"" | grep -q 1; then
  as_postgres "createuser --createdb $me"
fi
as_postgres "psql -qc 'ALTER ROLE \"$me\" CREATEDB'" >/dev/null
if ! as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='cpc_tracker'\"" | grep -q 1; then
  as_postgres "createdb --owner=$me cpc_tracker"
fi
