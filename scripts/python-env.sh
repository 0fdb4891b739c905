#!/usr/bin/env bash
# Create or refresh the repository's Python virtual environment in .venv.
#
#   scripts/python-env.sh            # idempotent; fast when nothing changed
#   PYTHON=python3.12 scripts/python-env.sh
#
# Installs example/requirements-dev.txt (which includes the runtime
# requirements) and docs/requirements.txt. A stamp file inside .venv holds the
# sha256 of those files and of the interpreter version; when it matches,
# nothing is installed. A venv built by another Python version, or broken
# (e.g. its interpreter was removed), is rebuilt from scratch.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
STAMP="$VENV/.shipyard-requirements.sha256"
REQUIREMENTS=(example/requirements.txt example/requirements-dev.txt docs/requirements.txt)

log() { printf 'python-env: %s\n' "$*"; }
die() { printf 'python-env: error: %s\n' "$*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null 2>&1 ||
  die "interpreter '$PYTHON' not found; install Python 3.11+ or set PYTHON=/path/to/python3"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "$("$PYTHON" -V 2>&1) is too old; Django 5.2 and Sphinx 9 need Python 3.11+"

# Serialise concurrent runs (e.g. parallel make targets) where flock exists.
mkdir -p "$VENV"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$VENV/.lock"
  flock 9
fi

wanted_version="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
current_version="$("$VENV/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || true)"

if [[ -n "$current_version" && "$current_version" != "$wanted_version" ]]; then
  log "rebuilding .venv: it uses Python $current_version, $PYTHON is $wanted_version"
  find "$VENV" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
  current_version=""
elif [[ -z "$current_version" && -e "$VENV/bin" ]]; then
  log "rebuilding .venv: its interpreter does not run"
  find "$VENV" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
fi

if [[ -z "$current_version" ]]; then
  log "creating .venv with $("$PYTHON" -V 2>&1) ($(command -v "$PYTHON"))"
  if ! "$PYTHON" -m venv "$VENV"; then
    find "$VENV" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
    die "'$PYTHON -m venv' failed. On Debian/Ubuntu install the venv module:
  sudo apt-get install python3-venv   (or python${wanted_version%.*}-venv)"
  fi
fi

# The digest covers the requirement files and the interpreter version.
digest="$(cd "$ROOT" && "$PYTHON" - "$wanted_version" "${REQUIREMENTS[@]}" <<'PY'
import hashlib
import sys

digest = hashlib.sha256(sys.argv[1].encode())
for path in sys.argv[2:]:
    with open(path, "rb") as handle:
        digest.update(path.encode() + b"\0" + handle.read())
print(digest.hexdigest())
PY
)"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$digest" ]]; then
  log ".venv is up to date (Python $wanted_version, requirements ${digest:0:12}); nothing to install"
  exit 0
fi

log "installing ${REQUIREMENTS[*]} into .venv"
started=$SECONDS
rm -f "$STAMP"
(
  cd "$ROOT"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
    -r example/requirements-dev.txt -r docs/requirements.txt
)
printf '%s\n' "$digest" >"$STAMP"
log "installed in $((SECONDS - started))s; $("$VENV/bin/python" -m pip list --format=freeze \
  --disable-pip-version-check | wc -l | tr -d ' ') packages; stamp ${digest:0:12}"
