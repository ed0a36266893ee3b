#!/usr/bin/env python3
"""Writes a stopped QEMU guest's memory through QMP: qmp_dump.py SOCKET OUTDIR FORMAT:NAME...

One command at a time; dump-guest-memory without "detach" returns when the file is written.
FORMAT is QEMU's name (elf, kdump-zlib, kdump-lzo, kdump-snappy); a format this QEMU lacks is
reported and skipped. The guest is stopped first so every dump sees the same moment, and QEMU is
told to quit at the end."""
import json, socket, sys, time

sock_path, out, wanted = sys.argv[1], sys.argv[2], [a.split(":", 1) for a in sys.argv[3:]]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
for _ in range(50):
    try:
        s.connect(sock_path); break
    except OSError:
        time.sleep(0.1)
f = s.makefile("rw")
def call(cmd, **args):
    f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n"); f.flush()
    while True:
        msg = json.loads(f.readline())
        if "return" in msg:
            return msg["return"]
        if "error" in msg:
            raise SystemExit(f"qmp_dump: {cmd} failed: {msg['error'].get('desc')}")
json.loads(f.readline())  # greeting
call("qmp_capabilities")
have = set(call("query-dump-guest-memory-capability")["formats"])
call("stop")
for fmt, name in wanted:
    if fmt not in have:
        print(f"qmp_dump: this QEMU cannot write {fmt} (its formats: {', '.join(sorted(have))})", file=sys.stderr)
        continue
    t = time.time()
    call("dump-guest-memory", paging=False, protocol=f"file:{out}/{name}", format=fmt)
    print(f"qmp_dump: {name:6} written in {time.time() - t:.1f} s", file=sys.stderr)
# wait for quit's answer: closing the socket first can leave QEMU running
try:
    call("quit")
except (OSError, ValueError, json.JSONDecodeError):
    pass
