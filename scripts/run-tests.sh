#!/usr/bin/env bash
# Every check and the whole test suite, as `make test` and CI run them:
#
#   1. ruff check, ruff format --check; mypy (the packages pyproject.toml's [tool.mypy]
#      lists) and the count of Any against scripts/any-ceiling.txt (scripts/count_any.py)
#   2. jisheng check, jisheng makemigrations --check --dry-run
#   3. pytest on SQLite (in memory)
#   4. pytest on PostgreSQL: the server at JISHENG_TEST_DATABASE_URL (default
#      postgresql://postgres@127.0.0.1:5432/postgres) when it answers; otherwise a
#      throwaway server on a free port (scripts/start-temp-postgres.sh), installed from
#      Debian's packages in CI. Without one, locally, this run is skipped with the reason.
#
# With CI=true nothing may skip: the PostgreSQL run and the browser tests
# (JISHENG_REQUIRE_BROWSER=1) fail instead. Extra arguments go to both pytest runs, e.g.
# `scripts/run-tests.sh -k scope` or `-x`. PYTEST_WORKERS sets pytest-xdist's -n (default
# 2; 0 runs in one process).
set -euo pipefail
cd "$(dirname "$0")/.."

UV=${UV:-$(scripts/ensure-uv.sh)}
export UV_PYTHON_DOWNLOADS=${UV_PYTHON_DOWNLOADS:-never}
ARTIFACTS=test-artifacts
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/junit-*.xml

in_ci() { case "${CI:-}" in true | 1 | yes) return 0 ;; *) return 1 ;; esac; }
# shellcheck disable=SC2086  # UV may be "python3 -m uv"
run() { $UV run --frozen "$@"; }

START=$SECONDS
step() { printf '\n==> %s  [%ds]\n' "$*" $((SECONDS - START)); }

if in_ci; then
    export JISHENG_REQUIRE_BROWSER=1
fi
WORKERS=${PYTEST_WORKERS:-2}
XDIST=()
# loadgroup: tests marked xdist_group("…") (browser, CLI end-to-end) stay in one worker.
if [ "$WORKERS" != "0" ]; then XDIST=(-n "$WORKERS" --dist loadgroup); fi

SUMMARY=()

pytest_run() {
    local label=$1
    shift
    local rc=0
    run pytest -q -p no:cacheprovider "${XDIST[@]}" --junitxml="$ARTIFACTS/junit-$label.xml" \
        "$@" || rc=$?
    if [ "$rc" = 5 ]; then
        echo "run-tests: pytest collected no tests on $label: that is a failure" >&2
        exit 1
    fi
    if [ "$rc" != 0 ]; then
        echo "run-tests: pytest failed on $label (exit $rc)" >&2
        exit "$rc"
    fi
    SUMMARY+=("$label")
}

step "ruff check / ruff format --check"
run ruff check .
run ruff format --check .

step "mypy / the count of Any"
run mypy
run python scripts/count_any.py --check

step "jisheng check / makemigrations --check"
run jisheng check
run jisheng makemigrations --check --dry-run

if [ ! -x /usr/bin/chromium ]; then
    if in_ci; then
        echo "run-tests: /usr/bin/chromium is missing in CI; the browser tests will fail" >&2
    else
        echo "SKIP browser tests: /usr/bin/chromium not found (apt-get install chromium)"
    fi
fi

step "pytest on SQLite"
unset JISHENG_TEST_DB_URL_ACTIVE
pytest_run sqlite "$@"

step "pytest on PostgreSQL"
PG_URL=${JISHENG_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
PG_TEMP=""
cleanup() {
    if [ -n "$PG_TEMP" ]; then scripts/stop-temp-postgres.sh "$PG_TEMP" || true; fi
}
trap cleanup EXIT

pg_answers() {
    run python -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()' \
        "$1" >/dev/null 2>&1
}

PG_SKIP=""
if pg_answers "$PG_URL"; then
    echo "using the PostgreSQL server at $PG_URL"
else
    echo "no PostgreSQL server answers at $PG_URL"
    PG_TEMP=$(mktemp -d "${TMPDIR:-/tmp}/jisheng-pg.XXXXXX")
    INSTALL=""
    if in_ci; then INSTALL=--install; fi
    if PG_URL=$(scripts/start-temp-postgres.sh "$PG_TEMP" $INSTALL); then
        echo "started a throwaway PostgreSQL server at $PG_URL"
    elif in_ci; then
        echo "run-tests: could not start PostgreSQL in CI" >&2
        exit 1
    else
        PG_SKIP="no server answers at $PG_URL and no PostgreSQL binaries to start one (apt-get install postgresql, or set JISHENG_TEST_DATABASE_URL)"
        rm -rf "$PG_TEMP"
        PG_TEMP=""
    fi
fi

if [ -n "$PG_SKIP" ]; then
    echo "SKIP PostgreSQL run: $PG_SKIP"
else
    # A database name of this run's own, so that concurrent runs never share test databases
    # (Django creates test_<name>, pytest-xdist adds _gw0, _gw1 …).
    ACTIVE_URL=$(run python - "$PG_URL" "jisheng_$$" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit

parts = urlsplit(sys.argv[1])
print(urlunsplit(parts._replace(path="/" + sys.argv[2])))
PY
)
    JISHENG_TEST_DB_URL_ACTIVE=$ACTIVE_URL pytest_run postgresql "$@"
fi

step "done"
if [ -n "$PG_SKIP" ]; then echo "SKIPPED: the PostgreSQL run ($PG_SKIP)"; fi
run python - "$ARTIFACTS" "${SUMMARY[@]}" <<'PY'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

folder, labels = Path(sys.argv[1]), sys.argv[2:]
totals = {"passed": 0, "failed": 0, "skipped": 0}
for label in labels:
    suite = ET.parse(folder / f"junit-{label}.xml").getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    tests, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    passed = tests - skipped - failed
    print(f"{label}: {passed} passed, {failed} failed, {skipped} skipped "
          f"in {float(suite.get('time', 0)):.1f}s")
    totals["passed"] += passed
    totals["failed"] += failed
    totals["skipped"] += skipped
print(f"total: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
PY
