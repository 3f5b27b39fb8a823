#!/usr/bin/env bash
# Runs the whole suite on SQLite, then on PostgreSQL + Redis.
# Locally, PostgreSQL/Redis/Chromium parts run when available; with CI=true they are required.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=".venv/bin/pytest"
PG_URL="${CSKH_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS="${CSKH_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
WORKERS="${CSKH_TEST_WORKERS:-2}"  # pytest-xdist processes (each has its own test database)
# One OpenMP thread per worker: scikit-learn's gradient boosting otherwise sizes its thread
# pool to every core, and two workers each spinning two threads on two cores made a 6-second
# model fit take minutes.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# Let Python cache the bytecode it compiles (__pycache__, git-ignored). A run starts dozens of
# Python processes (xdist workers, `cskh serve` and its workers, `cskh` commands), each
# importing Django, cskh and scikit-learn; where PYTHONDONTWRITEBYTECODE is set (some
# containers set it), each compiled everything again and pytest re-rewrote every test module.
unset PYTHONDONTWRITEBYTECODE
# --dist loadgroup: tests marked xdist_group (the several-machines cluster) share one worker
status=0
# One directory of fitted models for every process of the run (core/fitted.py): the first
# process that needs the sentiment model fits it, the xdist workers and served installations
# load it. A new directory per run, so a run never reads a developer's earlier fits.
MODEL_CACHE=$(mktemp -d -t cskh-models-XXXXXX)
export CSKH_MODEL_CACHE_DIR="$MODEL_CACHE"
# The static files the installations served by tests share (tests/dbtemplate.py): the first
# `cskh serve` of the run collects them, the others (in both passes) find them collected.
STATIC_ROOT=$(mktemp -d -t cskh-static-XXXXXX)
export CSKH_TEST_STATIC_ROOT="$STATIC_ROOT"

pg_up() { .venv/bin/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr); sys.exit(1)
PY
}

PG=no
trap 'rm -rf "$MODEL_CACHE" "$STATIC_ROOT"' EXIT
if pg_up; then
  PG=yes
  # The PostgreSQL pass's migrated template (tests/dbtemplate.py) is built while the SQLite
  # pass runs, at the lowest priority: it takes the cores that pass leaves idle, and the
  # PostgreSQL pass then starts on a ready template instead of waiting for `cskh migrate`.
  PG_TEMPLATE=$(mktemp -d -t cskh-db-template-XXXXXX)
  trap 'rm -rf "$PG_TEMPLATE" "$MODEL_CACHE" "$STATIC_ROOT"' EXIT
  DATABASE_URL="$PG_URL" nice -n 19 .venv/bin/python tests/dbtemplate.py "$PG_TEMPLATE" &
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true but PostgreSQL is not reachable at $PG_URL" >&2
  exit 1
fi

echo "== tests on SQLite =="
env -u DATABASE_URL -u REDIS_URL -u CSKH_TEST_TEMPLATE_DIR \
  "$PYTEST" -n "$WORKERS" --dist loadgroup "$@" || status=$?

if [ "$PG" = yes ]; then
  echo "== tests on PostgreSQL + Redis =="
  # Pages in Chromium and the tests marked db_agnostic check what the database does not change:
  # the SQLite pass ran them. Everything that reads or writes through the ORM, the cache or the
  # live stream runs again here, and the PostgreSQL-only tests (several machines) run only here.
  DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" CSKH_TEST_TEMPLATE_DIR="$PG_TEMPLATE" \
    "$PYTEST" -n "$WORKERS" --dist loadgroup \
    -m "postgres or not (browser or db_agnostic)" "$@" || status=$?
else
  echo "(PostgreSQL not reachable: skipped the PostgreSQL run; CI requires it)"
fi
wait  # the template build, should the PostgreSQL pass not have waited for it
exit $status
