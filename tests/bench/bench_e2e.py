#!/usr/bin/env python3
"""End-to-end figures for `make bench`, against the fake Bot API server on
127.0.0.1 (sending limits off in both the server and the bot):

- a backlog of 10 000 questions: updates handled per second, and the bot's
  own CPU time per update (utime+stime from /proc, so the fake server's cost
  is not counted);
- the conversations of tests/dialogs played as a backlog (each its own
  chat, its turns in order): the bot's CPU per update when most messages
  are follow-ups read in their conversation's context;
- 300 questions one at a time: the latency the bot adds between receiving an
  update and sending its answer (p50, p99), from the bot's debug log;
- peak and private memory of the bot, and its CPU use while idle in a long
  poll;
- a reload (SIGHUP) in the middle of a burst of 3000 questions: the
  longest gap between two replies, against the median gap;
- with BENCH_CURL (build/bench_curl), the floor under these figures: the
  CPU per sendMessage and the peak memory of libcurl alone, against the
  same fake server;
- with BENCH_FLOOR (build/bench_floor), the floor per update: the same
  sends, the same durability flush and one log line, and the bot's CPU per
  update as a ratio to it.

usage: bench_e2e.py BOT [BACKLOG [BENCH_CURL [BENCH_FLOOR]]]
Prints Markdown table rows. Timings are measurements, never assertions."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import fakeapi  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "1:bench"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid, part=None):
    """The bot's CPU time. The total comes from /proc/PID/schedstat, in
    nanoseconds; utime and stime in /proc/PID/stat are only sampled at each
    clock tick (10 ms here), too coarse for an idle bot, and are used only
    for the user part."""
    if part is None:
        return int(open(f"/proc/{pid}/schedstat").read().split()[0]) / 1e9
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    user, system = int(fields[11]) / TICK, int(fields[12]) / TICK
    return {"user": user, "system": system}[part]


def memory(pid):
    status = open(f"/proc/{pid}/status").read()
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    rollup = open(f"/proc/{pid}/smaps_rollup").read()
    private = sum(int(x) for x in re.findall(r"Private_(?:Clean|Dirty):\s+(\d+)", rollup))
    return hwm / 1024, private / 1024


def questions():
    out = []
    for line in open(os.path.join(ROOT, "tests/labelled.tsv"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():  # eval skips blank lines too
            continue
        text, intents, carriers, plan = line.rstrip("\n").split("\t")
        if intents != "none" and carriers != "-" and plan != "-":
            out.append(text)  # carrier and plan named: exactly one reply each
    return out


def conversations():
    """The user turns of every conversation in tests/dialogs, one list each."""
    convs = []
    for name in sorted(os.listdir(os.path.join(ROOT, "tests/dialogs"))):
        if not name.endswith(".tsv"):
            continue
        for line in open(os.path.join(ROOT, "tests/dialogs", name), encoding="utf-8"):
            if line.startswith("##"):
                convs.append([])
            elif line.strip() and not line.startswith("#") and convs:
                convs[-1].append(line.split("\t")[0].strip())
    return [c for c in convs if c]


def play_conversations(fake, start):
    """Plays conversations() against a bot that start() starts (and returns
    once it polls): turn k of every chat (one wave) before turn k + 1, 200
    updates at a time, each answered before the next (one backlog of all
    turns would overflow the intake and drop replies). Returns the bot's CPU seconds per turn,
    the turns and the replies sent; stops the bot."""
    convs = conversations()
    with fake.cond:
        fake.calls.clear()
    proc = start()
    cpu0, nturns = cpu_seconds(proc.pid), 0
    for k in range(max(len(c) for c in convs)):
        wave = [(c, conv[k]) for c, conv in enumerate(convs) if k < len(conv)]
        for part in range(0, len(wave), 200):  # within the bot's intake
            ids = fake.add_updates([message(800000 + nturns + i, 40_000_000 + c, t)
                                    for i, (c, t) in enumerate(wave[part:part + 200])])
            nturns += len(ids)
            if not fake.wait_for(lambda: fake.max_offset > ids[-1], 600):
                sys.exit("bench: the conversations were not answered")
            while True:  # until the last reply has gone (the offset moves first)
                n = len(fake.calls_of("sendMessage"))
                time.sleep(0.2)
                if len(fake.calls_of("sendMessage")) == n:
                    break
    cpu = cpu_seconds(proc.pid) - cpu0
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    return cpu / nturns, nturns, n


def message(i, chat, text):
    return {"message": {"message_id": i, "date": int(time.time()), "text": text,
                        "chat": {"id": chat, "type": "private"},
                        "from": {"id": chat, "is_bot": False, "first_name": "B"}}}


def write_config(tmp, port, level="info"):
    """TMP/config.ini for a bench run against the fake server on port (sending
    limits off, no reloads); its path. Shared by the bench scripts here."""
    cfg = os.path.join(tmp, "config.ini")
    with open(cfg, "w") as f:
        f.write(f"[telegram]\ntoken = {TOKEN}\napi_url = http://127.0.0.1:{port}\npoll_timeout = 5\n"
                f"rate_limits = false\n[bot]\nstate_dir = {tmp}/state\nauto_reload = false\n"
                f"intents_dir = {ROOT}/intents\nresponses_dir = {ROOT}/responses\n"
                f"[log]\nlevel = {level}\n")
    os.chmod(cfg, 0o600)
    return cfg


def wait_sends(fake, n, timeout):
    """Waits for n answered sendMessage calls. The predicate runs after
    every request the server handles, so it reads only the calls it has not
    seen yet: re-counting all of them each time made the fake server, which
    shares the machine with the bot, slower as the backlog went on."""
    seen = {"calls": 0, "sends": 0}

    def done():
        calls = fake.calls
        if len(calls) < seen["calls"]:  # the list was cleared
            seen["calls"] = seen["sends"] = 0
        for c in calls[seen["calls"]:]:
            seen["sends"] += c["method"] == "sendMessage" and c.get("status") == 200
        seen["calls"] = len(calls)
        return seen["sends"] >= n
    return fake.wait_for(done, timeout)


def main():
    bot = os.path.abspath(sys.argv[1])
    backlog = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    bench_curl = sys.argv[3] if len(sys.argv) > 3 else None
    bench_floor = sys.argv[4] if len(sys.argv) > 4 else None
    qs = questions()
    fake = fakeapi.FakeTelegram(token=TOKEN)
    server, port = fakeapi.serve(fake)
    tmp = tempfile.mkdtemp(prefix="cancelbot-bench-", dir=os.environ.get("BENCH_TMP"))
    cfg = write_config(tmp, port, "{level}")  # the level is filled in per phase
    template = open(cfg).read()
    log_path = os.path.join(tmp, "bot.log")

    def start(level):
        with open(cfg, "w") as f:
            f.write(template.replace("{level}", level))
        os.chmod(cfg, 0o600)
        before = len(fake.calls_of("getUpdates"))
        p = subprocess.Popen([bot, "run", "-c", cfg], stdout=open(log_path, "a"),
                             stderr=subprocess.STDOUT, cwd=tmp)
        fake.wait_for(lambda: len(fake.calls_of("getUpdates")) > before, 30)
        return p

    # phase 1, at the production log level: the backlog
    fake.add_updates([message(i, 10_000_000 + i, qs[i % len(qs)]) for i in range(backlog)])
    proc = start("info")
    cpu0, t0, user0 = cpu_seconds(proc.pid), time.time(), cpu_seconds(proc.pid, "user")
    if not wait_sends(fake, backlog, 600):
        sys.exit("bench: the backlog was not answered within 600 s")
    elapsed, cpu = time.time() - t0, cpu_seconds(proc.pid) - cpu0
    user = cpu_seconds(proc.pid, "user") - user0
    peak_backlog, _ = memory(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    with open(log_path) as f:
        log1 = f.read()
    # replies converted by OpenCC in the bot rather than from the pieces
    # converted ahead of time by a child (bot/edge/preconv.c): should be 0
    fallbacks = re.findall(r"event=stopped .*?opencc_fallbacks=(\d+)", log1)
    preconv = re.findall(r"event=preconverted .*?pieces=(\d+) bytes=(\d+) ms=(\d+)", log1)
    # phase 1b: conversations
    conv_cpu, nturns, conv_sends = play_conversations(fake, lambda: start("info"))
    # phase 2, with the debug log that records the added latency
    with fake.cond:
        fake.calls.clear()
    mark = os.path.getsize(log_path)
    proc = start("debug")
    try:
        for i in range(300):  # one at a time: latency without queueing
            fake.add_updates([message(900000 + i, 20_000_000 + i, qs[i % len(qs)])])
            if not wait_sends(fake, i + 1, 30):
                sys.exit("bench: a single question was not answered within 30 s")
        time.sleep(0.2)
        with open(log_path) as f:
            f.seek(mark)
            arrival = [float(x) for x in re.findall(r"added_latency_us=(\d+)", f.read())]
        lat = sorted(arrival)
        # without the first 50 questions after the start: those run rules
        # not JIT-compiled yet (bot/kb/jit.c) and open OpenCC's t2s at the
        # first Traditional message (~5 ms, once per process)
        warm = sorted(arrival[50:])
        time.sleep(1)
        idle0, i0 = cpu_seconds(proc.pid), time.time()
        time.sleep(10)
        idle = (cpu_seconds(proc.pid) - idle0) / (time.time() - i0)
        peak, private = memory(proc.pid)
        peak = max(peak, peak_backlog)
        # phase 3: a reload in the middle of a burst
        with fake.cond:
            fake.calls.clear()
        burst = 3000
        fake.add_updates([message(950000 + i, 30_000_000 + i, qs[i % len(qs)]) for i in range(burst)])
        if not wait_sends(fake, burst // 6, 120):
            sys.exit("bench: the burst was not answered")
        proc.send_signal(signal.SIGHUP)
        if not wait_sends(fake, burst, 600):
            sys.exit("bench: the burst was not answered after the reload")
        times = sorted(c["time"] for c in fake.calls_of("sendMessage"))
        gaps = sorted(b - a for a, b in zip(times, times[1:]))
        stall, median_gap = gaps[-1] * 1e3, gaps[len(gaps) // 2] * 1e3
        with open(log_path) as f:
            f.seek(mark)
            reload_ms = re.findall(r"event=reloaded .*?\bms=([\d.]+)", f.read())
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    floor = parallel = None
    if bench_curl:  # libcurl alone, against the same server
        def curl_alone(in_flight):
            out = subprocess.run([bench_curl, f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage",
                                  str(max(1000, backlog // 3)), str(in_flight)],
                                 capture_output=True, text=True, timeout=600)
            if out.returncode != 0:
                sys.exit(f"bench: bench_curl failed: {out.stderr.strip()}")
            return dict(line.split() for line in out.stdout.splitlines())
        floor, parallel = curl_alone(1), curl_alone(8)
    if bench_floor:  # the floor per update, against the same server
        out = subprocess.run([bench_floor, f"http://127.0.0.1:{port}/bot{TOKEN}",
                              str(max(1000, backlog // 3)), tmp], capture_output=True, text=True,
                             timeout=600)
        if out.returncode != 0:
            sys.exit(f"bench: bench_floor failed: {out.stderr.strip()}")
        floor_us = float(dict(line.split() for line in out.stdout.splitlines())["cpu_us_per_update"])
    server.shutdown()
    p50 = lat[len(lat) // 2] / 1000 if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] / 1000 if lat else float("nan")
    warm99 = warm[min(len(warm) - 1, int(len(warm) * 0.99))] / 1000 if warm else float("nan")
    print(f"| end to end, backlog of {backlog} questions | {backlog / elapsed:.0f} updates/s "
          f"(the fake server is the bottleneck) | |")
    print(f"| bot CPU time per update (/proc schedstat of the bot alone) | "
          f"{cpu / backlog * 1e6:.0f} us (about {user / backlog * 1e6:.0f} us of it user, "
          f"from tick-sampled utime) | <= 50 us |")
    if floor:
        per = float(floor["cpu_us_per_request"])
        print(f"| floor: libcurl alone, CPU per sendMessage to the same fake server "
              f"(build/bench_curl) | {per:.0f} us, so the bot's own share is "
              f"~{cpu / backlog * 1e6 - per:.0f} us per update | |")
        print(f"| floor with 8 requests in flight (curl multi) | "
              f"{float(parallel['cpu_us_per_request']):.0f} us per request | |")
    if bench_floor:
        bot_us = cpu / backlog * 1e6
        print(f"| floor per update: the same sendMessage, durability flush (16 KB slot, "
              f"fdatasync) and log line (build/bench_floor) | {floor_us:.0f} us; the bot "
              f"{bot_us:.0f} us = {bot_us / floor_us:.2f}x the floor | <= 1.15x |")
    print(f"| bot CPU time per update, conversations (the {nturns} turns of the "
          f"{len(conversations())} conversations of tests/dialogs, each its own chat, in order) | "
          f"{conv_cpu * 1e6:.0f} us ({conv_sends} replies) | |")
    print(f"| reload (SIGHUP) in a burst of 3000 questions: longest gap between replies | "
          f"{stall:.1f} ms (median gap {median_gap:.2f} ms"
          f"{'; the reload took ' + reload_ms[-1] + ' ms' if reload_ms else ''}) | <= 40 ms |")
    print(f"| latency the bot adds, update in to reply out (300 single questions) | "
          f"p50 {p50:.3f} ms, p99 {p99:.3f} ms (after the first 50: p99 {warm99:.3f} ms; "
          f"slowest {lat[-1] / 1000 if lat else float('nan'):.3f} ms) | p99 <= 2 ms |")
    print(f"| bot memory: peak RSS (VmHWM) / private (heap, JIT, data) | {peak:.1f} MB / "
          f"{private:.1f} MB | RSS <= 14 MB |")
    if fallbacks and preconv:
        pieces, pbytes, pms = preconv[-1]
        print(f"| Traditional replies converted by OpenCC inside the bot (backlog), not from "
              f"the pieces a child converted at load | {fallbacks[-1]} (the child: {pieces} "
              f"pieces, {int(pbytes) // 1024} KB, {pms} ms) | 0 |")
    if floor:
        print(f"| floor: peak RSS of a minimal program making one libcurl request "
              f"(build/bench_curl) | {int(floor['peak_rss_kb']) / 1024:.1f} MB | |")
    print(f"| bot CPU while idle in a long poll | {idle * 100:.3f} % of a core | ~0 |")


if __name__ == "__main__":
    main()
