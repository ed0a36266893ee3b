#!/usr/bin/env bash
# Builds scripts/lab/coronerlab.c (Coroner's own crash-scenario module) for the fixture kernel
# (Debian 6.1.0-56-amd64) against Debian's linux-headers-6.1.0-56-amd64 (scripts/setup.sh installs
# it), with the kernel's own flags, so with debug info (-g, DWARF) as crashlab.ko is. Output:
# ${CORONER_CACHE:-~/.cache/coroner}/lab/coronerlab.ko (never the repository); rebuilt only when
# missing or older than its source. Safe to run from several make-dumps.sh at once (flock).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rel=6.1.0-56-amd64
hdr="${CORONER_KERNEL_HEADERS:-/usr/src/linux-headers-$rel}"
out="${CORONER_CACHE:-$HOME/.cache/coroner}/lab"
src="$here/scripts/lab"
mkdir -p "$out"
exec 9> "$out/.lock"
flock 9
if [ -f "$out/coronerlab.ko" ] && [ "$out/coronerlab.ko" -nt "$src/coronerlab.c" ] \
   && [ "$out/coronerlab.ko" -nt "$src/Kbuild" ]; then
  echo "$out/coronerlab.ko"
  exit 0
fi
[ -f "$hdr/Makefile" ] || { echo "lab/build.sh: $hdr missing (scripts/setup.sh installs linux-headers-$rel)" >&2; exit 1; }
t=$(date +%s)
rm -rf "$out/build"; mkdir -p "$out/build"
cp "$src/coronerlab.c" "$src/Kbuild" "$out/build/"
if ! make -s -C "$hdr" M="$out/build" modules > "$out/build.log" 2>&1; then
  echo "lab/build.sh: coronerlab.ko did not build: $(tail -n 3 "$out/build.log" | tr '\n' ' ')" >&2
  exit 1
fi
cp "$out/build/coronerlab.ko" "$out/coronerlab.ko.tmp"
mv "$out/coronerlab.ko.tmp" "$out/coronerlab.ko"
echo "lab/build.sh: coronerlab.ko built in $(( $(date +%s) - t )) s" >&2
echo "$out/coronerlab.ko"
