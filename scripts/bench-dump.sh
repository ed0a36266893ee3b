#!/usr/bin/env bash
# Opens dumps and reads every page (org.coroner.dump.DumpBench): open time and pages/s.
# usage: scripts/bench-dump.sh [DUMP...]   (default: the fixture vmcores and scripts/make-dumps.sh's dumps)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/jdk.sh"
cd "$here"
mvn -B -q -ntp -o test-compile >/dev/null
cp="target/classes:target/test-classes:$(ls ~/.m2/repository/io/airlift/aircompressor/2.0.3/aircompressor-2.0.3.jar)"
if [ $# -eq 0 ]; then
  d="${CORONER_DUMPS:-$HOME/.cache/coroner/dumps}/qemu-null"
  set -- ../shared/fixtures/vmcores/null/vmcore $(for f in elf zlib d31-lzo d31-zlib-flat snappy zstd-libzstd; do [ -f "$d/$f" ] && echo "$d/$f"; done)
fi
exec "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -cp "$cp" org.coroner.dump.DumpBench "$@"
