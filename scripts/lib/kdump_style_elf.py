#!/usr/bin/env python3
"""Rewrites the headers of QEMU's ELF dump (paging=false) the way the kernel lays out /proc/vmcore,
so that makedumpfile can read it: program headers right after the ELF header (makedumpfile reads
them at sizeof(Elf64_Ehdr), QEMU puts section headers there), no section headers, and PT_LOAD
virtual addresses in the direct map (makedumpfile derives page_offset from them; under KASLR it
cannot know page_offset_base otherwise). page_offset_base is read from the dump itself: its
System.map address + KERNELOFFSET, translated through the kernel image mapping with phys_base.

With --kernel-text, one more PT_LOAD maps the kernel image at its virtual address (_text.._end),
as /proc/vmcore does: drgn needs it to read the page tables themselves.

usage: kdump_style_elf.py [--kernel-text] QEMU_ELF SYSTEM_MAP OUT   (OUT shares the data when possible)
"""
import shutil, struct, sys

args = sys.argv[1:]
kernel_text = "--kernel-text" in args
args = [a for a in args if a != "--kernel-text"]
src, system_map, out = args[0:3]
with open(src, "rb") as f:
    head = f.read(1 << 16)
e_phoff, e_shoff = struct.unpack_from("<QQ", head, 32)
e_phentsize, e_phnum = struct.unpack_from("<HH", head, 54)
phdrs = [list(struct.unpack_from("<IIQQQQQQ", head, e_phoff + i * e_phentsize)) for i in range(e_phnum)]
note = next(p for p in phdrs if p[0] == 4)
notes = head[note[2]:note[2] + note[5]]
info, pos = {}, 0
while pos + 12 <= len(notes):
    namesz, descsz, _ = struct.unpack_from("<III", notes, pos)
    name = notes[pos + 12:pos + 12 + namesz].rstrip(b"\0")
    desc = notes[pos + 12 + ((namesz + 3) & ~3):][:descsz]
    if name == b"VMCOREINFO":
        for line in desc.decode(errors="replace").split("\n"):
            if "=" in line:
                k, v = line.split("=", 1)
                info[k] = v.strip("\0")
    pos += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
kaslr = int(info["KERNELOFFSET"], 16)
phys_base = int(info["NUMBER(phys_base)"])
sym = next(int(l.split()[0], 16) for l in open(system_map) if l.split()[2] == "page_offset_base")
paddr = sym + kaslr - 0xffffffff80000000 + phys_base
load = next(p for p in phdrs if p[0] == 1 and p[4] <= paddr < p[4] + p[5])
with open(src, "rb") as f:
    f.seek(load[2] + paddr - load[4])
    page_offset_base = struct.unpack("<Q", f.read(8))[0]

if kernel_text:
    smap = {l.split()[2]: int(l.split()[0], 16) for l in open(system_map) if len(l.split()) == 3}
    text_v = smap["_text"] + kaslr
    text_p = text_v - 0xffffffff80000000 + phys_base
    size = (smap["_end"] - smap["_text"] + 0xfff) & ~0xfff
    ram = next(p for p in phdrs if p[0] == 1 and p[4] <= text_p < p[4] + p[5])
    phdrs.append([1, 7, ram[2] + text_p - ram[4], text_v & (1 << 64) - 1, text_p, size, size, 0])
    e_phnum += 1

first_data = min(p[2] for p in phdrs)
if 64 + e_phnum * 56 > first_data:
    sys.exit("kdump_style_elf: no room for the program headers before offset %d" % first_data)
new = bytearray(first_data)
new[0:64] = head[0:64]
struct.pack_into("<QQ", new, 32, 64, 0)              # e_phoff, e_shoff
struct.pack_into("<HHHHHH", new, 52, 64, 56, e_phnum, 64, 0, 0)  # e_ehsize .. e_shstrndx
for i, p in enumerate(phdrs):
    if p[0] == 1 and p[4] < 1 << 40 and p[3] < 1 << 63:
        p[3] = (page_offset_base + p[4]) & (1 << 64) - 1   # p_vaddr in the direct map
    struct.pack_into("<IIQQQQQQ", new, 64 + i * 56, *p)
shutil.copyfile(src, out)
with open(out, "r+b") as f:
    f.write(new)
print("page_offset_base=%#x" % page_offset_base)
