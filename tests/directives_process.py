"""Directives of a conversation file (tests/data/*.conv) that run the bot
and the fake server: start, stop, kill and signal the bot, take the server
down, inject faults, read what the bot tells systemd, and wait. Kept apart
from directives.py (updates sent, checks, the operator's commands), whose
DIRECTIVES table lists them; same conventions: one function per directive,
docstring = syntax line + help."""
import os
import re
import signal
import subprocess
import time

import fakeapi
from conversation import TOKEN, WAIT, Failure


def start(conv, step):
    """start
    run the bot"""
    conv.start()


def start_until(conv, step):
    """start-until REGEX
    run the bot and go on once its log matches REGEX (the start still under
    way: no getMe waited for)"""
    conv.start(until=step.line.split(None, 1)[1])


def stop(conv, step):
    """stop
    SIGTERM: the bot must exit 0"""
    conv.stop()


def kill(conv, step):
    """kill
    SIGKILL"""
    conv.stop(signal.SIGKILL)


def restart(conv, step):
    """restart
    stop, then start"""
    conv.stop()
    conv.start()


def signal_(conv, step):
    """signal NAME
    send the bot a signal (HUP, TERM, ...)"""
    conv.proc.send_signal(getattr(signal, "SIG" + step.args[0]))


def start_second(conv, step):
    """start-second WANT_EXIT REGEX
    a second bot on the same state dir exits with WANT_EXIT and its output
    matches REGEX"""
    env = {k: v for k, v in os.environ.items() if k != "CANCELBOT_TOKEN"}
    p2 = subprocess.run([conv.bot, "run", "-c", os.path.join(conv.tmp, "config.ini")],
                        cwd=conv.tmp, capture_output=True, timeout=WAIT, env=env)
    out = (p2.stdout + p2.stderr).decode("utf-8", "replace")
    if p2.returncode != int(step.args[0]) or not re.search(step.line.split(None, 2)[2], out):
        raise Failure(f"second instance exited {p2.returncode}: {out[-500:]}")
    if TOKEN in out:
        raise Failure("the token appears in the second instance's output")


def server_down(conv, step):
    """server-down SECONDS | server-down until REGEX
    the fake server stops listening (connections are refused), then comes
    back on the same port: after SECONDS, or once the bot's log matches REGEX
    (what the bot does while it is down: waits for the event, not a time
    that a loaded machine may not keep)"""
    with conv.fake.cond:
        conv.fake.down = True
        conv.fake.cond.notify_all()
    conv.server.shutdown()
    conv.server.server_close()
    try:
        if step.args[0] == "until":
            wait_log(conv, step.line.split(None, 2)[2])
        else:
            time.sleep(float(step.args[0]))
    finally:
        with conv.fake.cond:
            conv.fake.down = False
        conv.server, _ = fakeapi.serve(conv.fake, conv.port)


def notify_socket(conv, step):
    """notify-socket [watchdog=SECONDS]
    the bot runs as under systemd Type=notify: NOTIFY_SOCKET names a unix
    datagram socket the test reads (WATCHDOG_USEC set with watchdog=)"""
    import socket
    import threading
    path = os.path.join(conv.tmp, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    conv.env["NOTIFY_SOCKET"] = path
    if "watchdog" in step.opts:
        conv.env["WATCHDOG_USEC"] = str(int(float(step.opts["watchdog"]) * 1e6))

    def read():
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            with conv.fake.cond:
                conv.notices.append((time.time(), data.decode("utf-8", "replace")))
                conv.fake.cond.notify_all()
    threading.Thread(target=read, daemon=True).start()


def expect_notify(conv, step):
    """expect-notify REGEX
    the next notice (after those already matched) that matches REGEX
    arrives (a regex '\\n' is the break between assignments)"""
    want = re.compile(step.line.split(None, 1)[1], re.S)
    found = []

    def check():
        for i in range(getattr(conv, "notice_pos", 0), len(conv.notices)):
            if want.search(conv.notices[i][1]):
                found.append(i)
                return True
        return False
    conv.fake.wait_for(check, WAIT)
    if not found:
        raise Failure(f"no notice matches {want.pattern!r}; got: {[n for _, n in conv.notices]}")
    conv.notice_pos = found[0] + 1


def expect_no_notify(conv, step):
    """expect-no-notify SECONDS REGEX
    for the next SECONDS no notice matches REGEX"""
    seconds, pattern = step.line.split(None, 2)[1:]
    start = time.time()
    time.sleep(float(seconds))
    bad = [n for t, n in conv.notices if t >= start and re.search(pattern, n)]
    if bad:
        raise Failure(f"within {seconds} s the bot sent {bad}")
    conv.notice_pos = len(conv.notices)


def number(v):
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    return float(v) if re.fullmatch(r"\d+\.\d+", v) else v


def fault(conv, step):
    """fault METHOD KEY=VALUE ...
    next call(s) of METHOD fail: status=502 count=2 retry_after=3 body=TEXT
    close=1 hang=1 delay=S; seconds=S: every call for S seconds (a storm)
    (in description=, '_' stands for a blank and
    '@TOKEN' for the bot's token; pad=N puts N 'x' in front of it)"""
    f = {k: number(v) for k, v in step.opts.items() if k not in ("method", "pad")}
    if "description" in f:
        f["description"] = ("x" * int(step.opts.get("pad", 0)) +
                            str(f["description"]).replace("_", " ").replace("@TOKEN", TOKEN))
    for flag in ("hang", "close"):
        if flag in f:
            f[flag] = True
    conv.fake.add_fault(step.args[0], **f)


def sleep(conv, step):
    """sleep SECONDS"""
    time.sleep(float(step.args[0]))


def sleep_random(conv, step):
    """sleep-random MIN MAX
    sleep a random time between MIN and MAX seconds (kill -9 at random moments)"""
    import random
    time.sleep(random.uniform(float(step.args[0]), float(step.args[1])))


def stop_within(conv, step):
    """stop-within SECONDS
    SIGTERM: the bot must exit 0 within SECONDS"""
    t0 = time.time()
    conv.stop()
    took = time.time() - t0
    if took > float(step.args[0]):
        raise Failure(f"the bot took {took:.1f} s to exit after SIGTERM, want <= {step.args[0]} s")


def signal_burst(conv, step):
    """signal-burst NAME N
    send the bot N signals NAME at once (a SIGHUP storm)"""
    # one kill(1) for all: a Python loop can be descheduled halfway on a busy machine
    subprocess.run(["kill", "-" + step.args[0]] + [str(conv.proc.pid)] * int(step.args[1]),
                   check=True)


def wait_log(conv, pattern):
    end = time.time() + WAIT
    while not re.search(pattern, conv.read_log()):
        if time.time() > end:
            raise Failure(f"log does not match {pattern!r}:\n{conv.read_log()[-3000:]}")
        time.sleep(0.05)
