#!/usr/bin/env python3
"""Profiles the bot on bench_e2e.py's backlog workload, for finding where
its CPU per update goes (never run by the tests or `make bench`).

The bot starts against the fake Bot API server with nothing to do; once it
long-polls (the knowledge base is loaded), the profiler is attached and the
backlog of N questions is queued, so start-up is not in the profile.

usage: profile_e2e.py [--warm W] BOT N MODE [OUT]
  --warm W  answer W questions first, before the profiler is attached, so
            the profile shows the steady state (the rules JIT-compiled on
            first use are compiled by then)
  MODE  none      CPU per update only (/proc schedstat, as bench_e2e.py)
        strace    syscall counts (strace -c -f), OUT the summary
        perfstat  perf stat (task clock, context switches, faults, syscalls)
        perf      perf record --call-graph dwarf, OUT the perf.data
        callgrind valgrind --tool=callgrind, instrumentation switched on
                  at the first long poll; OUT the callgrind.out file

Prints the CPU per update (user/system from tick-sampled utime/stime), the
number of getUpdates calls and the journal's size. Divide a profiler's
counts by N for per-update figures."""
import os
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


def attach(mode, pid, out):
    if mode == "strace":
        return subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p", str(pid)])
    if mode == "perfstat":
        return subprocess.Popen(["perf", "stat", "-e", "task-clock,context-switches,page-faults,"
                                 "raw_syscalls:sys_enter", "-o", out, "-p", str(pid)])
    if mode == "perf":
        return subprocess.Popen(["perf", "record", "--call-graph", "dwarf,16384", "-o", out,
                                 "-p", str(pid)], stderr=subprocess.DEVNULL)
    if mode == "callgrind":
        subprocess.run(["callgrind_control", "-i", "on", str(pid)], check=True,
                       stdout=subprocess.DEVNULL)
    return None


def main():
    args = sys.argv[1:]
    warm = 0
    if args[:1] == ["--warm"]:
        warm, args = int(args[1]), args[2:]
    if len(args) < 3:
        sys.exit(__doc__)
    bot, n, mode = os.path.abspath(args[0]), int(args[1]), args[2]
    out = os.path.abspath(args[3]) if len(args) > 3 else None
    qs = be.questions()
    fake = fakeapi.FakeTelegram(token=be.TOKEN)
    server, port = fakeapi.serve(fake)
    tmp = tempfile.mkdtemp(prefix="cancelbot-profile-")
    cfg = be.write_config(tmp, port)
    pre = []
    if mode == "callgrind":
        pre = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
               f"--callgrind-out-file={out}"]
    proc = subprocess.Popen(pre + [bot, "run", "-c", cfg], stdout=open(tmp + "/bot.log", "a"),
                            stderr=subprocess.STDOUT, cwd=tmp)
    try:
        if not fake.wait_for(lambda: len(fake.calls_of("getUpdates")) > 0, 300):
            sys.exit("profile: the bot never polled")
        if warm:
            fake.add_updates([be.message(i, 5_000_000 + i, qs[i % len(qs)]) for i in range(warm)])
            if not be.wait_sends(fake, warm, 3600):
                sys.exit("profile: the warm-up was not answered")
            with fake.cond:
                fake.calls.clear()
        prof = attach(mode, proc.pid, out)
        time.sleep(1.0)  # the profiler is attached
        cpu0, t0 = be.cpu_seconds(proc.pid), time.time()
        u0, s0 = be.cpu_seconds(proc.pid, "user"), be.cpu_seconds(proc.pid, "system")
        fake.add_updates([be.message(i, 10_000_000 + i, qs[i % len(qs)]) for i in range(n)])
        if not be.wait_sends(fake, n, 3600):
            sys.exit("profile: the backlog was not answered")
        elapsed, cpu = time.time() - t0, be.cpu_seconds(proc.pid) - cpu0
        user = be.cpu_seconds(proc.pid, "user") - u0
        system = be.cpu_seconds(proc.pid, "system") - s0
        polls = len(fake.calls_of("getUpdates"))
        if prof:
            prof.send_signal(signal.SIGINT)
            prof.wait()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        server.shutdown()
    print(f"{n} updates, {n / elapsed:.0f}/s; bot CPU per update {cpu / n * 1e6:.0f} us "
          f"(user {user / n * 1e6:.0f}, system {system / n * 1e6:.0f}); getUpdates calls "
          f"{polls}; journal {os.path.getsize(tmp + '/state/outbox.journal')} bytes")


if __name__ == "__main__":
    main()
