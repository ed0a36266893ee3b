#!/usr/bin/env python3
"""Coroner against crash and drgn on the same dumps, side by side (issue: benchmarks).

Runs each tool several times per task, alternating tools within each round so that drift on a
shared machine hits all of them alike, and reports the median and spread (min-max) of wall time
and peak RSS (GNU time's %e and %M). The first --cold-runs rounds are cold: the page cache is
dropped before every run in them (when root); the other rounds are warm. Cold and warm figures are
reported apart, each as median and spread. Coroner's first run of each subcommand (`shell`, `oops`)
is a first use (no AOT cache yet; ./coroner trains one in the background after it, and the script
waits for that to end before it measures anything else): it is reported on its own line and left out
of the cold median, as a one-time cost of an installation. Every run is a new process
(JVM / crash / python). Coroner runs through its launcher ./coroner, as users run it.

Tasks: 1 sys, 2 bt of the panic task, 3 bt of every task, 4 the kernel log, 5 Oops symbolization
of a console log (Coroner's `oops` against the kernel's scripts/decode_stacktrace.sh + addr2line).

usage: bench/compare.py [--runs N] [--cold-runs K] [--out bench/RESULTS.md]   (run from the repository root)
"""
import argparse, datetime, os, platform, re, shutil, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("CORONER_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
KDIR = os.path.join(SHARED, "fixtures", "linux-6.1.0-56-amd64")
CACHE = os.path.expanduser("~/.cache/coroner")
JAVA = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"
JAR = os.path.join(ROOT, "target", "coroner.jar")
CORONER = os.path.join(ROOT, "coroner")
AOT_DIR = os.path.join(ROOT, "target", "aot")
PY = "/usr/bin/python3"  # Debian's python, where python3-drgn lives


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True, **kw)


def vmlinux():
    for d in os.listdir(CACHE) if os.path.isdir(CACHE) else []:
        p = os.path.join(CACHE, d)
        if d.startswith("vmlinux-linux-6.1.0-56-amd64") and not d.endswith(".lock") and os.path.isfile(p):
            return p
    out = os.path.join(CACHE, "vmlinux-bench")
    if not os.path.exists(out):
        os.makedirs(CACHE, exist_ok=True)
        sh(f"xz -dc {KDIR}/vmlinux.xz > {out}.tmp && mv {out}.tmp {out}")
    return out


def decode_stacktrace():
    """scripts/decode_stacktrace.sh from Debian's linux-source-6.1 (installed on demand)."""
    out = os.path.join(CACHE, "decode_stacktrace.sh")
    if os.path.exists(out):
        return out
    tarball = "/usr/src/linux-source-6.1.tar.xz"
    if not os.path.exists(tarball):
        sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-source-6.1 >/dev/null")
    r = sh(f"tar -xJOf {tarball} linux-source-6.1/scripts/decode_stacktrace.sh > {out}.tmp && mv {out}.tmp {out} && chmod +x {out}")
    return out if os.path.exists(out) else None


def elf_dump():
    """An ELF dump laid out as /proc/vmcore (kernel image mapped at its virtual address), which drgn can
    open, made from scripts/make-dumps.sh's QEMU ELF dump of the null scenario."""
    src = os.path.join(CACHE, "dumps", "qemu-null", "elf")
    out = os.path.join(CACHE, "dumps", "qemu-null", "proc-vmcore-style.elf")
    if not os.path.exists(out) and os.path.exists(src):
        sh([sys.executable, os.path.join(ROOT, "scripts", "lib", "kdump_style_elf.py"), "--kernel-text",
            src, os.path.join(KDIR, "System.map"), out])
    return out if os.path.exists(out) else None


DRGN_PRELUDE = """
import sys, drgn
from drgn.helpers.linux.pid import for_each_task
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
"""
DRGN = {
    "sys": DRGN_PRELUDE + """
u = prog['init_uts_ns'].name
print(u.nodename.string_().decode(), u.release.string_().decode(), u.version.string_().decode(), u.machine.string_().decode())
# jiffies is a linker-script alias of jiffies_64 with no DWARF variable of its own: drgn looks
# objects up in DWARF, so prog['jiffies'] is a KeyError; jiffies_64 holds the same value on x86_64
print('CPUS', int(prog['nr_cpu_ids']), 'JIFFIES', int(prog['jiffies_64']))
print('TASKS', sum(1 for _ in for_each_task(prog)))
""",
    "bt": DRGN_PRELUDE + "print(prog.crashed_thread().stack_trace())\n",
    "foreach bt": DRGN_PRELUDE + """
for t in for_each_task(prog):
    try:
        print(t.pid.value_(), prog.stack_trace(t))
    except Exception as e:
        print(t.pid.value_(), 'error', e)
""",
    "log": DRGN_PRELUDE + """
from drgn.helpers.linux.printk import get_printk_records
for r in get_printk_records(prog):
    print('[%5d.%06d] %s' % (r.timestamp // 10**9, r.timestamp % 10**9 // 1000, r.text.decode(errors='replace')))
""",
}


# What a correct answer contains, per task: a run whose output lacks it is counted as failed.
EXPECT = {"sys": r"6\.1\.0-56-amd64", "bt": r"panic|delay_tsc", "foreach bt": r"ret_from_fork",
          "log": r"Kernel panic - not syncing", "oops symbolization": r"create_oops"}


def task_addresses(vml, dump):
    """Every task's address, for crash's per-task bt (crash's own foreach sees 3 tasks on these dumps)."""
    r = sh([JAVA, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar", JAR,
            "shell", vml, dump, "-c", "foreach bt"])
    return re.findall(r"TASK: ([0-9a-f]{16})", r.stdout)


def drop_caches():
    """Drops the page cache (root only): the next run reads its files from disk."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def settle():
    """Waits for the launcher's background AOT training, so that it never overlaps a measurement."""
    import glob, time
    for _ in range(1200):  # up to 10 minutes: a training run must never overlap a measurement
        alive = False
        for m in glob.glob(os.path.join(AOT_DIR, "*.training")):
            try:
                os.kill(int(open(m).read().strip()), 0)
                alive = True
            except (OSError, ValueError):
                pass  # a training that died left its marker: nothing to wait for
        if not alive:
            return
        time.sleep(0.5)


def measure(argv, stdin_path=None, cold=False):
    settle()
    if cold:
        drop_caches()
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", tf.name] + argv, stdin=stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if stdin_path:
            stdin.close()
        fields = open(tf.name).read().split()
        wall, rss = float(fields[-2]), int(fields[-1]) / 1024
        return wall, rss, p.returncode, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    args = ap.parse_args()
    sh([CORONER, "--version"])  # builds the jar when the sources are newer
    os.environ["CORONER_NO_REBUILD"] = "1"  # and never again during the runs (an edit elsewhere must not land in a measurement)
    shutil.rmtree(AOT_DIR, ignore_errors=True)  # Coroner's first run below is a first use
    vml = vmlinux()
    ko = os.path.join(KDIR, "crashlab.ko")
    work = tempfile.mkdtemp(prefix="coroner-bench-")
    dumps = [("null fixture (kdump-compressed, zlib)", os.path.join(SHARED, "fixtures", "vmcores", "null", "vmcore"),
              os.path.join(SHARED, "fixtures", "vmcores", "null", "console.log"))]
    e = elf_dump()
    if e:
        dumps.append(("QEMU null dump as /proc/vmcore ELF", e, os.path.join(CACHE, "dumps", "qemu-null", "console.log")))
    dst = decode_stacktrace()
    if sh([PY, "-c", "import drgn"]).returncode != 0:  # Debian's python3-drgn, installed on demand
        sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-drgn >/dev/null")
    drgn_ok = sh([PY, "-c", "import drgn"]).returncode == 0
    results = []  # (dump, task, tool, [(wall, rss, rc)], note)
    first_use = []  # (subcommand, task, dump, wall): Coroner's runs without an AOT cache
    used = set()
    for dname, dump, log in dumps:
        print(f"== {dname}: {dump}", file=sys.stderr)
        addrs = task_addresses(vml, dump)
        crash_in = {}
        for task, cmds in (("sys", ["sys"]), ("bt", ["bt"]), ("foreach bt", [f"bt {a}" for a in addrs]), ("log", ["log"])):
            p = os.path.join(work, f"crash-{len(crash_in)}.in")
            with open(p, "w") as f:
                f.write(f"mod -s crashlab {ko}\n" + "\n".join(cmds) + "\nq\n")
            crash_in[task] = p
        drgn_scripts = {}
        for task, src in DRGN.items():
            p = os.path.join(work, "drgn-" + task.replace(" ", "_") + ".py")
            open(p, "w").write(src)
            drgn_scripts[task] = p
        drgn_note = None
        if drgn_ok:
            probe = sh([PY, drgn_scripts["sys"], dump, vml])
            if probe.returncode != 0:
                drgn_note = (probe.stderr.strip().splitlines() or ["failed"])[-1]
                if "not an ELF core file" in drgn_note:
                    drgn_note += (" (Debian's python3-drgn is built without libkdumpfile, which drgn needs for"
                                  " kdump-compressed dumps; no other drgn build is reachable here)")
        else:
            drgn_note = "python3-drgn is not installed"
        tasks = []
        for task in ("sys", "bt", "foreach bt", "log"):
            tools = [("coroner", [CORONER, "shell", "--modules", KDIR, vml, dump, "-c", task], None),
                     ("crash", ["crash", "-s", vml, dump], crash_in[task])]
            if drgn_note is None:
                tools.append(("drgn", [PY, drgn_scripts[task], dump, vml], None))
            tasks.append((task, tools))
        if dump.endswith("vmcore") and dst:
            tasks.append(("oops symbolization", [
                ("coroner", [CORONER, "oops", "--vmlinux", vml, "--modules", KDIR, log], None),
                ("decode_stacktrace.sh", ["bash", "-c", f"{dst} {vml} {KDIR} < {log}"], None)]))
        for task, tools in tasks:
            runs = {t[0]: [] for t in tools}
            for r in range(args.runs):
                order = tools if r % 2 == 0 else list(reversed(tools))
                for name, argv, stdin in order:
                    if name == "coroner" and argv[1] not in used:
                        used.add(argv[1])
                        wall, _, _, _ = measure(argv, stdin, cold=True)
                        first_use.append((argv[1], task, dname, wall))
                        print(f"  {task:20s} {name:22s} first use: {wall:6.2f} s", file=sys.stderr)
                    wall, rss, rc, out = measure(argv, stdin, cold=r < args.cold_runs)
                    ok = rc == 0 and re.search(EXPECT[task], out.decode(errors="replace")) is not None
                    runs[name].append((wall, rss, rc if ok or rc != 0 else "no answer"))
                    print(f"  {task:20s} {name:22s} run {r + 1}{' cold' if r < args.cold_runs else ''}: {wall:6.2f} s {rss:7.0f} MB rc={rc}", file=sys.stderr)
            for name, _, _ in tools:
                results.append((dname, task, name, runs[name], None))
        if drgn_note:
            results.append((dname, "all", "drgn", [], drgn_note))
    write(args.out, results, vml, args.runs, args.cold_runs, first_use)
    shutil.rmtree(work, ignore_errors=True)


def fmt(v):
    return f"{v:.2f}"


KEPT_SECTION = "## Not written by compare.py"


def write(path, results, vml, runs, cold_runs, first_use):
    java = sh([JAVA, "-version"]).stderr.splitlines()[0]
    crash_v = sh("crash --version | grep -m1 crash").stdout.strip()
    drgn_v = sh([PY, "-c", "import drgn; print(drgn.__version__)"]).stdout.strip() or "not installed"
    binutils = sh("addr2line --version | head -1").stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
    lines = ["# Benchmarks: Coroner, crash and drgn on the same dumps", "",
             f"Written by `bench/compare.py --runs {runs} --cold-runs {cold_runs}` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC.", "",
             f"- machine: {os.cpu_count()} CPUs ({cpu}), {int(mem) // 1024} MB RAM, {platform.platform()}",
             f"- Coroner: `./coroner` (the launcher: C1, AOT cache per subcommand) on {java}; crash: {crash_v}; drgn: {drgn_v}; {binutils}",
             f"- vmlinux: {os.path.basename(vml)} (329 MB, DWARF 5); each run is a new process.",
             f"- cold: rounds 1-{cold_runs}, page cache dropped before every run"
             + (" (echo 3 > /proc/sys/vm/drop_caches)" if os.access("/proc/sys/vm/drop_caches", os.W_OK) else " (not root: not dropped)")
             + f"; warm: rounds {cold_runs + 1}-{runs}. Median and spread (min-max) of each.",
             "- first use: Coroner's first run of each subcommand, cold and without its AOT cache (a one-time cost"
             " after install or rebuild; not in the cold median): "
             + "; ".join(f"`{sub}` ({task}, {d.split(' ')[0]} {d.split(' ')[1]}) {fmt(w)} s" for sub, task, d, w in first_use) + ".",
             f"- load average at the end: {open('/proc/loadavg').read().split()[0:3]} on {os.cpu_count()} CPUs"
             " (a shared machine: other work ran beside these runs).",
             "- wall time in seconds, peak RSS in MB (GNU time). Tools alternate within each round.",
             "- exit codes: `no answer` is a run that ended with 0 but whose output lacks the answer (crash's `bt TASK` refuses"
             " the tasks outside its PID hash, so its every-task backtrace has no `ret_from_fork`; drgn's `crashed_thread()`"
             " on the QEMU dump, which has no crashing-CPU mark, is CPU 0's thread halted in `stop_this_cpu`, not the"
             " panic task).", ""]
    by = {}
    for dname, task, tool, runs_, note in results:
        by.setdefault(dname, []).append((task, tool, runs_, note))
    for dname, rows in by.items():
        lines += [f"## {dname}", "", "| task | tool | cold median s | cold spread s | warm median s | warm spread s | RSS median MB | exit codes |",
                  "| --- | --- | ---: | --- | ---: | --- | ---: | --- |"]
        med = {}
        for task, tool, rs, note in rows:
            if note:
                continue
            cold = [w for w, _, _ in rs[:cold_runs]]
            warm = [w for w, _, _ in rs[cold_runs:]] or cold
            mc, m = statistics.median(cold), statistics.median(warm)
            med[(task, tool)] = (mc, m)
            lines.append(f"| {task} | {tool} | {fmt(mc)} | {fmt(min(cold))}-{fmt(max(cold))} | {fmt(m)} | {fmt(min(warm))}-{fmt(max(warm))} | "
                         f"{statistics.median([r for _, r, _ in rs]):.0f} | {','.join(sorted({str(c) for _, _, c in rs}))} |")
        lines += ["", "| task | crash / Coroner (warm) | crash / Coroner (cold) | drgn / Coroner (warm) | drgn / Coroner (cold) | decode_stacktrace.sh / Coroner (warm) |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for task in dict.fromkeys(t for t, _, _, n in rows if not n):
            c = med.get((task, "coroner"))

            def ratio(other, i):
                o = med.get((task, other))
                return f"{o[i] / c[i]:.1f}x" if o and c and c[i] > 0 else "-"
            lines.append(f"| {task} | {ratio('crash', 1)} | {ratio('crash', 0)} | {ratio('drgn', 1)} | {ratio('drgn', 0)} | {ratio('decode_stacktrace.sh', 1)} |")
        for task, tool, rs, note in rows:
            if note:
                lines += ["", f"drgn could not open this dump: `{note}`"]
        lines.append("")
    # sections other benchmarks record by hand (they start with KEPT_SECTION) survive a rewrite
    old = open(path).read() if os.path.exists(path) else ""
    kept = old[old.index(KEPT_SECTION):] if KEPT_SECTION in old else ""
    open(path, "w").write("\n".join(lines) + "\n" + kept)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
