#!/usr/bin/env bash
# Cold start of `coroner shell` (issues 3 and 4): wall time and peak RSS from a new JVM to the first
# interactive prompt (a pty, 'q' typed), to the answer of `sys`, and to the end of `foreach bt`,
# with the page cache dropped before every run (when root: echo 3 > /proc/sys/vm/drop_caches).
# The first run of all is also a first use: no AOT cache yet (the launcher trains one after it; the
# script waits for that before the next run). Targets: prompt and sys under 2 s, foreach bt under
# 3 s, peak RSS under 1.5 GB.
# Usage: bench/startup-bench.sh [RUNS] [VMCORE]   (default 5 runs, the null fixture)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
RUNS=${1:-5}
SHARED=${CORONER_SHARED:-../shared}
DUMP=${2:-$SHARED/fixtures/vmcores/null/vmcore}
KDIR=$SHARED/fixtures/linux-6.1.0-56-amd64
VMLINUX=$(ls -d "$HOME"/.cache/coroner/vmlinux-linux-6.1.0-56-amd64-* 2>/dev/null | grep -v '\.lock$' | head -1)
[ -n "$VMLINUX" ] || { echo "startup-bench: no unpacked vmlinux in ~/.cache/coroner (run the tests once)" >&2; exit 2; }
./coroner --version >/dev/null # builds the jar if needed
rm -rf target/aot
drop() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}
settle() { # the launcher's background AOT training, if one is running
  local m
  for _ in $(seq 1200); do
    m=$(ls target/aot/*.training 2>/dev/null | head -1 || true)
    [ -n "$m" ] && kill -0 "$(cat "$m" 2>/dev/null)" 2>/dev/null || return 0
    sleep 0.5
  done
}
run() { # NAME CMD...: prints "NAME wall_s rss_mb"
  local name=$1; shift
  settle; drop
  local t; t=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$t" "$@" >/dev/null 2>&1 </dev/null || true
  read -r wall rss <"$t"; rm -f "$t"
  echo "$name $wall $((rss / 1024))"
}
shell=(./coroner shell --modules "$KDIR" "$VMLINUX" "$DUMP")
prompt_cmd=$(printf '%q ' "${shell[@]}")
out=$(mktemp)
for i in $(seq "$RUNS"); do
  run prompt script -qec "printf 'q\n' | $prompt_cmd" /dev/null >>"$out"
  run sys "${shell[@]}" -c sys >>"$out"
  run foreach_bt "${shell[@]}" -c "foreach bt" >>"$out"
done
echo "cold start of coroner shell on $(basename "$DUMP") ($RUNS runs each, page cache dropped: $([ -w /proc/sys/vm/drop_caches ] && echo yes || echo no), load average $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$out" <<'EOF'
import sys, statistics
rows = {}
first = None
for line in open(sys.argv[1]):
    name, wall, rss = line.split()
    if first is None:
        first = (name, float(wall))
    rows.setdefault(name, []).append((float(wall), int(rss)))
target = {"prompt": 2.0, "sys": 2.0, "foreach_bt": 3.0}
print(f"{'task':12s} {'median s':>9s} {'min s':>7s} {'max s':>7s} {'peak RSS MB':>12s}  target")
for name, rs in rows.items():
    w = [x for x, _ in rs]
    print(f"{name:12s} {statistics.median(w):9.2f} {min(w):7.2f} {max(w):7.2f} {max(r for _, r in rs):12d}  < {target[name]} s")
print(f"first use of all (no AOT cache yet): {first[0]} {first[1]:.2f} s")
EOF
rm -f "$out"
