# shellcheck shell=bash
# Source this file (`. scripts/containers/env.sh`) before calling podman,
# buildah or the podman-docker `docker` wrapper: it points them at
# shipyard's own configuration instead of the system-wide files.
#
# It only exports variables; it does not install or start anything.

# Directory of this file, whether sourced from bash or executed.
_shipyard_containers_dir="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"

export CONTAINERS_CONF="$_shipyard_containers_dir/containers.conf"
# Storage: vfs by default (works everywhere); SHIPYARD_STORAGE_DRIVER=overlay
# selects storage-overlay.conf, a separate and much faster store.
case "${SHIPYARD_STORAGE_DRIVER:-vfs}" in
  overlay)
    export CONTAINERS_STORAGE_CONF="$_shipyard_containers_dir/storage-overlay.conf"
    export STORAGE_DRIVER=overlay
    ;;
  *)
    export CONTAINERS_STORAGE_CONF="$_shipyard_containers_dir/storage.conf"
    export STORAGE_DRIVER=vfs
    ;;
esac
export REGISTRIES_CONFIG_PATH="$_shipyard_containers_dir/registries.conf"
# buildah (and `podman build`) isolation: chroot needs no extra namespaces.
export BUILDAH_ISOLATION=chroot
# Docker (v2s2) image format instead of OCI: OCI has no HEALTHCHECK, which
# buildah would otherwise drop with a warning; Docker Hub expects it too.
export BUILDAH_FORMAT=docker

unset _shipyard_containers_dir
