#!/usr/bin/env bash
# make services-up / services-down: the local registry and the stand-ins of
# the hosted services, in the background, with their URLs and credentials in
# .services.env (shell KEY=VALUE lines).
#
#   scripts/services.sh up     start (idempotent), wait until ready
#   scripts/services.sh down   stop them and everything they started
#
# Settings: SHIPYARD_RUN_DIR (state: pid, log, registry; default .run),
# SERVICES_ENV_FILE (default .services.env), REGISTRY_PORT (5000; a free
# port when 5000 is taken and REGISTRY_PORT is unset, see registry.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state=${SHIPYARD_RUN_DIR:-.run}
pidfile=$state/services.pid
logfile=$state/services.log
envfile=${SERVICES_ENV_FILE:-.services.env}
mkdir -p "$state"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

up() {
  if running; then
    echo "services: already up (pid $(cat "$pidfile")), see $envfile"
    return
  fi
  # The container settings (podman config, storage) for the Render
  # stand-in, which runs the deployed images.
  # shellcheck source=scripts/containers/env.sh
  . scripts/containers/env.sh
  bash scripts/containers/registry.sh start >/dev/null
  rm -f "$envfile"
  setsid node --import tsx packages/stand-ins/src/cli.ts up \
    --out "$envfile" --append "$state/registry.env" >"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    if [ -s "$envfile" ]; then
      cat "$logfile"
      return
    fi
    running || break
    sleep 0.2
  done
  echo "services: the stand-ins did not start; their log:" >&2
  cat "$logfile" >&2
  exit 1
}

down() {
  if running; then
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  fi
  rm -f "$pidfile" "$envfile"
  bash scripts/containers/registry.sh stop >/dev/null || true
  echo "services: down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
