#!/usr/bin/env bash
# Lint, test and check the example Django app, as the pipeline does (the
# documentation is built by the sphinx-docs action: make test-docs).
#
#   scripts/test-example.sh
#
# Every step runs even if an earlier one failed; the script exits non-zero if
# any failed and ends with a summary (the last line is pytest's own).
#
#   flake8        example/, sphinx_src/, docs/conf.py, docs/_ext (config: example/.flake8)
#   tests         pytest under coverage.py with branch coverage, JUnit XML
#   coverage      coverage report --fail-under=90 (+ XML, JSON and HTML reports)
#   migrations    manage.py makemigrations --check --dry-run
#   deploy check  manage.py check --deploy --fail-level WARNING, production settings
#
# Reports: example/.reports/ (junit.xml, coverage.xml, coverage.json, htmlcov/,
# pytest.log), git-ignored.
# The steps are functions called through a runner, which shellcheck takes
# for unreachable code.
# shellcheck disable=SC2317
set -uo pipefail # no -e: failures are collected, not fatal

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EXAMPLE="$ROOT/example"
REPORTS="$EXAMPLE/.reports"
COVERAGE_MIN=90

"$ROOT/scripts/python-env.sh" || exit 1
export PATH="$ROOT/.venv/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1

rm -rf "$REPORTS"
mkdir -p "$REPORTS"

results=()
failed=0
started=$SECONDS

# step <name> <command...>: run a command, record ok/FAIL and its duration.
step() {
  local name="$1" begin=$SECONDS
  shift
  printf '\n==> %s\n' "$name"
  if "$@"; then
    results+=("ok    $name ($((SECONDS - begin))s)")
  else
    results+=("FAIL  $name ($((SECONDS - begin))s)")
    failed=1
  fi
}

lint() {
  (cd "$EXAMPLE" && flake8 . ../sphinx_src ../docs/conf.py ../docs/_ext) && echo "flake8: clean"
}

# The tests run in development mode whatever the calling shell exports.
run_tests() {
  (
    cd "$EXAMPLE" &&
      coverage erase &&
      env DJANGO_ENV=development coverage run -m pytest --junitxml="$REPORTS/junit.xml" |
      tee "$REPORTS/pytest.log"
  )
}

coverage_reports() {
  (
    cd "$EXAMPLE" &&
      coverage xml --fail-under=0 -q -o "$REPORTS/coverage.xml" &&
      coverage json --fail-under=0 -q -o "$REPORTS/coverage.json" &&
      coverage html --fail-under=0 -q -d "$REPORTS/htmlcov" &&
      coverage report --fail-under="$COVERAGE_MIN"
  )
}

check_migrations() {
  (cd "$EXAMPLE" && env DJANGO_ENV=development python manage.py makemigrations --check --dry-run)
}

# Production settings as shipped: a fresh random key, and none of the
# overrides meant for local smoke tests.
check_deploy() {
  local key
  key="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" || return 1
  (
    cd "$EXAMPLE" &&
      env -u DEBUG -u SECURE_SSL_REDIRECT -u SECURE_HSTS_SECONDS -u SENTRY_DSN \
        DJANGO_ENV=production SECRET_KEY="$key" \
        python manage.py check --deploy --fail-level WARNING
  )
}

step "flake8" lint
step "tests" run_tests
step "coverage >= ${COVERAGE_MIN}%" coverage_reports
step "migrations" check_migrations
step "deploy check" check_deploy

# -- Summary ---------------------------------------------------------------------

total="$(cd "$EXAMPLE" && coverage report --format=total --precision=1 2>/dev/null || echo '?')"
tests="$(python - "$REPORTS/junit.xml" <<'PY' 2>/dev/null || echo '?'
import sys
import xml.etree.ElementTree as ElementTree

root = ElementTree.parse(sys.argv[1]).getroot()
suite = root if root.tag == "testsuite" else root.find("testsuite")
print(suite.get("tests"))
PY
)"
pytest_summary="$(grep -E '^=+ .*(passed|failed|error|no tests ran).* =+$' \
  "$REPORTS/pytest.log" 2>/dev/null | tail -n 1)"

printf '\n==> summary (%ss)\n' "$((SECONDS - started))"
printf '  %s\n' "${results[@]}"
printf '  coverage %s%% (branch), %s tests; reports in example/.reports/\n' "$total" "$tests"
printf '%s\n' "${pytest_summary:-pytest did not report a summary}"
exit "$failed"
