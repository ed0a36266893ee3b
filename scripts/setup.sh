#!/usr/bin/env bash
# Installs what Coroner's build and tests need on a fresh Debian machine (idempotent).
# Runtime needs: JDK 25 and libcapstone4 (disassembly). Tests also use binutils (objdump, addr2line),
# gdb and xz to cross-check against the fixtures; the disassembler tests compare arm64 code (Debian's
# arm64 libc from libc6-arm64-cross) with binutils-aarch64-linux-gnu's objdump; the dump-format tests
# make real dumps with QEMU and makedumpfile (scripts/make-dumps.sh); objtool (linux-kbuild-6.1)
# cross-checks the ORC tables; crash is the reference for the shell tests. The arm64 dump tests
# (scripts/make-arm64-dumps.sh) boot Debian's arm64 kernel with qemu-system-arm and cross-build
# crashlab.ko with gcc-aarch64-linux-gnu; their arm64 .debs come through apt, hence the arm64 arch.
# linux-headers-6.1.0-56-amd64 builds Coroner's own test module scripts/lab/coronerlab.c (scripts/lab/build.sh).
set -euo pipefail
pkgs=(libcapstone4 binutils xz-utils maven gdb binutils-aarch64-linux-gnu libc6-arm64-cross
      qemu-system-x86 busybox-static cpio makedumpfile libsnappy1v5 libzstd1 python3 linux-kbuild-6.1 crash
      qemu-system-arm gcc-aarch64-linux-gnu make linux-headers-6.1.0-56-amd64)
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "setup: adding the arm64 architecture (for Debian's arm64 kernel packages)" >&2
  $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update -qq
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
