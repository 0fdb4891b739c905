#!/usr/bin/env bash
# Build the example app's image from the root Dockerfile with podman, the
# way this host needs it: local base image, chroot isolation, Docker image
# format, and this host's pip settings (index, trusted host, CA bundle).
#
#   scripts/containers/build-image.sh TAG [LOG_FILE]
#
# Prints the build's STEP lines on stderr while it runs, keeps the full
# output in LOG_FILE (default: <run dir>/build-<tag>.log), prints the image
# ID on stdout at the end. On failure it shows the last lines of the log.
# Settings: SHIPYARD_BASE_IMAGE (localhost/shipyard/python-base:bookworm);
# PIP_INDEX_URL, PIP_TRUSTED_HOST, PIP_CERT (else read from `pip config`).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=scripts/containers/env.sh
. "$REPO_ROOT/scripts/containers/env.sh"

TAG="${1:?usage: $0 TAG [LOG_FILE]}"
BASE_IMAGE="${SHIPYARD_BASE_IMAGE:-localhost/shipyard/python-base:bookworm}"
RUN_DIR="${SHIPYARD_RUN_DIR:-$REPO_ROOT/.run}"
LOG_FILE="${2:-$RUN_DIR/build-$(echo "$TAG" | tr -c 'A-Za-z0-9._\n-' '_').log}"
mkdir -p "$(dirname "$LOG_FILE")"

# First value pip on this host has for a setting (e.g. index-url): the
# PIP_* variable, else `pip config list` (global/user/site files).
pip_setting() {
  local key="$1" var
  var="PIP_$(echo "$key" | tr 'a-z-' 'A-Z_')"
  if [ -n "${!var:-}" ]; then
    echo "${!var}"
  elif command -v pip3 >/dev/null 2>&1; then
    pip3 config list 2>/dev/null | sed -n "s/^[^.]*\.$key='\(.*\)'\$/\1/p" | head -n 1
  fi
}

args=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
index_url="$(pip_setting index-url)"
trusted_host="$(pip_setting trusted-host)"
pip_cert="$(pip_setting cert)"
if [ -n "$index_url" ]; then args+=(--build-arg "PIP_INDEX_URL=$index_url"); fi
if [ -n "$trusted_host" ]; then args+=(--build-arg "PIP_TRUSTED_HOST=$trusted_host"); fi
# A TLS-intercepting proxy's CA reaches pip as a build secret: mounted for
# the pip step only, never stored in a layer.
if [ -n "$pip_cert" ] && [ -f "$pip_cert" ]; then
  args+=(--secret "id=pip_cert,src=$pip_cert")
fi
if revision="$(git -C "$REPO_ROOT" rev-parse --verify -q HEAD 2>/dev/null)"; then
  args+=(--build-arg "REVISION=$revision"
    --build-arg "VERSION=$(git -C "$REPO_ROOT" describe --tags --always)")
fi

# With vfs every cached intermediate layer is a full copy of the root
# filesystem: one commit per stage (--layers=false) is ~3x faster than a
# cached rebuild. overlay caches cheaply, so keep the layers there.
layers=true
[ "$(podman info --format '{{.Store.GraphDriverName}}')" != vfs ] || layers=false

old_id="$(podman image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)"

echo "build-image: $TAG from $BASE_IMAGE (log: $LOG_FILE)" >&2
set +e
(cd "$REPO_ROOT" && podman build --layers="$layers" --isolation chroot --format docker \
  "${args[@]}" --tag "$TAG" --file Dockerfile .) >"$LOG_FILE" 2>&1 &
build_pid=$!
tail -n +1 -f --pid="$build_pid" "$LOG_FILE" |
  grep --line-buffered -E '^\[[0-9]+/[0-9]+\] STEP' | cut -c1-100 >&2
wait "$build_pid"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  tail -n 40 "$LOG_FILE" >&2
  echo "build-image: podman build exited $rc" >&2
  exit "$rc"
fi

new_id="$(podman image inspect --format '{{.Id}}' "$TAG")"
# The previous build of this tag is now untagged; drop it unless something
# still uses it (each vfs image is a full copy on disk). --no-prune keeps its
# untagged parent layers: a concurrent `podman build --layers` (docker-publish
# in the demo) may be building on them, and pruning them under it fails that
# build with "image not known".
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  podman rmi --no-prune "$old_id" >/dev/null 2>&1 || true
fi
echo "$new_id"
