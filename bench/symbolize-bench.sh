#!/bin/sh
# Time to symbolize 10,000 frames (func+off/size) against the 6.1 debug vmlinux from a cold start:
# a new JVM, nothing indexed before (symbol table, DWARF units and line tables built on demand).
# Wall time of the whole process as measured by GNU time, and the in-JVM figure.
# Usage: bench/symbolize-bench.sh [FRAMES] [RUNS]
set -e
cd "$(dirname "$0")/.."
. scripts/jdk.sh
FRAMES=${1:-10000}
RUNS=${2:-3}
mvn -B -q -ntp -o test-compile >/dev/null
VMLINUX=$(ls -d "$HOME"/.cache/coroner/vmlinux-linux-6.1.0-56-amd64-* 2>/dev/null | grep -v '\.lock$' | head -1)
if [ -z "$VMLINUX" ]; then
  SHARED=${CORONER_SHARED:-../shared}
  mkdir -p "$HOME/.cache/coroner"
  VMLINUX="$HOME/.cache/coroner/vmlinux-bench"
  [ -f "$VMLINUX" ] || xz -dc "$SHARED/fixtures/linux-6.1.0-56-amd64/vmlinux.xz" > "$VMLINUX"
fi
CP="target/classes:target/test-classes:$(ls ~/.m2/repository/net/java/dev/jna/jna/5.19.1/jna-5.19.1.jar | head -1)"
i=1
while [ $i -le "$RUNS" ]; do
  /usr/bin/time -f "run $i: wall %e s, peak RSS %M KB" "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 \
    --enable-native-access=ALL-UNNAMED -cp "$CP" org.coroner.dwarf.SymbolizeBench "$VMLINUX" "$FRAMES"
  i=$((i + 1))
done
