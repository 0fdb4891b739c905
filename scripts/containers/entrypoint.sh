#!/bin/sh
# Entrypoint of the example app image (copied in by the root Dockerfile).
# With no arguments: apply migrations, then replace this shell with gunicorn
# so it is PID 1 and gets the container's SIGTERM directly.
# With arguments: run them instead (e.g. `python manage.py check --deploy`).
# gunicorn also reads WEB_CONCURRENCY (workers) and GUNICORN_CMD_ARGS.
set -eu

if [ "$#" -gt 0 ]; then
  exec "$@"
fi

python manage.py migrate --noinput
exec gunicorn shipyard_example.wsgi:application \
  --bind "0.0.0.0:${PORT:-8000}" \
  --access-logfile -
