#!/usr/bin/env bash
# `make demo`: the whole pipeline on the example app, on this machine.
#
# 1. Foundation: container tools, the local Python base image, the example
#    app's image built from the root Dockerfile with podman, and a smoke run
#    of that image (GET /health).
# 2. Pipeline: the registry and the stand-ins of the hosted services
#    (scripts/services.sh up), then the BUNDLED actions (actions/*/dist) run
#    in the reusable workflow's order, as the runner runs them (INPUT_*
#    variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files under
#    .run/demo/): ci-test, sphinx-docs (Read the Docs stand-in),
#    docker-publish (or, while its bundle is not finished, a podman push of
#    the foundation image), render-deploy (the Render stand-in pulls and runs
#    the image; GitHub stand-in for the deployment), sentry-verify against
#    the deployed container.
# 3. A short report, printed and written as .run/demo/report.html.
# Everything it starts is stopped at the end, also when interrupted.
#
#   scripts/demo.sh
#
# Settings (environment):
#   DEMO_IMAGE           tag to build (localhost/shipyard/example:demo)
#   DEMO_HEALTH_TIMEOUT  seconds to wait for /health (60)
#   DEMO_PYTHON          the Python for ci-test and sphinx-docs (.venv/bin/python)
#   PIP_INDEX_URL, PIP_TRUSTED_HOST, PIP_CERT, SHIPYARD_BASE_IMAGE
#                        see scripts/containers/build-image.sh
#   DEMO_ACT=1           run steps 5-8 through the real workflow files with
#                        act instead (tests/act/act.sh: ci.yml, a push to main)
#   SHIPYARD_RUN_DIR, SERVICES_ENV_FILE, REGISTRY_PORT
#                        see scripts/services.sh (bench/pipeline sets them)
# Leaves ${SHIPYARD_RUN_DIR:-<repo>/.run}/demo/: foundation.env (image, id,
# size, timings), build.log, <action>.json/.log/.output/.summary.md per
# action, report.html.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=scripts/containers/env.sh
. scripts/containers/env.sh
# shellcheck source=scripts/containers/lib.sh
. scripts/containers/lib.sh

BASE_IMAGE="${SHIPYARD_BASE_IMAGE:-localhost/shipyard/python-base:bookworm}"
IMAGE="${DEMO_IMAGE:-localhost/shipyard/example:demo}"
HEALTH_TIMEOUT="${DEMO_HEALTH_TIMEOUT:-60}"
OUT_DIR="${SHIPYARD_RUN_DIR:-$REPO_ROOT/.run}/demo"
BUILD_LOG="$OUT_DIR/build.log"
CONTAINER="shipyard-demo-$$"
mkdir -p "$OUT_DIR"

say() { printf '==> %s\n' "$*"; }
fail() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
# Seconds between two `now` readings, one decimal.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

services_started=false
cleanup() {
  podman rm -f -t 5 "$CONTAINER" >/dev/null 2>&1 || true
  rm -f "$OUT_DIR/auth.json"
  if [ "$services_started" = true ]; then
    bash scripts/services.sh down >/dev/null 2>&1 || true
    echo "==> stand-ins and registry stopped"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t_start=$(now)

# --- 1. tools and base image -----------------------------------------------
say "container tools"
scripts/containers/install.sh
say "base image $BASE_IMAGE"
t0=$(now)
scripts/containers/base-image.sh
base_seconds=$(elapsed "$t0" "$(now)")

[ -f example/manage.py ] || fail "example/manage.py not found: the example app is missing"

# --- 2. image build -----------------------------------------------------------
say "building $IMAGE"
t0=$(now)
scripts/containers/build-image.sh "$IMAGE" "$BUILD_LOG" >/dev/null || fail "image build (log: $BUILD_LOG)"
build_seconds=$(elapsed "$t0" "$(now)")

image_id="$(podman image inspect --format '{{.Id}}' "$IMAGE")"
image_size="$(podman image inspect --format '{{.Size}}' "$IMAGE")"

# --- 3. smoke run ---------------------------------------------------------------
port="$(shipyard_free_port)"
SECRET_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
export SECRET_KEY # passed by name below, so it never shows in `ps`
# The image's HEALTHCHECK without podman's systemd timer (see lib.sh).
mapfile -t health_args < <(shipyard_health_args "$IMAGE")

say "running $IMAGE on 127.0.0.1:$port"
t0=$(now)
podman run --detach --name "$CONTAINER" --runtime runc --network host \
  "${health_args[@]}" \
  --env PORT="$port" --env DJANGO_ENV=production --env SECRET_KEY \
  --env ALLOWED_HOSTS=127.0.0.1,localhost \
  "$IMAGE" >/dev/null
health="$(shipyard_wait_http "http://127.0.0.1:$port/health" "$HEALTH_TIMEOUT" "$CONTAINER")" ||
  fail "the container did not answer on /health"
ready_seconds=$(elapsed "$t0" "$(now)")
echo "GET /health -> $health"

# The image's own HEALTHCHECK, as Docker would run it.
if [ "${#health_args[@]}" -gt 0 ] && ! podman healthcheck run "$CONTAINER" >/dev/null; then
  podman logs "$CONTAINER" >&2 || true
  fail "the image's HEALTHCHECK reported unhealthy"
fi

total_seconds=$(elapsed "$t_start" "$(now)")
cat >"$OUT_DIR/foundation.env" <<EOF
DEMO_IMAGE=$IMAGE
DEMO_IMAGE_ID=$image_id
DEMO_IMAGE_SIZE=$image_size
DEMO_BASE_IMAGE=$BASE_IMAGE
DEMO_BASE_SECONDS=$base_seconds
DEMO_BUILD_SECONDS=$build_seconds
DEMO_READY_SECONDS=$ready_seconds
EOF

cat <<EOF

foundation stage: OK
  image          $IMAGE
  image id       ${image_id:0:12}
  image size     $(numfmt --to=iec "$image_size")
  base image     $BASE_IMAGE (${base_seconds}s)
  build          ${build_seconds}s
  run → /health  ${ready_seconds}s
  healthcheck    $([ "${#health_args[@]}" -gt 0 ] && echo healthy || echo "none in image")
  total          ${total_seconds}s
EOF
podman rm -f -t 5 "$CONTAINER" >/dev/null 2>&1 || true

# --- 4. the stand-ins -----------------------------------------------------------
say "registry and stand-ins"
# Stand-ins that were already up (make services-up) are used and left up;
# the ones started here are stopped at the end, also on failure or Ctrl-C.
services_pid="${SHIPYARD_RUN_DIR:-$REPO_ROOT/.run}/services.pid"
if ! { [ -f "$services_pid" ] && kill -0 "$(cat "$services_pid")" 2>/dev/null; }; then
  services_started=true
fi
bash scripts/services.sh up
set -a
# shellcheck disable=SC1090,SC1091 # written by services.sh up
. "${SERVICES_ENV_FILE:-./.services.env}"
set +a

# --- DEMO_ACT=1: the same chain through ci.yml and pipeline.yml, with act ------
if [ "${DEMO_ACT:-}" = 1 ]; then
  say "pipeline through act: ci.yml, push to main (log: $OUT_DIR/act.log)"
  rm -rf "$OUT_DIR"/*.json "$OUT_DIR"/demo.env "$OUT_DIR/act-workspace"
  act_sha="$(bash tests/act/act.sh workspace "$OUT_DIR/act-workspace")"
  # The app's Sentry settings for the deployed containers; sentry-verify's
  # release is the commit act runs.
  SENTRY_VERIFY_TOKEN="$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_')"
  export SENTRY_VERIFY_TOKEN
  node -e 'const e = process.env
process.stdout.write(JSON.stringify({ serviceId: e.RENDER_SERVICE_ID, env: {
  SENTRY_DSN: e.SENTRY_DSN, SENTRY_VERIFY_TOKEN: e.SENTRY_VERIFY_TOKEN,
  SENTRY_ENVIRONMENT: "production", SENTRY_RELEASE: process.argv[1] } }))' "$act_sha" |
    curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @- \
      "${RENDER_API_URL%/v1}/__control/render/env" || fail "setting the service's environment"
  printf '%s' '{"ref":"refs/heads/main","repository":{"default_branch":"main","full_name":"shipyard/example","name":"example","owner":{"login":"shipyard"}}}' \
    >"$OUT_DIR/act-push.json"
  # The jobs run on this machine: none of the stand-ins' values (the app's
  # tests would read SENTRY_DSN) nor this script's secrets reach them.
  mapfile -t service_vars < <(sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' \
    "${SERVICES_ENV_FILE:-./.services.env}")
  act_rc=0
  (
    unset "${service_vars[@]}" SECRET_KEY
    SERVICES_ENV_FILE="$(realpath "${SERVICES_ENV_FILE:-./.services.env}")" \
      ACT_ARGS='-j pipeline' bash tests/act/act.sh run "$OUT_DIR/act-workspace" \
      push ci.yml "$OUT_DIR/act-push.json"
  ) >"$OUT_DIR/act.log" 2>&1 || act_rc=$?
  grep -E '🏁' "$OUT_DIR/act.log" || true
  node tests/act/results.mjs "$OUT_DIR/act.log" "$OUT_DIR" || act_rc=1
  rm -rf "$OUT_DIR/act-workspace"
  echo "DEMO_TOTAL_SECONDS=$(elapsed "$t_start" "$(now)")" >>"$OUT_DIR/demo.env"
  node scripts/demo/report.mjs "$OUT_DIR"
  [ "$act_rc" -eq 0 ] || fail "the act run (log: $OUT_DIR/act.log)"
  exit 0
fi

export GITHUB_WORKSPACE="$REPO_ROOT"
export RUNNER_TEMP="$OUT_DIR/tmp"
export GITHUB_SHA
GITHUB_SHA="$(git rev-parse HEAD 2>/dev/null || echo 0000000000000000000000000000000000000000)"
export GITHUB_REF=refs/heads/main GITHUB_REF_NAME=main GITHUB_EVENT_NAME=push
export GITHUB_RUN_ID="$$" GITHUB_SERVER_URL="${GITHUB_SERVER_URL:-https://github.com}"
rm -rf "$RUNNER_TEMP" "$OUT_DIR"/*.json "$OUT_DIR"/demo.env
mkdir -p "$RUNNER_TEMP"
if [ -z "${DEMO_PYTHON:-}" ]; then
  DEMO_PYTHON="$REPO_ROOT/.venv/bin/python"
  [ -x "$DEMO_PYTHON" ] || bash scripts/python-env.sh
fi
[ -x "$DEMO_PYTHON" ] || fail "$DEMO_PYTHON not found: run make venv"

# A bundle is finished when, run with no inputs, it does not say so.
bundle_ready() {
  local dir out
  dir="$(mktemp -d)"
  out="$(
    cd "$dir" || exit 0
    env -u GITHUB_WORKSPACE GITHUB_OUTPUT="$dir/o" \
      timeout 30 node "$REPO_ROOT/actions/$1/dist/index.js" 2>&1 || true
  )"
  rm -rf "$dir"
  ! grep -qi 'not implemented' <<<"$out"
}
action() { say "action $1"; node scripts/demo/run-action.mjs "$1" "$OUT_DIR" "${@:2}"; }
output() {
  node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
process.stdout.write(String(j.outputs[process.argv[2]] ?? ""))' "$OUT_DIR/$1.json" "$2"
}
note() { echo "$1" >>"$OUT_DIR/demo.env"; }

# --- 5. test and docs -------------------------------------------------------------
if bundle_ready ci-test; then
  # The app's tests read SENTRY_* from the environment, as a runner's job
  # would not have them: the stand-ins' values stay out of this step.
  (
    unset "${!SENTRY_@}"
    action ci-test working-directory=example "python=$DEMO_PYTHON" \
      coverage-threshold=80
  ) || fail "ci-test (log: $OUT_DIR/ci-test.log)"
else
  say "ci-test: its bundle is not finished yet, skipped"
  note DEMO_SKIP_CI_TEST=1
fi
action sphinx-docs docs-dir=docs source-dir=sphinx_src "python=$DEMO_PYTHON" \
  rtd-project=@RTD_PROJECT rtd-token=@RTD_TOKEN rtd-api-url=@RTD_API_URL ||
  fail "sphinx-docs (log: $OUT_DIR/sphinx-docs.log)"

# --- 6. image: pushed where the Render service expects it -------------------------
# The Render stand-in's image-backed service only deploys its configured
# image path (RENDER_IMAGE_PATH, on the local registry); only the tag or the
# digest may change.
image_repo="$RENDER_IMAGE_PATH"
case "${RENDER_IMAGE_PATH##*/}" in *:*) image_repo="${RENDER_IMAGE_PATH%:*}" ;; esac
if bundle_ready docker-publish; then
  # The image runs with DJANGO_ENV=production: a throwaway key for the smoke run.
  DEMO_SMOKE_ENV="$(printf 'SECRET_KEY=%s\nALLOWED_HOSTS=127.0.0.1,localhost' "$SECRET_KEY")"
  export DEMO_SMOKE_ENV
  action docker-publish "image=$image_repo" registry=@REGISTRY \
    username=@REGISTRY_USERNAME password=@REGISTRY_PASSWORD push=true \
    engine=podman cache=none "build-args=BASE_IMAGE=$BASE_IMAGE" \
    smoke-env=@DEMO_SMOKE_ENV ||
    fail "docker-publish (log: $OUT_DIR/docker-publish.log)"
  image_ref="$(output docker-publish image-ref)"
else
  say "docker-publish: its bundle is not finished yet; pushing $IMAGE with podman"
  note DEMO_SKIP_DOCKER_PUBLISH=1
  t0=$(now)
  export REGISTRY_AUTH_FILE="$OUT_DIR/auth.json"
  printf '%s' "$REGISTRY_PASSWORD" | podman login --username "$REGISTRY_USERNAME" \
    --password-stdin "$REGISTRY" >/dev/null
  podman push --quiet --digestfile "$OUT_DIR/digest" "$IMAGE" "docker://$RENDER_IMAGE_PATH" ||
    fail "podman push to $RENDER_IMAGE_PATH"
  podman logout "$REGISTRY" >/dev/null 2>&1 || true
  image_ref="$image_repo@$(cat "$OUT_DIR/digest")"
  note "DEMO_PUSH_SECONDS=$(elapsed "$t0" "$(now)")"
fi
[ -n "$image_ref" ] || fail "no image reference to deploy"
note "DEMO_IMAGE_REF=$image_ref"

# --- 7. deploy -------------------------------------------------------------------
# The app's Sentry settings, given to the containers the Render stand-in
# starts (as Render's environment variables would be); sent on stdin so that
# no secret shows in `ps`.
SENTRY_VERIFY_TOKEN="$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_')"
export SENTRY_VERIFY_TOKEN
RELEASE="shipyard-demo-${GITHUB_SHA:0:12}"
node -e 'const e = process.env
process.stdout.write(JSON.stringify({ serviceId: e.RENDER_SERVICE_ID, env: {
  SENTRY_DSN: e.SENTRY_DSN, SENTRY_VERIFY_TOKEN: e.SENTRY_VERIFY_TOKEN,
  SENTRY_ENVIRONMENT: "production", SENTRY_RELEASE: process.argv[1] } }))' "$RELEASE" |
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @- \
    "${RENDER_API_URL%/v1}/__control/render/env" || fail "setting the service's environment"

action render-deploy service-id=@RENDER_SERVICE_ID api-key=@RENDER_API_KEY \
  "image-url=$image_ref" render-api-url=@RENDER_API_URL timeout=5m \
  environment=production github-token=@GITHUB_TOKEN ||
  fail "render-deploy (log: $OUT_DIR/render-deploy.log)"
app_url="$(output render-deploy service-url)"

# --- 8. Sentry ------------------------------------------------------------------
action sentry-verify sentry-url=@SENTRY_URL auth-token=@SENTRY_AUTH_TOKEN \
  org=@SENTRY_ORG project=@SENTRY_PROJECT dsn=@SENTRY_DSN \
  environment=production "release=$RELEASE" "app-url=$app_url" \
  trigger-path=/_shipyard/sentry-verify/ trigger-token=@SENTRY_VERIFY_TOKEN ||
  fail "sentry-verify (log: $OUT_DIR/sentry-verify.log)"

# --- 9. report ------------------------------------------------------------------
note "DEMO_TOTAL_SECONDS=$(elapsed "$t_start" "$(now)")"
node scripts/demo/report.mjs "$OUT_DIR"
