#!/usr/bin/env bash
# Makes real dumps for the dump-format tests: boots the fixture kernel under QEMU (TCG, 512 MiB,
# 2 CPUs, -device vmcoreinfo) with a busybox initramfs, crashes it with crashlab.ko (scenario
# "null" unless given), and once it has panicked has the QEMU monitor write the guest's memory
# in every format QEMU 7.2 knows: ELF (no flag), kdump-compressed zlib (-z), lzo (-l), snappy (-s)
# (QEMU 7.2 writes the kdump ones as makedumpfile's flattened stream). Then makedumpfile writes
# filtered (dump level 31) lzo and flattened zlib dumps from the ELF one.
#
# Output: ${CORONER_DUMPS:-~/.cache/coroner/dumps}/qemu-SCENARIO/ (never the repository):
#   elf (QEMU ELF), zlib (QEMU -z, flattened), lzo/snappy (QEMU -l/-s, if this QEMU has them),
#   d31-lzo, d31-zlib-flat (makedumpfile, dump level 31), snappy/zstd-libzstd (pages rewritten
#   with libsnappy/libzstd), console.log (and coronerlab.ko, the module a coronerlab scenario ran).
# Does nothing when the directory is complete; --force remakes it. Prints how long it took.
# --cmdline "ARGS" adds kernel parameters (e.g. slub_debug=FZPU), --name DIR names the output
# directory instead of qemu-SCENARIO, --formats zlib,elf limits the dumps QEMU writes (and skips
# the makedumpfile ones).
#
# --kdump-only: one dump made as the shared fixtures were (kdump-compressed zlib, panic_print=65 so
# the log carries every task's backtrace) into ${CORONER_DUMPS:-~/.cache/coroner/dumps}/SCENARIO/
# {vmcore,console.log,coronerlab.ko}. SCENARIO is a crashlab scenario, or one made without the module:
# "sysrq" (echo c > /proc/sysrq-trigger) or "oom" (panic_on_oom=1 and a ramfs filled from /dev/zero),
# or one of Coroner's own module scripts/lab/coronerlab.c (built by scripts/lab/build.sh), each
# with the knobs that make it panic (set by init below): double_free, double_free_debug (the same
# under slub_debug=FU with panic_on_taint=0x20), stack_overflow, bad_pointer,
# list_corruption (panic_on_oops), warning (panic_on_warn=1), soft_lockup (watchdog_thresh=2),
# rcu_stall and rcu_blocked (panic_on_rcu_stall=1, rcu_cpu_stall_timeout=3), hung_completion, hung_mutex,
# hung_semaphore, rwsem_abba (hung_task_panic, 8 s), spin_heap (softlockup_panic, watchdog_thresh=4), hard_lockup
# (hardlockup_panic=1, watchdog_thresh=2; needs the perf NMI watchdog, so KVM with -cpu host on a
# host with a PMU: the only scenario booted under KVM, the others stay on TCG as the shared fixtures
# were made; never made yet: this machine, a VM itself, has no PMU).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
force=0
kdump_only=0
scenario=null
cmdline=""
name=""
formats="elf,zlib,lzo,snappy"
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --kdump-only) kdump_only=1 ;;
    --cmdline) cmdline="$2"; shift ;;
    --name) name="$2"; shift ;;
    --formats) formats="$2"; shift ;;
    *) scenario="$1" ;;
  esac
  shift
done
shared="${CORONER_SHARED:-$here/../shared}"
kdir="$shared/fixtures/linux-6.1.0-56-amd64"
if [ "$kdump_only" = 1 ]; then
  name="${name:-$scenario}"
  formats=zlib
  cmdline="${cmdline:+$cmdline }panic_print=65"
fi
out="${CORONER_DUMPS:-$HOME/.cache/coroner/dumps}/${name:-qemu-$scenario}"
lab_scenarios=" double_free double_free_debug stack_overflow bad_pointer list_corruption warning soft_lockup rcu_stall rcu_blocked hung_completion hung_mutex hung_semaphore rwsem_abba spin_heap hard_lockup "
lab_ko=""
case "$lab_scenarios" in
  *" $scenario "*) lab_ko="$(bash "$here/scripts/lab/build.sh")" ;;
esac
# A coronerlab dump keeps the module it was made with (SCENARIO/coronerlab.ko, for --modules): one
# made with another build of the module is remade.
if [ -f "$out/complete" ] && [ "$force" = 0 ] && { [ -z "$lab_ko" ] || cmp -s "$lab_ko" "$out/coronerlab.ko"; }; then
  exit 0
fi
for tool in qemu-system-x86_64 cpio gzip python3; do
  command -v "$tool" >/dev/null || { echo "make-dumps: $tool not installed (scripts/setup.sh installs it)" >&2; exit 1; }
done
busybox="$(command -v busybox || true)"
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
  [ -x /bin/busybox ] && busybox=/bin/busybox
fi
[ -n "$busybox" ] || { echo "make-dumps: busybox-static not installed" >&2; exit 1; }
start=$(date +%s)
work="$(mktemp -d "${TMPDIR:-/tmp}/coroner-dumps.XXXXXX")"
qpid=""
cleanup() {
  if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then kill "$qpid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
rm -rf "$out.tmp"
mkdir -p "$out.tmp" "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"

# double_free_debug: the same double free under slub_debug=FU, whose free checks report "Object
# already free" (with the alloc/free tracks) and only taint (TAINT_BAD_PAGE); panic_on_taint=0x20
# makes that taint panic
lab_arg="$scenario"
if [ "$scenario" = double_free_debug ]; then
  lab_arg=double_free
  cmdline="${cmdline:+$cmdline }slub_debug=FU panic_on_taint=0x20"
fi
accel=(-accel tcg)
if [ "$scenario" = hard_lockup ]; then
  # the perf NMI watchdog needs a PMU in the guest: KVM passing the host's through (a host that is
  # itself a VM without a virtual PMU has none: no /sys/bus/event_source/devices/cpu)
  [ -w /dev/kvm ] && [ -e /sys/bus/event_source/devices/cpu ] \
    || { echo "make-dumps: hard_lockup needs KVM on a host with a PMU (the guest's PMU drives the NMI watchdog)" >&2; exit 1; }
  accel=(-accel kvm -cpu host,-arch-capabilities,pmu=on)
fi

# The initramfs: busybox, the modules, an init that sets the panic knobs and crashes.
cp "$busybox" "$work/root/bin/busybox"
cp "$kdir/qemu_fw_cfg.ko" "$kdir/crashlab.ko" "$work/root/"
if [ -n "$lab_ko" ]; then
  cp "$lab_ko" "$work/root/coronerlab.ko"
  cp "$lab_ko" "$out.tmp/coronerlab.ko"
fi
cat > "$work/root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo 1 > /proc/sys/kernel/panic_on_oops
echo 1 > /proc/sys/kernel/softlockup_panic
echo 1 > /proc/sys/kernel/hung_task_panic
echo 8 > /proc/sys/kernel/hung_task_timeout_secs
# qemu_fw_cfg tells QEMU's vmcoreinfo device where VMCOREINFO is, so QEMU's dumps carry it.
insmod /qemu_fw_cfg.ko
echo "make-dumps: crashing with scenario $scenario"
EOF
case "$scenario" in
  warning) printf '%s\n' 'echo 1 > /proc/sys/kernel/panic_on_warn' ;;
  soft_lockup) printf '%s\n' 'echo 2 > /proc/sys/kernel/watchdog_thresh' ;;
  spin_heap) printf '%s\n' 'echo 4 > /proc/sys/kernel/watchdog_thresh' ;;
  rcu_stall|rcu_blocked) printf '%s\n' 'echo 1 > /proc/sys/kernel/panic_on_rcu_stall' \
               'echo 3 > /sys/module/rcupdate/parameters/rcu_cpu_stall_timeout' ;;
  hard_lockup) printf '%s\n' 'echo 1 > /proc/sys/kernel/hardlockup_panic' 'echo 2 > /proc/sys/kernel/watchdog_thresh' ;;
esac >> "$work/root/init"
case "$scenario" in
  sysrq) echo 'echo c > /proc/sysrq-trigger' >> "$work/root/init" ;;
  oom) cat >> "$work/root/init" <<'EOF'
echo 1 > /proc/sys/vm/panic_on_oom
mkdir -p /hog && mount -t ramfs ramfs /hog
cat /dev/zero > /hog/zero
EOF
  ;;
  *)
    case "$lab_scenarios" in
      *" $scenario "*) echo "insmod /coronerlab.ko scenario=$lab_arg" >> "$work/root/init" ;;
      *) echo "insmod /crashlab.ko scenario=$scenario" >> "$work/root/init" ;;
    esac ;;
esac
echo 'sleep 600' >> "$work/root/init"
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd"

qemu-system-x86_64 "${accel[@]}" -m 512 -smp 2 -nodefaults -display none -no-reboot \
  -kernel "$kdir/vmlinuz" -initrd "$work/initrd" \
  -append "console=ttyS0 panic=0 loglevel=7 lab=$scenario${cmdline:+ $cmdline}" \
  -device vmcoreinfo \
  -serial "file:$out.tmp/console.log" \
  -qmp "unix:$work/qmp,server=on,wait=off" &
qpid=$!

# Wait for the panic (the guest then spins in panic() with panic=0).
deadline=$(( $(date +%s) + 180 ))
until grep -q "Kernel panic - not syncing" "$out.tmp/console.log" 2>/dev/null; do
  if ! kill -0 "$qpid" 2>/dev/null; then echo "make-dumps: QEMU exited before the panic (see $out.tmp/console.log)" >&2; exit 1; fi
  if [ "$(date +%s)" -gt "$deadline" ]; then echo "make-dumps: no panic within 180 s (see $out.tmp/console.log)" >&2; exit 1; fi
  sleep 0.5
done
sleep 2   # let the panic path finish printing and stop the other CPU
booted=$(date +%s)

# QMP (scripts/lib/qmp_dump.py): the guest stopped, then the formats asked for with --formats.
qmp_formats=()
for fn in elf:elf kdump-zlib:zlib kdump-lzo:lzo kdump-snappy:snappy; do
  case ",$formats," in *",${fn#*:},"*) qmp_formats+=("$fn") ;; esac
done
python3 "$here/scripts/lib/qmp_dump.py" "$work/qmp" "$out.tmp" "${qmp_formats[@]}"
# QEMU exits on "quit"; should it not, it is ended (the dumps are written by now).
for _ in $(seq 1 100); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.1; done
kill "$qpid" 2>/dev/null || true
wait "$qpid" || true
qpid=""
if [ "$kdump_only" = 1 ]; then
  mv "$out.tmp/zlib" "$out.tmp/vmcore"
fi

# makedumpfile reads ELF input only, and not QEMU's layout: give it a /proc/vmcore-like copy of the
# ELF dump (scripts/lib/kdump_style_elf.py). From it: dump level 31 (zero, cache, user and free
# pages excluded) with lzo pages, the same as a flattened zlib stream (-F), and a full zlib dump
# whose pages scripts/lib/recompress_kdump.py rewrites with libsnappy and libzstd (Debian builds
# QEMU 7.2 and makedumpfile 1.7.2 without snappy and zstd).
if [ "$formats" = "elf,zlib,lzo,snappy" ] && command -v makedumpfile >/dev/null; then
  python3 "$here/scripts/lib/kdump_style_elf.py" "$out.tmp/elf" "$kdir/System.map" "$work/kelf" >/dev/null
  if makedumpfile -l -d 31 "$work/kelf" "$out.tmp/d31-lzo" > "$work/mdf.log" 2>&1 \
     && makedumpfile -c -d 31 -F "$work/kelf" > "$out.tmp/d31-zlib-flat" 2>> "$work/mdf.log" \
     && makedumpfile -c -d 0 "$work/kelf" "$work/mdf-zlib" >> "$work/mdf.log" 2>&1; then
    rm -f "$work/kelf"
    echo "make-dumps: makedumpfile wrote d31-lzo and d31-zlib-flat" >&2
    python3 "$here/scripts/lib/recompress_kdump.py" snappy "$work/mdf-zlib" "$out.tmp/snappy"
    python3 "$here/scripts/lib/recompress_kdump.py" zstd "$work/mdf-zlib" "$out.tmp/zstd-libzstd"
    rm -f "$work/mdf-zlib"
  else
    echo "make-dumps: makedumpfile failed: $(tail -n 3 "$work/mdf.log" | tr '\n' ' ')" >&2
    exit 1
  fi
fi
rm -rf "$out"
mv "$out.tmp" "$out"
date -u +%FT%TZ > "$out/complete"
end=$(date +%s)
echo "make-dumps: $out ready in $((end - start)) s (boot to panic $((booted - start)) s)" >&2
