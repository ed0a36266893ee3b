#!/usr/bin/env bash
# Cold-start time of `foreach bt` on a fixture dump: JVM start, dump and vmlinux opening, every
# task's backtrace. Usage: scripts/bench-foreach-bt.sh [null|mutex_abba] [-v]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
mvn -B -q -ntp -o test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt >/dev/null
CP="target/classes:target/test-classes:$(cat target/test-classpath.txt)"
start=$(date +%s%N)
"$JAVA_HOME/bin/java" -XX:+UseParallelGC -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$CP" org.coroner.kernel.stack.ForeachBtBench "${1:-null}" "${2:-}"
end=$(date +%s%N)
echo "total wall time including JVM start: $(( (end - start) / 1000000 )) ms"
