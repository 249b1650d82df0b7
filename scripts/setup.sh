#!/bin/sh
# setup.sh - make sure the Debian packages trapeze needs are installed.
#
# Run by `make demo`, `make test` and friends before they build.  As root it
# installs what is missing with apt-get; otherwise it prints the one
# apt-get line to run and fails.
set -eu

# build and test dependencies (see README.md)
PACKAGES="gcc make cmake ninja-build pkg-config libcapstone-dev libunicorn-dev \
libcmocka-dev gcovr qemu-system-x86 python3"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "trapeze setup: missing Debian packages:$missing" >&2
	echo "trapeze setup: install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "trapeze setup: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
