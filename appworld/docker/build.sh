#!/bin/sh
# Build a local image of seeupo's native AppWorld world: a Debian bookworm
# root file system made with debootstrap (python3 and its standard library,
# nothing else), the static seeupo binary, and the entry point
# "seeupo appworld serve --addr 0.0.0.0:8000". Nothing is pulled from a
# registry; debootstrap needs a Debian mirror.
#
#   appworld/docker/build.sh [tag]            (default seeupo-appworld:latest)
#   ROOTFS=/var/tmp/bookworm appworld/docker/build.sh   reuse a root file system
set -eu
tag=${1:-seeupo-appworld:latest}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=${ROOTFS:-$work/rootfs}
base=seeupo-appworld-base:bookworm
# The base image (the root file system alone) is made once and reused.
if ! docker image inspect "$base" >/dev/null 2>&1; then
	if [ ! -x "$rootfs/usr/bin/python3" ]; then
		debootstrap --variant=minbase --include=python3 bookworm "$rootfs" "${MIRROR:-http://deb.debian.org/debian}"
	fi
	tar -C "$rootfs" --exclude=./proc --exclude=./sys --exclude=./dev -c . | docker import - "$base"
fi
CGO_ENABLED=0 go build -C "$repo" -trimpath -o "$work/seeupo" ./cmd/seeupo
cat >"$work/Dockerfile" <<EOF
FROM $base
COPY seeupo /usr/local/bin/seeupo
ENV HOME=/tmp SEEUPO_DATA=/tmp
USER 65534:65534
# Cells run in the OS-level sandbox, which Docker's default seccomp profile
# refuses: run the image with the profile of "seeupo appworld seccomp"
# (the appworld suite does so when it sees this label).
LABEL io.seeupo.appworld.sandbox=namespaces
EXPOSE 8000
ENTRYPOINT ["/usr/local/bin/seeupo", "appworld", "serve", "--addr", "0.0.0.0:8000"]
EOF
docker build -q -t "$tag" "$work"
echo "built $tag"
