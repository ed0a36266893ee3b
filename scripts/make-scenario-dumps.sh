#!/usr/bin/env bash
# One kdump-compressed dump per crash scenario, for the analyzer's tests: every crashlab scenario,
# sysrq and oom (made without a module), and every scenario of Coroner's own scripts/lab/
# coronerlab.c (hard_lockup only under KVM on a host with a PMU), each into ${CORONER_DUMPS:-~/.cache/coroner/dumps}/
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
if [ ${#scenarios[@]} = 0 ]; then
  scenarios=(null listdel uaf bug spin_abba mutex_abba work timer sysrq oom
             double_free double_free_debug stack_overflow bad_pointer list_corruption warning soft_lockup rcu_stall
             rcu_blocked hung_completion hung_mutex hung_semaphore rwsem_abba spin_heap)
  if [ -w /dev/kvm ] && [ -e /sys/bus/event_source/devices/cpu ]; then scenarios+=(hard_lockup)
  else echo "make-scenario-dumps: hard_lockup skipped (it needs KVM and a host PMU for the NMI watchdog)" >&2; fi
fi
# Built once here, not by two make-dumps.sh at once.
bash "$here/scripts/lab/build.sh" >/dev/null || exit 1
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
