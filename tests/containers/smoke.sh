#!/usr/bin/env bash
# Smoke test of the example app's image: build it from the root Dockerfile
# with podman, run it the way production does, and check what a deploy
# relies on (health, migrations, static files, non-root, HEALTHCHECK,
# production checks, graceful stop, push to the local registry).
#
#   tests/containers/smoke.sh        (make test-containers)
#
# Ends with "N passed, N failed"; exits non-zero when a check fails.
# SMOKE_SKIP_PUSH=1 skips the registry part. SMOKE_JUNIT=FILE also writes
# the results as JUnit XML (make test adds them to its closing count).
# The checks are functions called through `check`, which shellcheck 0.9
# takes for unreachable code.
# shellcheck disable=SC2317
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=scripts/containers/env.sh
. scripts/containers/env.sh
# shellcheck source=scripts/containers/lib.sh
. scripts/containers/lib.sh

IMAGE="localhost/shipyard/example:smoke"
CONTAINER="shipyard-smoke-$$"
RUN_DIR="${SHIPYARD_RUN_DIR:-$REPO_ROOT/.run}"
passed=0
failed=0
started_registry=0
results=()

cleanup() {
  podman rm -f -t 5 "$CONTAINER" >/dev/null 2>&1 || true
  if [ "$started_registry" -eq 1 ]; then
    scripts/containers/registry.sh stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# check NAME COMMAND...: run COMMAND, count and print the result; its
# output is shown only when it fails.
check() {
  local name="$1" out
  shift
  if out="$("$@" 2>&1)"; then
    pass "$name"
  else
    fail "$name"
    [ -z "$out" ] || printf '    %s\n' "${out//$'\n'/$'\n    '}"
  fi
}

pass() {
  passed=$((passed + 1))
  results+=("ok|$1")
  echo "ok - $1"
}

fail() {
  failed=$((failed + 1))
  results+=("fail|$1")
  echo "not ok - $1"
}

# Writes the results as JUnit XML to $SMOKE_JUNIT, when set.
write_junit() {
  [ -n "${SMOKE_JUNIT:-}" ] || return 0
  mkdir -p "$(dirname "$SMOKE_JUNIT")"
  {
    printf '<?xml version="1.0" encoding="UTF-8"?>\n'
    printf '<testsuite name="containers" tests="%d" failures="%d" errors="0" skipped="0">\n' \
      "$((passed + failed))" "$failed"
    local entry name
    for entry in "${results[@]}"; do
      name="${entry#*|}"
      name="${name//&/&amp;}"
      name="${name//</&lt;}"
      name="${name//\"/&quot;}"
      if [ "${entry%%|*}" = ok ]; then
        printf '  <testcase classname="containers.smoke" name="%s"/>\n' "$name"
      else
        printf '  <testcase classname="containers.smoke" name="%s"><failure message="failed"/></testcase>\n' "$name"
      fi
    done
    printf '</testsuite>\n'
  } >"$SMOKE_JUNIT"
}

finish() {
  write_junit
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

# --- build ------------------------------------------------------------------
scripts/containers/install.sh >/dev/null
scripts/containers/base-image.sh
if ! scripts/containers/build-image.sh "$IMAGE" "$RUN_DIR/smoke/build.log" >/dev/null; then
  fail "image builds"
  finish
fi
pass "image builds"

inspect() { podman image inspect --format "$1" "$IMAGE"; }
# shellcheck disable=SC2016  # Go templates, not shell expansions
{
  check "runs as the non-root user 10001" test "$(inspect '{{.User}}')" = "10001:10001"
  check "has a HEALTHCHECK" test "$(inspect '{{json .HealthCheck.Test}}')" != null
  check "exposes 8000" grep -q '8000/tcp' <<<"$(inspect '{{json .Config.ExposedPorts}}')"
  check "has OCI labels" test "$(inspect '{{index .Labels "org.opencontainers.image.title"}}')" = shipyard-example
}
# shellcheck disable=SC2016  # the script runs in the container's shell
check "context excludes local state" podman run --rm --network host --health-cmd none \
  --entrypoint sh "$IMAGE" -c 'for p in /app/node_modules /app/.git /app/.venv /app/.env \
    /app/db.sqlite3 /app/.reports /run/secrets/pip_cert; do
    if [ -e "$p" ]; then echo "$p is in the image"; exit 1; fi
  done'

# --- run --------------------------------------------------------------------
port="$(shipyard_free_port)"
SECRET_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
export SECRET_KEY
mapfile -t health_args < <(shipyard_health_args "$IMAGE")
podman run --detach --name "$CONTAINER" --runtime runc --network host \
  "${health_args[@]}" \
  --env PORT="$port" --env SECRET_KEY --env ALLOWED_HOSTS=127.0.0.1,localhost \
  "$IMAGE" >/dev/null
base="http://127.0.0.1:$port"

if ! body="$(shipyard_wait_http "$base/health" 60 "$CONTAINER")"; then
  fail "/health answers within 60 s"
  finish
fi
pass "/health answers within 60 s"

check "/health says ok in production" jq -e '.status == "ok" and .environment == "production"' <<<"$body"
check "the image's HEALTHCHECK passes" podman healthcheck run "$CONTAINER"
check "the process runs as uid 10001" test "$(podman exec "$CONTAINER" id -u)" = 10001
check "migrations were applied at start" podman exec "$CONTAINER" python manage.py migrate --check
check "manage.py check --deploy is clean" \
  podman exec "$CONTAINER" python manage.py check --deploy --fail-level WARNING
refuses_without_secret_key() {
  local out
  if out="$(podman exec --env SECRET_KEY= "$CONTAINER" python manage.py check 2>&1)"; then
    echo "manage.py check passed with an empty SECRET_KEY"
    return 1
  fi
  grep -q SECRET_KEY <<<"$out" || { echo "$out"; return 1; }
}
check "refuses to start without SECRET_KEY" refuses_without_secret_key

# A hashed, pre-compressed static file from collectstatic, served by
# whitenoise with a far-future cache header (as if behind a TLS proxy).
static_file_served() {
  local path headers
  path="$(podman exec "$CONTAINER" python -c 'import json
paths = json.load(open("staticfiles/staticfiles.json"))["paths"]
print(paths.get("admin/css/base.css") or next(iter(paths.values())))')" || return 1
  headers="$(curl -fsS -o /dev/null -D - -H 'X-Forwarded-Proto: https' \
    -H 'Accept-Encoding: br, gzip' "$base/static/$path")" || return 1
  if ! grep -qiE '^content-encoding: *(br|gzip)' <<<"$headers" ||
    ! grep -qi 'max-age=315360000' <<<"$headers"; then
    echo "$headers"
    return 1
  fi
}
check "serves collected static files compressed and cacheable" static_file_served

# --- stop -------------------------------------------------------------------
stops_gracefully() {
  local t0=$SECONDS code
  podman stop -t 10 "$CONTAINER" >/dev/null
  code="$(podman inspect --format '{{.State.ExitCode}}' "$CONTAINER")"
  echo "stopped in $((SECONDS - t0)) s with exit code $code"
  [ "$((SECONDS - t0))" -lt 10 ] && [ "$code" = 0 ]
}
check "stops gracefully on SIGTERM" stops_gracefully

# --- push -------------------------------------------------------------------
if [ "${SMOKE_SKIP_PUSH:-0}" != 1 ]; then
  scripts/containers/registry.sh status >/dev/null 2>&1 || {
    scripts/containers/registry.sh start >/dev/null
    started_registry=1
  }
  # shellcheck disable=SC1091  # written at run time by registry.sh
  . "$RUN_DIR/registry.env"
  remote="$REGISTRY/shipyard/example:smoke"
  # Plain HTTP on loopback; registries.conf only knows port 5000, and the
  # registry may have moved to a free port (registry.sh).
  registry_login() {
    printf '%s' "$REGISTRY_PASSWORD" |
      podman login --tls-verify=false --username "$REGISTRY_USERNAME" \
        --password-stdin "$REGISTRY"
  }
  check "logs in to the local registry" registry_login
  check "pushes to the local registry" \
    podman push --tls-verify=false --quiet "$IMAGE" "docker://$remote"
  check "the registry serves the manifest" curl -fsS -o /dev/null \
    -u "$REGISTRY_USERNAME:$REGISTRY_PASSWORD" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY/v2/shipyard/example/manifests/smoke"
fi

finish
