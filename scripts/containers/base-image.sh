#!/usr/bin/env bash
# Build the local Python base image localhost/shipyard/python-base:bookworm
# from Debian packages with debootstrap, for hosts that cannot pull
# python:3.12-slim from Docker Hub. The root Dockerfile takes it through
# `--build-arg BASE_IMAGE=localhost/shipyard/python-base:bookworm`.
#
#   scripts/containers/base-image.sh            # no-op when the image exists
#   scripts/containers/base-image.sh --rebuild  # debootstrap again
#
# The root filesystem is cached as a tarball under
# ${XDG_CACHE_HOME:-$HOME/.cache}/shipyard/, so a wiped podman storage is
# re-imported in seconds instead of re-running debootstrap (about a minute).
#
# The Debian mirror is the one apt on this host already uses (read from
# `apt-get indextargets`); DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR override it.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=scripts/containers/env.sh
. "$REPO_ROOT/scripts/containers/env.sh"

IMAGE="${SHIPYARD_BASE_IMAGE:-localhost/shipyard/python-base:bookworm}"
SUITE=bookworm
# Packages on top of debootstrap's minbase. debootstrap follows Depends only,
# never Recommends, so this stays small. python-is-python3 gives `python`
# like the official python images; tini is a tiny init for those who want it.
INCLUDE=python3,python3-venv,python3-pip,python-is-python3,ca-certificates,tini
# Bump when the recipe below changes in a way the package list doesn't show.
RECIPE_VERSION=2

rebuild=0
case "${1:-}" in
  --rebuild) rebuild=1 ;;
  "") ;;
  *) echo "usage: $0 [--rebuild]" >&2; exit 2 ;;
esac

log() { echo "base-image: $*" >&2; }

if [ "$rebuild" -eq 0 ] && podman image exists "$IMAGE"; then
  log "$IMAGE already present"
  exit 0
fi

start=$(date +%s)
arch="$(dpkg --print-architecture)"
recipe_hash="$(printf '%s\n' "$SUITE" "$INCLUDE" "$RECIPE_VERSION" "$arch" | sha256sum | cut -c1-12)"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/shipyard"
tarball="$cache_dir/python-base-$SUITE-$arch-$recipe_hash.tar.gz"
mkdir -p "$cache_dir"

# One builder at a time (make demo and a test run may race for it).
exec 9>"$cache_dir/python-base.lock"
flock 9
# Another process may have imported it while we waited for the lock.
if [ "$rebuild" -eq 0 ] && podman image exists "$IMAGE"; then
  log "$IMAGE already present"
  exit 0
fi

# Print the Repo-URI of the first apt source on this host whose release
# (suite) satisfies the awk condition given as $1, e.g. '$2 == "bookworm"'.
apt_repo_uri() {
  # shellcheck disable=SC2016  # $(...) here is apt's template syntax
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null |
    awk "$1"' { print $1; exit }'
}

build_rootfs() {
  "$REPO_ROOT/scripts/containers/install.sh" >&2

  local mirror security rootfs
  mirror="${DEBIAN_MIRROR:-$(apt_repo_uri "\$2 == \"$SUITE\"")}"
  # Hosts on another Debian release still carry a usable main mirror.
  # shellcheck disable=SC2016  # an awk program
  [ -n "$mirror" ] || mirror="$(apt_repo_uri '$2 !~ /-(security|updates|backports)$/ && $1 ~ /debian\/?$/')"
  if [ -z "$mirror" ]; then
    log "no Debian mirror found in this host's apt sources; set DEBIAN_MIRROR"
    return 1
  fi
  mirror="${mirror%/}"
  security="${DEBIAN_SECURITY_MIRROR:-$(apt_repo_uri "\$2 == \"$SUITE-security\"")}"
  security="${security%/}"

  rootfs="$(mktemp -d "$cache_dir/rootfs.XXXXXX")"
  # mktemp makes it 0700, and that mode becomes the image's "/": non-root
  # users in the container could then not reach any file.
  chmod 0755 "$rootfs"
  # shellcheck disable=SC2064  # expand $rootfs now, the trap runs later
  trap "umount '$rootfs/proc' 2>/dev/null || true; rm -rf '$rootfs'" EXIT

  log "debootstrap $SUITE from $mirror (this takes about a minute)"
  debootstrap --variant=minbase --components=main --include="$INCLUDE" \
    "$SUITE" "$rootfs" "$mirror" >"$cache_dir/debootstrap.log" 2>&1 || {
      tail -n 30 "$cache_dir/debootstrap.log" >&2
      return 1
    }

  # apt sources inside the image: the same mirrors, so `apt-get install`
  # works in derived images; security updates are applied right away.
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" "$SUITE" "$SUITE"
    if [ -n "$security" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$security" "$SUITE"
    fi
  } >"$rootfs/etc/apt/sources.list.d/debian.sources"
  rm -f "$rootfs/etc/apt/sources.list"
  # Image-friendly apt defaults (as in Debian's official images).
  cat >"$rootfs/etc/apt/apt.conf.d/docker-slim" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT

  log "applying $SUITE-updates / security updates"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"
  chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
    sh -c 'apt-get update -qq && apt-get -y -qq -o Dpkg::Use-Pty=0 upgrade >/dev/null && apt-get clean' \
    >>"$cache_dir/debootstrap.log" 2>&1 || {
      tail -n 30 "$cache_dir/debootstrap.log" >&2
      return 1
    }
  umount "$rootfs/proc"

  # Slim down: caches, logs, docs (keeping copyright files), host identity.
  (
    cd "$rootfs"
    rm -rf var/lib/apt/lists/* var/cache/apt/* var/cache/debconf/*-old \
      var/lib/dpkg/*-old usr/share/man/* usr/share/info/* usr/share/lintian \
      tmp/* var/tmp/*
    find var/log -type f -delete
    find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
    find usr/share/doc -mindepth 1 -type d -empty -delete
    find usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
    : >etc/resolv.conf
    : >etc/machine-id
    rm -f etc/hostname
  )

  log "packing $tarball"
  tar --numeric-owner --one-file-system -C "$rootfs" -cf - . | gzip -1 >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  # Tarballs of older recipes are dead weight now.
  find "$cache_dir" -maxdepth 1 -name "python-base-$SUITE-$arch-*.tar.gz" \
    ! -name "$(basename "$tarball")" -delete
  rm -rf "$rootfs"
  trap - EXIT
}

if [ "$rebuild" -eq 1 ] || [ ! -s "$tarball" ]; then
  build_rootfs
else
  log "re-importing cached $tarball"
fi

debian_version="$(tar -xzOf "$tarball" ./usr/lib/os-release 2>/dev/null | sed -n 's/^VERSION_ID="\(.*\)"/debian-\1/p')"
podman import --quiet \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' \
  --change "LABEL org.opencontainers.image.title=shipyard-python-base" \
  --change "LABEL org.opencontainers.image.description=\"Debian $SUITE (debootstrap minbase) with python3, venv and pip\"" \
  --change "LABEL org.opencontainers.image.base.name=debian:$SUITE" \
  --change "LABEL org.opencontainers.image.version=${debian_version:-$SUITE}" \
  --message "shipyard base-image.sh (recipe $recipe_hash)" \
  "$tarball" "$IMAGE" >/dev/null

size="$(podman image inspect --format '{{.Size}}' "$IMAGE" | numfmt --to=iec)"
log "imported $IMAGE ($size) in $(( $(date +%s) - start )) s"
