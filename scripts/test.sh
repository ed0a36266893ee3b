#!/usr/bin/env bash
# The whole test suite: installs what it needs, then builds and runs every test, the fixture
# tests against ../shared included. Quick unit tests only: scripts/test.sh -DexcludedGroups=fixtures
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
. "$here/scripts/jdk.sh"
cd "$here"
# Real dumps in every format for the dump-format tests (cached; ~45 s the first time).
bash "$here/scripts/make-dumps.sh"
# The uaf scenario under slub_debug=FZPU (red zones, poison, alloc/free tracks) for the SLUB tests.
bash "$here/scripts/make-dumps.sh" uaf --cmdline slub_debug=FZPU --name qemu-uaf-slub_debug --formats zlib
# One kdump-compressed dump per crash scenario for the analyzer's tests: crashlab's, sysrq, oom and
# those of Coroner's own module scripts/lab/coronerlab.c (cached; two QEMUs at a time; about 5.5 min
# more the first time for the 14 coronerlab scenarios).
bash "$here/scripts/make-scenario-dumps.sh"
# arm64 dumps of Debian's arm64 kernel (cached; ~4 min the first time, mostly the 804 MB -dbg .deb).
bash "$here/scripts/make-arm64-dumps.sh"
exec mvn -B -ntp verify "$@"
