# shellcheck shell=bash
# Source this file (`. scripts/containers/env.sh`) before calling podman,
# buildah or the podman-docker `docker` wrapper: it points them at
# shipyard's own configuration instead of the system-wide files.
#
# It only exports variables; it does not install or start anything.

# Directory of this file, whether sourced from bash or executed.
_shipyard_containers_dir="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"

export CONTAINERS_CONF="$_shipyard_containers_dir/containers.conf"
export CONTAINERS_STORAGE_CONF="$_shipyard_containers_dir/storage.conf"
export REGISTRIES_CONFIG_PATH="$_shipyard_containers_dir/registries.conf"
# buildah (and `podman build`) isolation: chroot needs no extra namespaces.
export BUILDAH_ISOLATION=chroot
# Docker (v2s2) image format instead of OCI: OCI has no HEALTHCHECK, which
# buildah would otherwise drop with a warning; Docker Hub expects it too.
export BUILDAH_FORMAT=docker
# Storage driver for tools that read the variable before the config file.
export STORAGE_DRIVER=vfs

unset _shipyard_containers_dir
