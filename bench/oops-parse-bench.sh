#!/bin/sh
# Parse throughput of `coroner oops` detection and titling (no symbolization), on one core.
# Builds a log of SIZE_MB (default 1024) from the syzkaller corpus in target/oops-bench/ (not committed).
# Usage: bench/oops-parse-bench.sh [SIZE_MB] [RUNS]
set -e
cd "$(dirname "$0")/.."
. scripts/jdk.sh
SHARED=${CORONER_SHARED:-../shared}
SIZE=${1:-1024}
RUNS=${2:-3}
mvn -B -q -ntp -o test-compile >/dev/null
exec taskset -c 0 "$JAVA_HOME/bin/java" -Xmx1g -XX:ActiveProcessorCount=1 -XX:+UseSerialGC \
  -cp target/classes:target/test-classes org.coroner.oops.OopsParseBench \
  "$SHARED/corpora/syzkaller-linux" target/oops-bench/log-${SIZE}m.txt "$SIZE" "$RUNS"
