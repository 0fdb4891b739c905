# shellcheck shell=bash
# Helpers for scripts that run shipyard images with podman on this kind of
# host (demo.sh, tests/containers/smoke.sh). Source after env.sh.

# A TCP port on 127.0.0.1 that is free right now.
shipyard_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# `podman run` arguments, one per line, that keep IMAGE's HEALTHCHECK but
# without podman's periodic timer: podman schedules health checks with
# systemd timers, and a host without systemd only gets "unable to get systemd
# connection" errors. `podman healthcheck run` then runs the check on demand.
# podman 4.3 ignores --health-interval unless --health-cmd is given too, so
# the image's command is restated (as a JSON array without its "CMD" word).
# Prints nothing when the image has no exec-form HEALTHCHECK.
#   mapfile -t health_args < <(shipyard_health_args "$IMAGE")
shipyard_health_args() {
  local test_json
  test_json="$(podman image inspect --format '{{json .HealthCheck.Test}}' "$1")"
  if [ "$(jq -r '.[0]? // empty' <<<"$test_json")" = CMD ]; then
    printf '%s\n' --health-cmd "$(jq -c '.[1:]' <<<"$test_json")" --health-interval disable
  fi
}

# Wait until URL answers 2xx (its body goes to stdout) while CONTAINER keeps
# running, for at most TIMEOUT seconds. On failure: the container's logs on
# stderr, exit status 1.
#   body="$(shipyard_wait_http "$url" 60 "$name")"
shipyard_wait_http() {
  local url="$1" timeout="$2" container="$3" state deadline
  deadline=$((SECONDS + timeout))
  until curl -fsS --max-time 2 "$url" 2>/dev/null; do
    state="$(podman inspect --format '{{.State.Status}}' "$container" 2>/dev/null || echo gone)"
    if [ "$state" != running ] || [ "$SECONDS" -ge "$deadline" ]; then
      echo "no answer from $url within ${timeout}s (container $state); its logs:" >&2
      podman logs "$container" >&2 || true
      return 1
    fi
    sleep 0.5
  done
}
