#!/usr/bin/env bash
# Runs this repository's real workflow files with act (nektos/act) on this
# machine (`-P ubuntu-latest=-self-hosted`: steps run on the host), against
# the local stand-ins and registry. GitHub's own actions are replaced by the
# small local actions in tests/act/shims/ through --local-repository.
#
#   tests/act/act.sh workspace DIR
#       Copies the working tree (tracked and untracked files, minus what
#       .gitignore ignores) to DIR and commits it there, in a git
#       repository of its own whose origin is github.com/$ACT_REPOSITORY,
#       so that act has a commit, a branch and a repository name.
#   tests/act/act.sh run DIR EVENT WORKFLOW [EVENT_JSON]
#       Runs act for EVENT on .github/workflows/WORKFLOW in DIR. Secrets,
#       variables and URLs come from $SERVICES_ENV_FILE (written by
#       scripts/services.sh up); secrets reach act in a file readable by
#       the owner only, never on a command line. Extra act arguments:
#       $ACT_ARGS (words). The log goes to stdout.
#
# Settings: ACT (the act binary; default act on PATH, then $(go env
# GOPATH)/bin/act), ACT_REPOSITORY (shipyard/example: the GitHub stand-in's
# repository), SHIPYARD_BASE_IMAGE (the base image given as the BASE_IMAGE
# build argument), SENTRY_VERIFY_TOKEN (random when unset).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
repository="${ACT_REPOSITORY:-shipyard/example}"
checkout=actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1
setup_python=actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97
upload_artifact=actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f

die() {
  printf 'act.sh: %s\n' "$*" >&2
  exit 2
}

act_binary() {
  if [ -n "${ACT:-}" ]; then
    printf '%s\n' "$ACT"
  elif command -v act >/dev/null; then
    command -v act
  else
    printf '%s/bin/act\n' "$(go env GOPATH)"
  fi
}

copy_tree() {
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do
      # Deleted but not yet committed files are listed too: skip them.
      [ -e "$file" ] || [ -L "$file" ] || continue
      printf '%s\0' "$file"
    done | tar --null -T - -cf -) | tar -xf - -C "$1"
}

# The bundle that is missing in a copied tree, if any.
missing_bundle() {
  local manifest
  for manifest in "$1"/actions/*/action.yml; do
    if [ ! -f "$(dirname "$manifest")/dist/index.js" ]; then
      dirname "${manifest#"$1"/}"
      return
    fi
  done
}

workspace() {
  local dir="$1" missing tries=0
  [ -n "$dir" ] || die "workspace: DIR is empty"
  mkdir -p "$dir"
  [ -z "$(ls -A "$dir")" ] || die "workspace: $dir is not empty"
  # The workflows run the committed bundles: a tree caught in the middle of
  # a rebuild (scripts/bundle.mjs removes dist/ first) is copied again.
  while :; do
    copy_tree "$dir"
    missing="$(missing_bundle "$dir")"
    [ -n "$missing" ] || break
    tries=$((tries + 1))
    [ "$tries" -lt 24 ] || die "workspace: $missing/dist/index.js is missing"
    find "$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    sleep 5
  done
  git -C "$dir" init -q -b main
  git -C "$dir" remote add origin "https://github.com/$repository.git"
  git -C "$dir" add -A
  git -C "$dir" -c user.name=act -c user.email=act@localhost \
    commit -q -m "act workspace" --no-verify
  git -C "$dir" rev-parse HEAD
}

# Reads one KEY=VALUE line of the services env file (values may be quoted
# the shell's way); prints the value.
env_value() {
  (
    set -a
    # shellcheck disable=SC1090 # written by scripts/services.sh up
    . "$SERVICES_ENV_FILE"
    printf '%s' "${!1:-}"
  )
}

run() {
  local dir="$1" event="$2" workflow="$3" event_json="${4:-}"
  [ -d "$dir/.git" ] || die "run: $dir is not a workspace (act.sh workspace)"
  [ -f "$dir/.github/workflows/$workflow" ] || die "run: no workflow $workflow"
  case "$event" in push | pull_request | workflow_dispatch) ;; *)
    die "run: event '$event' is not push, pull_request or workflow_dispatch" ;;
  esac
  [ -f "${SERVICES_ENV_FILE:-}" ] ||
    die "run: SERVICES_ENV_FILE '${SERVICES_ENV_FILE:-}' not found (scripts/services.sh up)"
  if [ -n "$event_json" ] && [ ! -f "$event_json" ]; then
    die "run: event file $event_json not found"
  fi

  local act private image_path image_repo sha
  act="$(act_binary)"
  [ -x "$act" ] || die "run: act not found ($act): make tools"
  private="$(mktemp -d)"
  private_dir="$private"
  trap 'rm -rf "$private_dir"' EXIT
  chmod 700 "$private"
  sha="$(git -C "$dir" rev-parse HEAD)"
  image_path="$(env_value RENDER_IMAGE_PATH)"
  image_repo="$image_path"
  case "${image_path##*/}" in *:*) image_repo="${image_path%:*}" ;; esac

  # Secrets, as a repository's settings would hold them.
  {
    echo "DOCKERHUB_USERNAME=$(env_value REGISTRY_USERNAME)"
    echo "DOCKERHUB_TOKEN=$(env_value REGISTRY_PASSWORD)"
    echo "RENDER_API_KEY=$(env_value RENDER_API_KEY)"
    echo "SENTRY_AUTH_TOKEN=$(env_value SENTRY_AUTH_TOKEN)"
    echo "SENTRY_DSN=$(env_value SENTRY_DSN)"
    echo "SENTRY_VERIFY_TOKEN=$SENTRY_VERIFY_TOKEN"
    echo "RTD_TOKEN=$(env_value RTD_TOKEN)"
    echo "GITHUB_TOKEN=$(env_value GITHUB_TOKEN)"
  } >"$private/secrets"
  # Variables: the stand-ins' URLs and names.
  {
    echo "SHIPYARD_IMAGE=$image_repo"
    echo "SHIPYARD_BUILD_ARGS=BASE_IMAGE=${SHIPYARD_BASE_IMAGE:-localhost/shipyard/python-base:bookworm}"
    echo "RENDER_SERVICE_ID=$(env_value RENDER_SERVICE_ID)"
    echo "RENDER_API_URL=$(env_value RENDER_API_URL)"
    echo "RTD_PROJECT=$(env_value RTD_PROJECT)"
    echo "RTD_API_URL=$(env_value RTD_API_URL)"
    echo "SENTRY_URL=$(env_value SENTRY_URL)"
    echo "SENTRY_ORG=$(env_value SENTRY_ORG)"
    echo "SENTRY_PROJECT=$(env_value SENTRY_PROJECT)"
  } >"$private/vars"

  local args=(
    "$event" -W ".github/workflows/$workflow"
    -P ubuntu-latest=-self-hosted
    --action-cache-path "$private/cache"
    --secret-file "$private/secrets" --var-file "$private/vars"
    --env-file /dev/null --input-file /dev/null
    --env "GITHUB_API_URL=$(env_value GITHUB_API_URL)"
    --env "SHIM_REPOSITORY_DIR=$dir"
    --env "SHIM_ARTIFACT_DIR=${SHIM_ARTIFACT_DIR:-$private/artifacts}"
    --local-repository "$checkout=$root/tests/act/shims/checkout"
    --local-repository "$setup_python=$root/tests/act/shims/setup-python"
    --local-repository "$upload_artifact=$root/tests/act/shims/upload-artifact"
  )
  [ -z "$event_json" ] || args+=(-e "$event_json")
  # shellcheck disable=SC2206 # extra words on purpose
  [ -z "${ACT_ARGS:-}" ] || args+=($ACT_ARGS)
  echo "act.sh: $event on $workflow at ${sha:0:12} ($("$act" --version))"
  # The podman settings (storage, registries) for docker-publish's builds.
  # shellcheck source=scripts/containers/env.sh
  . "$root/scripts/containers/env.sh"
  (cd "$dir" && "$act" "${args[@]}")
}

SENTRY_VERIFY_TOKEN="${SENTRY_VERIFY_TOKEN:-$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_')}"
case "${1:-}" in
  workspace) workspace "${2:-}" ;;
  run) run "${2:-}" "${3:-}" "${4:-}" "${5:-}" ;;
  *) die "usage: act.sh workspace DIR | act.sh run DIR EVENT WORKFLOW [EVENT_JSON]" ;;
esac
