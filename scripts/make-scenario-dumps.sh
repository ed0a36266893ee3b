#!/usr/bin/env bash
# One kdump-compressed dump per crash scenario, for the analyzer's tests: every crashlab scenario
# plus sysrq and oom (made without the module), each into ${CORONER_DUMPS:-~/.cache/coroner/dumps}/
# SCENARIO/{vmcore,console.log} by `make-dumps.sh --kdump-only`. Two QEMUs at a time; a scenario
# whose directory is complete is skipped. Usage: make-scenario-dumps.sh [--force] [SCENARIO...]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
force=()
scenarios=()
for a in "$@"; do
  case "$a" in
    --force) force=(--force) ;;
    *) scenarios+=("$a") ;;
  esac
done
[ ${#scenarios[@]} -gt 0 ] || scenarios=(null listdel uaf bug spin_abba mutex_abba work timer sysrq oom)
start=$(date +%s)
failed=0
running=0
for s in "${scenarios[@]}"; do
  bash "$here/scripts/make-dumps.sh" --kdump-only "${force[@]}" "$s" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then
    wait -n || failed=$((failed + 1))
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=$((failed + 1))
  running=$((running - 1))
done
echo "make-scenario-dumps: ${#scenarios[@]} scenarios in $(( $(date +%s) - start )) s, $failed failed" >&2
[ "$failed" = 0 ]
