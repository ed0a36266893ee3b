#!/usr/bin/env bash
# Renders `coroner analyze --html` of a dump in headless Chromium and writes a PNG screenshot, to
# look at how the page reads. Usage: analyze-screenshot.sh VMCORE OUT.png [HEIGHT]
# Needs Debian's chromium (apt-get install chromium); uses the fixture vmlinux and crashlab.ko.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vmcore="$1"
png="$2"
height="${3:-1800}"
shared="${CORONER_SHARED:-$here/../shared}"
kdir="$shared/fixtures/linux-6.1.0-56-amd64"
vmlinux="$(ls "${CORONER_CACHE:-$HOME/.cache/coroner}"/vmlinux-linux-6.1.0-56-amd64-* 2>/dev/null | grep -v '\.lock$' | head -1)"
[ -n "$vmlinux" ] || { echo "analyze-screenshot: no unpacked vmlinux in ~/.cache/coroner (run the tests once)" >&2; exit 1; }
command -v chromium >/dev/null || { echo "analyze-screenshot: chromium not installed (apt-get install chromium)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/coroner" analyze "$vmlinux" "$vmcore" --modules "$kdir" --html "$work/page.html" >/dev/null || true
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
  --user-data-dir="$work/profile" --window-size=1280,"$height" --screenshot="$png" "file://$work/page.html" 2>/dev/null
echo "analyze-screenshot: $png" >&2
