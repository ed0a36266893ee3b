#!/bin/sh
# Time to build the global-name index of the 6.1 debug vmlinux (170 MB of .debug_info: every
# unit's top-level DIEs, in parallel) from a cold JVM, and to read it back from its cache file:
# what the shell's first p/struct/whatis of a kernel costs, and what every later session costs.
# Usage: bench/dwarf-names-bench.sh [RUNS]
set -e
cd "$(dirname "$0")/.."
. scripts/jdk.sh
RUNS=${1:-3}
mvn -B -q -ntp -o test-compile >/dev/null
VMLINUX=$(ls -d "$HOME"/.cache/coroner/vmlinux-linux-6.1.0-56-amd64-* 2>/dev/null | grep -v '\.lock$' | head -1)
if [ -z "$VMLINUX" ]; then
  SHARED=${CORONER_SHARED:-../shared}
  mkdir -p "$HOME/.cache/coroner"
  VMLINUX="$HOME/.cache/coroner/vmlinux-bench"
  [ -f "$VMLINUX" ] || xz -dc "$SHARED/fixtures/linux-6.1.0-56-amd64/vmlinux.xz" > "$VMLINUX"
fi
i=1
while [ $i -le "$RUNS" ]; do
  /usr/bin/time -f "run $i: wall %e s, peak RSS %M KB" "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 \
    -cp target/classes:target/test-classes org.coroner.dwarf.types.DwarfNamesBench "$VMLINUX"
  i=$((i + 1))
done
