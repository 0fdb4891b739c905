#!/usr/bin/env bash
# Foundation stage of `make demo`: container tools, the local Python base
# image, the example app's image built from the root Dockerfile with podman,
# and a smoke run of that image (GET /health) on this machine.
#
#   scripts/demo.sh
#
# Settings (environment):
#   DEMO_IMAGE           tag to build (localhost/shipyard/example:demo)
#   DEMO_HEALTH_TIMEOUT  seconds to wait for /health (60)
#   PIP_INDEX_URL, PIP_TRUSTED_HOST, PIP_CERT, SHIPYARD_BASE_IMAGE
#                        see scripts/containers/build-image.sh
# Leaves ${SHIPYARD_RUN_DIR:-<repo>/.run}/demo/foundation.env (image, id,
# size, timings) and build.log for the later stages and the final report.
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

cleanup() {
  podman rm -f -t 5 "$CONTAINER" >/dev/null 2>&1 || true
}
trap cleanup EXIT

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
