#!/bin/sh
# qemu_hello.sh QEMU IMAGE - boot hello.elf on QEMU, the reference machine.
#
# `qemu-system-x86_64 -kernel` loads the image by multiboot (the a.out
# kludge), the same image trapeze loads by PVH.  The guest must print
# exactly one line and end QEMU through isa-debug-exit with value 0, which
# QEMU turns into exit status (0 << 1) | 1 = 1.  Both isa-debug-exit
# placements are tried: the trapeze board's port 0xf4 and QEMU's default.
# Exit 0 if both runs behave, 1 otherwise, 77 (skip) without QEMU.
set -u
qemu=$1
image=$2
expected='hello from a trapeze guest'

command -v "$qemu" >/dev/null 2>&1 || { echo "skip: $qemu not found"; exit 77; }

out=$(mktemp) || exit 1
trap 'rm -f "$out" "$out.want"' EXIT
printf '%s\n' "$expected" >"$out.want"

for device in isa-debug-exit,iobase=0xf4,iosize=0x04 isa-debug-exit; do
	timeout 60 "$qemu" -accel tcg -kernel "$image" -serial stdio \
		-display none -nodefaults -device "$device" -no-reboot -m 64 \
		</dev/null >"$out"
	status=$?
	if [ "$status" -ne 1 ] || ! cmp -s "$out" "$out.want"; then
		echo "FAIL with -device $device: status $status (want 1), output:"
		cat "$out"
		exit 1
	fi
	echo "ok with -device $device"
done
exit 0
