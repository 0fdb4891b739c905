#!/usr/bin/env bash
# Install the local container tool chain shipyard uses on a Debian host
# without a Docker engine: podman + buildah + runc (vfs storage, chroot
# isolation), podman-docker (a `docker` command backed by podman), Debian's
# Distribution registry, htpasswd, debootstrap and a few helpers.
#
# Idempotent and fast: every package is checked with dpkg first, and
# `apt-get update` runs only when something is actually missing.
# Must run as root (or with sudo available).
set -euo pipefail

# Debian packages, each checked with dpkg-query (a few ms in all).
# jq and curl are used by lib.sh, registry.sh and the smoke test.
PACKAGES=(
  podman buildah runc podman-docker
  docker-registry apache2-utils
  debootstrap curl jq ca-certificates
)

# True when a Debian package is installed (status "install ok installed").
is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install.sh: container tools already present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

echo "install.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# --no-install-recommends keeps slirp4netns/fuse-overlayfs/catatonit etc.
# out; we run rootful with host networking and the vfs driver.
$SUDO apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}" >/dev/null

# Debian starts docker-registry as a system service on install when an init
# system is around; shipyard runs its own instance (scripts/containers/
# registry.sh) with its own config, so stop the packaged one if it came up.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi

for pkg in "${missing[@]}"; do
  is_installed "$pkg" || { echo "install.sh: $pkg failed to install" >&2; exit 1; }
done
echo "install.sh: done ($(podman --version))"
