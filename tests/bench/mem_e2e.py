#!/usr/bin/env python3
"""Where the bot's resident memory goes (issue 17), for docs/benchmarks.md;
never run by the tests or `make bench`.

Runs the bot against the fake Bot API server on bench_e2e.py's backlog
workload (N questions naming carrier and plan, each in a new chat) and
reads /proc/PID/smaps every 0.2 s; the sample with the largest Rss is the
peak's breakdown. Prints the breakdown at three moments: the bot ready
(knowledge base loaded, first long poll), the peak of the backlog, and the
end (backlog answered, 2 s idle).

Mappings are grouped: each file by its name; [heap] (the main arena);
anonymous executable mappings (PCRE2's JIT code); anonymous mappings just
after a PROT_NONE guard page of a thread stack's size (thread stacks);
other anonymous mappings (malloc's mmap'ed chunks and other arenas).

usage: mem_e2e.py BOT [N] [--env K=V ...]
  MEM_WRAP="heaptrack -o FILE": the bot run under it (the smaps figures are then
  the wrapper's)
  MEM_LOG=debug: the bot's log level (heap_released lines printed at the end)
  MEM_GDB=1 in the environment: also glibc's malloc_stats() at ready and end
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, HERE)
import fakeapi  # noqa: E402
import bench_e2e as be  # noqa: E402

HDR = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")


def smaps(pid):
    """[(start, end, perms, name, {field: kB})] of /proc/PID/smaps."""
    maps = []
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = HDR.match(line)
            if m:
                maps.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3),
                             m.group(4).strip(), {}))
            elif maps and ":" in line:
                k, v = line.split(":", 1)
                v = v.split()
                if v and v[0].isdigit():
                    maps[-1][4][k] = int(v[0])
    return maps


def group(maps):
    """{group: [rss kB, private kB]}"""
    out = {}
    prev = None
    for start, end, perms, name, f in maps:
        if name.startswith("/"):
            key = os.path.basename(name)
        elif name:
            key = name
        elif "x" in perms:
            key = "anon exec (PCRE2 JIT code)"
        elif prev and prev[2] == "---p" and not prev[3] and prev[1] == start \
                and prev[1] - prev[0] == 4096:
            key = "anon after guard page (thread stacks)"
        elif perms == "---p":
            key = "anon PROT_NONE"
        else:
            key = "anon rw (mmap'ed malloc chunks, arenas)"
        g = out.setdefault(key, [0, 0])
        g[0] += f.get("Rss", 0)
        g[1] += f.get("Private_Clean", 0) + f.get("Private_Dirty", 0)
        prev = (start, end, perms, name)
    return out


def total(maps):
    return sum(f.get("Rss", 0) for *_, f in maps)


def show(title, maps, hwm=None):
    g = group(maps)
    print(f"## {title}: Rss {total(maps) / 1024:.2f} MB"
          + (f", VmHWM {hwm / 1024:.2f} MB" if hwm else ""))
    libs = 0
    for k, (rss, priv) in sorted(g.items(), key=lambda kv: -kv[1][0]):
        if rss >= 100 or not k.startswith("lib"):
            print(f"  {rss / 1024:7.2f} MB rss {priv / 1024:7.2f} MB private  {k}")
        else:
            libs += rss
    print(f"  {libs / 1024:7.2f} MB rss (files under 0.1 MB each)")


def malloc_stats(pid, log):
    """glibc's own count of the main arena: in use against held (gdb calls
    malloc_stats() in the bot, which prints to its stderr, the log)."""
    if not os.environ.get("MEM_GDB"):
        return
    mark = os.path.getsize(log)
    cmds = ["-ex", "call (void)malloc_stats()"]
    if os.environ.get("MEM_GDB") == "trim":  # what trimming would give back, for experiments
        cmds = ["-ex", "call (int)malloc_trim(0)"] + cmds
    subprocess.run(["gdb", "-p", str(pid), "-batch"] + cmds,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(log) as f:
        f.seek(mark)
        for line in f:
            if "bytes" in line or "Arena" in line or "mmap" in line:
                print("  malloc_stats: " + line.strip())


def hwm(pid):
    return int(re.search(r"VmHWM:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1))


def main():
    args = sys.argv[1:]
    env = dict(os.environ)
    while "--env" in args:
        i = args.index("--env")
        k, v = args[i + 1].split("=", 1)
        env[k] = v
        del args[i:i + 2]
    bot = os.path.abspath(args[0])
    n = int(args[1]) if len(args) > 1 else 10000
    qs = be.questions()
    fake = fakeapi.FakeTelegram(token=be.TOKEN)
    server, port = fakeapi.serve(fake)
    tmp = tempfile.mkdtemp(prefix="cancelbot-mem-")
    cfg = be.write_config(tmp, port, os.environ.get('MEM_LOG', 'info'))
    wrap = os.environ.get("MEM_WRAP", "").split()  # e.g. heaptrack -o FILE
    proc = subprocess.Popen(wrap + [bot, "run", "-c", cfg], stdout=open(tmp + "/bot.log", "a"),
                            stderr=subprocess.STDOUT, cwd=tmp, env=env)
    try:
        if not fake.wait_for(lambda: len(fake.calls_of("getUpdates")) > 0, 300):
            sys.exit("mem: the bot never polled")
        time.sleep(0.5)
        show("ready", smaps(proc.pid), hwm(proc.pid))
        malloc_stats(proc.pid, tmp + "/bot.log")
        if os.environ.get("MEM_GDB") == "trim":
            show("ready, after malloc_trim(0)", smaps(proc.pid))
        fake.add_updates([be.message(i, 10_000_000 + i, qs[i % len(qs)]) for i in range(n)])
        peak, peak_rss = None, 0
        deadline = time.time() + 3600
        while time.time() < deadline:
            m = smaps(proc.pid)
            if total(m) > peak_rss:
                peak, peak_rss = m, total(m)
            sends = sum(c["method"] == "sendMessage" for c in fake.calls)
            if sends >= n:
                break
            time.sleep(0.2)
        show("peak of the backlog (largest sample)", peak)
        time.sleep(2)
        show("end (backlog answered, 2 s idle)", smaps(proc.pid), hwm(proc.pid))
        malloc_stats(proc.pid, tmp + "/bot.log")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        server.shutdown()
    with open(tmp + "/bot.log") as f:  # with MEM_LOG=debug: how long each trim took
        for line in f:
            if "event=heap_released" in line:
                print("  " + line.strip())


if __name__ == "__main__":
    main()
