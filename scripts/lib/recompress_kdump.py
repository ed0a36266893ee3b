#!/usr/bin/env python3
"""Rewrites the pages of a (non-flattened) kdump-compressed file with another compressor from the
system's own libraries, through ctypes: libsnappy (snappy_compress, the C API makedumpfile uses
for -p) or libzstd (ZSTD_compress, as makedumpfile -z). Debian's QEMU 7.2 and makedumpfile 1.7.2
are built without snappy and zstd, so this is how those formats get real library output here.
Headers, bitmaps, VMCOREINFO and notes are copied; page descriptors are rewritten; pages that do
not shrink are stored raw (flags 0), and the shared zero page stays shared, as makedumpfile does.

usage: recompress_kdump.py snappy|zstd IN OUT
"""
import ctypes, ctypes.util, struct, sys, zlib

ZLIB, LZO, SNAPPY, ZSTD = 0x1, 0x2, 0x4, 0x20
algo, src, dst = sys.argv[1:4]
data = open(src, "rb").read()
if data[:8] != b"KDUMP   ":
    sys.exit("recompress_kdump: %s is not a kdump-compressed file" % src)
status, block, sub_blocks, bitmap_blocks, max_mapnr32 = struct.unpack_from("<IiiII", data, 424)
max_mapnr = struct.unpack_from("<Q", data, block + 96)[0]
bitmap2 = block * (1 + sub_blocks) + bitmap_blocks * block // 2
pd_off = block * (1 + sub_blocks + bitmap_blocks)
dumped = sum(bin(b).count("1") for b in data[bitmap2:bitmap2 + (max_mapnr + 7) // 8])

def lib(name):
    path = ctypes.util.find_library(name)
    for cand in ([path] if path else []) + ["lib%s.so.1" % name]:
        try:
            return ctypes.CDLL(cand)
        except OSError:
            pass
    sys.exit("recompress_kdump: lib%s not found" % name)

if algo == "snappy":
    snappy = lib("snappy")
    flag = SNAPPY
    def compress(page):
        out = ctypes.create_string_buffer(snappy.snappy_max_compressed_length(ctypes.c_size_t(len(page))))
        n = ctypes.c_size_t(len(out))
        if snappy.snappy_compress(page, ctypes.c_size_t(len(page)), out, ctypes.byref(n)) != 0:
            sys.exit("snappy_compress failed")
        return out.raw[:n.value]
elif algo == "zstd":
    zstd = lib("zstd")
    zstd.ZSTD_compressBound.restype = ctypes.c_size_t
    zstd.ZSTD_compress.restype = ctypes.c_size_t
    flag = ZSTD
    def compress(page):
        out = ctypes.create_string_buffer(zstd.ZSTD_compressBound(ctypes.c_size_t(len(page))))
        n = zstd.ZSTD_compress(out, ctypes.c_size_t(len(out)), page, ctypes.c_size_t(len(page)), 1)
        return out.raw[:n]
else:
    sys.exit("usage: recompress_kdump.py snappy|zstd IN OUT")

def page(offset, size, flags):
    raw = data[offset:offset + size]
    if flags & ZLIB:
        return zlib.decompress(raw)
    if flags & (LZO | SNAPPY | ZSTD):
        sys.exit("recompress_kdump: source pages must be zlib or raw (flags %#x)" % flags)
    return raw

head = bytearray(data[:pd_off])
struct.pack_into("<I", head, 424, (status & ~(ZLIB | LZO | SNAPPY | ZSTD)) | flag)
struct.pack_into("<QQ", head, block + 64, 0, 0)   # no erase info
descs = bytearray(dumped * 24)
body = bytearray()
data_start = pd_off + len(descs)
shared = {}
for i in range(dumped):
    offset, size, flags, pflags = struct.unpack_from("<QIIQ", data, pd_off + 24 * i)
    if offset in shared:
        struct.pack_into("<QIIQ", descs, 24 * i, *shared[offset])
        continue
    p = page(offset, size, flags)
    c = compress(p)
    entry = (data_start + len(body), len(c), flag, pflags) if len(c) < len(p) else (data_start + len(body), len(p), 0, pflags)
    body += c if len(c) < len(p) else p
    shared[offset] = entry
    struct.pack_into("<QIIQ", descs, 24 * i, *entry)
with open(dst, "wb") as f:
    f.write(head)
    f.write(descs)
    f.write(body)
print("recompress_kdump: %d pages, %d stored, %s" % (dumped, len(shared), algo), file=sys.stderr)
