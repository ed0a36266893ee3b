#!/usr/bin/env bash
# Makes real arm64 vmcores for the arm64 tests, from Debian's arm64 build of the fixture kernel
# (6.1.0-56-arm64, 6.1.192-2), all under ${CORONER_CACHE:-~/.cache/coroner}/arm64 (never the repo):
#   vmlinux-6.1.0-56-arm64   the debug vmlinux (only this file is taken from the 804 MB -dbg .deb)
#   image/                   the -unsigned package: boot/vmlinuz, System.map, config, modules
#   crashlab/crashlab.ko     ../shared's crashlab.c cross-built with gcc-aarch64-linux-gnu against
#                            linux-headers-6.1.0-56-arm64 (unpacked into hdr/, not installed)
#   dumps/SCENARIO/          elf (QEMU ELF), zlib (QEMU -z, kdump-compressed), console.log
# One boot per scenario (null, mutex_abba, listdel, uaf, bug, spin_abba, work, timer: crashlab; the
# scenarios of scripts/lab/coronerlab.c listed in lab_scenarios, with the knobs make-dumps.sh sets;
# sysrq: echo c > /proc/sysrq-trigger; pac: null
# on -cpu max, whose pointer authentication signs the saved return addresses, and rodata=off, whose
# linear map is block-mapped) of
# qemu-system-aarch64 -M virt -cpu cortex-a57 -m 512 -smp 2 -device vmcoreinfo (TCG) with a
# busybox-static:arm64 initramfs: panic_on_oops, hung_task_panic, panic_print=65 (every task's
# backtrace by the kernel's own unwinder in the console log), qemu_fw_cfg.ko loaded so QEMU's dumps
# carry VMCOREINFO. After "Kernel panic" QMP writes the dumps. Each step is skipped when its result
# is cached; --force remakes the dumps. Prints how long each step took.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
force=0
scenarios=()
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    *) scenarios+=("$a") ;;
  esac
done
[ ${#scenarios[@]} -gt 0 ] || scenarios=(null mutex_abba sysrq pac listdel uaf bug spin_abba work timer
  double_free stack_overflow bad_pointer list_corruption warning soft_lockup rcu_stall hung_completion hung_mutex
  hung_semaphore rwsem_abba spin_heap)
shared="${CORONER_SHARED:-$here/../shared}"
rel=6.1.0-56-arm64
ver=6.1.192-2
cache="${CORONER_CACHE:-$HOME/.cache/coroner}/arm64"
mkdir -p "$cache/debs"
t0=$(date +%s)
step() { echo "make-arm64-dumps: $*" >&2; }
for tool in qemu-system-aarch64 aarch64-linux-gnu-gcc cpio gzip python3 dpkg-deb apt-get; do
  command -v "$tool" >/dev/null || { step "$tool not installed (scripts/setup.sh installs it)"; exit 1; }
done

# Debian's packages through apt (the registry); the .debs stay cached but the -dbg one (804 MB).
fetch_deb() {  # PACKAGE -> path of its .deb in $cache/debs
  local f
  f=$(ls "$cache/debs/${1%%:*}"_*.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$f" ]; then
    (cd "$cache/debs" && { apt-get download -q -o APT::Sandbox::User=root "$1:arm64" >/dev/null 2>&1 \
      || apt-get download -q -o APT::Sandbox::User=root "$1" >/dev/null; })
    f=$(ls "$cache/debs/${1%%:*}"_*.deb | head -n 1)
  fi
  echo "$f"
}
if [ ! -f "$cache/vmlinux-$rel" ]; then
  t=$(date +%s)
  step "downloading linux-image-$rel-dbg (804 MB) for its vmlinux"
  deb=$(fetch_deb "linux-image-$rel-dbg")
  dpkg-deb --fsys-tarfile "$deb" | tar -x -O "./usr/lib/debug/boot/vmlinux-$rel" > "$cache/vmlinux-$rel.tmp"
  mv "$cache/vmlinux-$rel.tmp" "$cache/vmlinux-$rel"
  rm -f "$deb"
  step "vmlinux-$rel ready in $(( $(date +%s) - t )) s"
fi
if [ ! -f "$cache/image/boot/vmlinuz-$rel" ]; then
  rm -rf "$cache/image"; mkdir -p "$cache/image"
  dpkg -x "$(fetch_deb "linux-image-$rel-unsigned")" "$cache/image"
fi
if [ ! -x "$cache/bb/bin/busybox" ]; then
  rm -rf "$cache/bb"; mkdir -p "$cache/bb"
  dpkg -x "$(fetch_deb busybox-static)" "$cache/bb"
fi
if [ ! -f "$cache/crashlab/crashlab.ko" ] || [ "$shared/fixtures/linux-6.1.0-56-amd64/crashlab.c" -nt "$cache/crashlab/crashlab.ko" ]; then
  t=$(date +%s)
  hdr="$cache/hdr/usr/src"
  if [ ! -f "$hdr/linux-headers-$rel/Makefile" ]; then
    rm -rf "$cache/hdr"; mkdir -p "$cache/hdr/usr/lib"
    dpkg -x "$(fetch_deb "linux-headers-$rel")" "$cache/hdr"
    dpkg -x "$(fetch_deb linux-headers-6.1.0-56-common)" "$cache/hdr"
    # Unpacked, not installed: point the headers at their unpacked common part and at the host's
    # kbuild tools (linux-kbuild-6.1 from setup.sh; fixdep/modpost run on the build machine).
    sed -i "s#/usr/src/linux-headers-6.1.0-56-common#$hdr/linux-headers-6.1.0-56-common#" "$hdr/linux-headers-$rel/Makefile"
    ln -sfn /usr/lib/linux-kbuild-6.1 "$cache/hdr/usr/lib/linux-kbuild-6.1"
  fi
  rm -rf "$cache/crashlab"; mkdir -p "$cache/crashlab"
  cp "$shared/fixtures/linux-6.1.0-56-amd64/crashlab.c" "$cache/crashlab/"
  echo 'obj-m := crashlab.o' > "$cache/crashlab/Kbuild"
  make -s -C "$hdr/linux-headers-$rel" M="$cache/crashlab" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules \
    > "$cache/crashlab/build.log" 2>&1 || { step "crashlab.ko did not build: $(tail -n 3 "$cache/crashlab/build.log" | tr '\n' ' ')"; exit 1; }
  step "crashlab.ko cross-built in $(( $(date +%s) - t )) s"
fi

# Coroner's own module, scripts/lab/coronerlab.c, cross-built the same way (for its scenarios below;
# not rcu_blocked: Debian's arm64 kernel has no preemptible RCU, so a reader asleep inside
# rcu_read_lock() stalls nothing and the boot never panics).
lab_scenarios=" double_free stack_overflow bad_pointer list_corruption warning soft_lockup rcu_stall hung_completion hung_mutex hung_semaphore rwsem_abba spin_heap "
if [ ! -f "$cache/lab/coronerlab.ko" ] || [ "$here/scripts/lab/coronerlab.c" -nt "$cache/lab/coronerlab.ko" ]; then
  t=$(date +%s)
  rm -rf "$cache/lab"; mkdir -p "$cache/lab"
  cp "$here/scripts/lab/coronerlab.c" "$here/scripts/lab/Kbuild" "$cache/lab/"
  make -s -C "$cache/hdr/usr/src/linux-headers-$rel" M="$cache/lab" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules \
    > "$cache/lab/build.log" 2>&1 || { step "coronerlab.ko did not build: $(tail -n 3 "$cache/lab/build.log" | tr '\n' ' ')"; exit 1; }
  step "coronerlab.ko cross-built in $(( $(date +%s) - t )) s"
fi

boot() {  # SCENARIO
  local scenario=$1 out="$cache/dumps/$1" work qpid="" t
  if [ -f "$out/complete" ] && [ "$force" = 0 ]; then return 0; fi
  t=$(date +%s)
  work="$(mktemp -d "${TMPDIR:-/tmp}/coroner-arm64.XXXXXX")"
  trap 'if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null || true; fi; rm -rf "$work"' RETURN
  rm -rf "$out.tmp"
  mkdir -p "$out.tmp" "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
  cp "$cache/bb/bin/busybox" "$work/root/bin/busybox"
  cp "$cache/image/lib/modules/$rel/kernel/drivers/firmware/qemu_fw_cfg.ko" "$cache/crashlab/crashlab.ko" \
    "$cache/lab/coronerlab.ko" "$work/root/"
  local crash="insmod /crashlab.ko scenario=$scenario" cpu=cortex-a57 knobs=""
  case "$lab_scenarios" in
    *" $scenario "*) crash="insmod /coronerlab.ko scenario=$scenario"; cp "$cache/lab/coronerlab.ko" "$out.tmp/" ;;
  esac
  # the knobs that make each coronerlab scenario panic, as scripts/make-dumps.sh sets them
  case "$scenario" in
    warning) knobs="echo 1 > /proc/sys/kernel/panic_on_warn" ;;
    soft_lockup) knobs="echo 2 > /proc/sys/kernel/watchdog_thresh" ;;
    spin_heap) knobs="echo 4 > /proc/sys/kernel/watchdog_thresh" ;;
    rcu_stall|rcu_blocked) knobs="echo 1 > /proc/sys/kernel/panic_on_rcu_stall; echo 3 > /sys/module/rcupdate/parameters/rcu_cpu_stall_timeout" ;;
  esac
  [ "$scenario" = sysrq ] && crash="echo c > /proc/sysrq-trigger"
  # pac: crashlab's null on a CPU with pointer authentication, so saved return addresses carry PAC
  # bits, and with rodata=off, so the linear map is made of block descriptors (2 MiB, 1 GiB)
  local extra=""
  if [ "$scenario" = pac ]; then crash="insmod /crashlab.ko scenario=null"; cpu=max,pauth-impdef=on; extra=" rodata=off"; fi
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
echo 65 > /proc/sys/kernel/panic_print
echo 1 > /proc/sys/kernel/sysrq
insmod /qemu_fw_cfg.ko
$knobs
echo "LAB: starting scenario $scenario"
$crash
sleep 600
EOF
  chmod +x "$work/root/init"
  (cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd"
  qemu-system-aarch64 -M virt -cpu "$cpu" -accel tcg -m 512 -smp 2 -nodefaults -display none -no-reboot \
    -kernel "$cache/image/boot/vmlinuz-$rel" -initrd "$work/initrd" \
    -append "console=ttyAMA0 panic=0 loglevel=7 lab=$scenario$extra" \
    -device vmcoreinfo \
    -serial "file:$out.tmp/console.log" \
    -qmp "unix:$work/qmp,server=on,wait=off" &
  qpid=$!
  local deadline=$(( $(date +%s) + 240 ))
  until grep -q "Kernel panic - not syncing" "$out.tmp/console.log" 2>/dev/null; do
    if ! kill -0 "$qpid" 2>/dev/null; then step "QEMU exited before the panic (see $out.tmp/console.log)"; exit 1; fi
    # exit does not run the RETURN trap: stop QEMU here, or it spins on after the script
    if [ "$(date +%s)" -gt "$deadline" ]; then step "$scenario: no panic within 240 s (see $out.tmp/console.log)"; kill "$qpid" 2>/dev/null; exit 1; fi
    sleep 0.5
  done
  # panic_print's task dump ends before the CPUs' backtraces; wait until the log stops growing.
  local size=-1
  while [ "$(stat -c %s "$out.tmp/console.log")" != "$size" ]; do
    size=$(stat -c %s "$out.tmp/console.log"); sleep 2
  done
  python3 "$here/scripts/lib/qmp_dump.py" "$work/qmp" "$out.tmp" elf:elf kdump-zlib:zlib
  for _ in $(seq 20); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.5; done
  kill "$qpid" 2>/dev/null || true
  wait "$qpid" || true
  qpid=""
  rm -rf "$out"; mv "$out.tmp" "$out"
  date -u +%FT%TZ > "$out/complete"
  step "$scenario: $out ready in $(( $(date +%s) - t )) s"
}
for s in "${scenarios[@]}"; do boot "$s"; done
step "done in $(( $(date +%s) - t0 )) s"
