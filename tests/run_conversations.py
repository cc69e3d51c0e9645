#!/usr/bin/env python3
"""Plays the conversation files in tests/data against the real cancelbot binary
and the fake Bot API server (tests/fakeapi.py), like curl's tests/data.

usage: run_conversations.py BOT DATADIR [NAME...]

A file is a list of directives, one per line ('#' starts a comment):
  name: TEXT                       what the test shows
  config SECTION KEY = VALUE       added to the generated config.ini
  server KEY=VALUE ...             fake server switches: forget_confirmations=1,
                                   enforce_limits=1, can_read_all=1, token=T,
                                   migrated=OLD:NEW, blocked=CHAT
  start | stop | kill | restart    run the bot; stop is SIGTERM, kill is SIGKILL
  send KIND [from=ID chat=ID lang=xx name=N thread=N reply_to_bot] | TEXT
                                   KIND: private, group, supergroup
  press [from=ID chat=ID lang=xx] | DATA     a callback_query (button press)
  send-json JSON                   an update as given (update_id added if missing)
  send-raw TEXT                    a getUpdates element that is not valid JSON
  corpus FILE                      every line of FILE as an update, ids renumbered
  fault METHOD KEY=VALUE ...       next call(s) of METHOD fail: status=502 count=2
                                   retry_after=3 body=TEXT close=1 hang=1 delay=S
                                   (in description=, '_' stands for a blank)
  sync                             wait until the bot confirmed every update sent
  expect METHOD COND ...           a call of METHOD matching every COND arrives
                                   (COND: path=value, path~regex, path! for absent;
                                   path is dotted: reply_parameters.message_id)
  expect-no METHOD [COND ...]      after sync, no further such call
  expect-count METHOD N            after sync, exactly N calls in all
  expect-exit N                    the bot exits by itself with status N
  expect-log REGEX                 the bot's log matches
  extra-ok METHOD                  unmatched calls of METHOD are fine at the end
  sleep SECONDS
  kb-long FILE N                   run on a copy of the knowledge base whose FILE
                                   (e.g. responses/en/help.txt) has N paragraphs
  burst N CHATS | TEXT             N private questions spread over CHATS chats
  expect-chats METHOD N            after sync, exactly N chats got a METHOD call
  expect-count-max METHOD N        after sync, at most N successful calls
  expect-fault-gap METHOD SECONDS  the retry after the last injected fault came
                                   at least SECONDS later
  start-second WANT_EXIT REGEX     a second bot on the same state dir exits with
                                   WANT_EXIT and its output matches REGEX
  config-mode MODE                 the config file's permissions (octal)
  kb-copy                          run on a private copy of intents/ and responses/
  kb-append FILE | TEXT            append TEXT ('\\n' for newlines) to FILE of the copy
  kb-replace FILE | OLD => NEW     replace text in FILE of the copy
  kb-doc DOC                       append every ```... file=PATH block of DOC to PATH
  signal NAME                      send the bot a signal (HUP, TERM, ...)
  expect-log-count REGEX N         the log has exactly N matching lines
  server-down SECONDS              the fake server stops listening (connections are
                                   refused), then comes back on the same port
  tls                              the fake server speaks HTTPS with a fresh
                                   self-signed certificate; 'config ... = @CERT'
                                   stands for its file
Only successful calls (HTTP 200) count as made; refused ones (429) do not.
At the end the bot is stopped with SIGTERM and must exit 0; every sendMessage
must have been expected (unless extra-ok); the token must not appear in any
output; sanitizer reports fail the test.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakeapi  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "7777777:SECRET-test-token-must-never-be-logged"
WAIT = float(os.environ.get("CONV_WAIT", "15"))
# e.g. CONV_WRAPPER="valgrind --error-exitcode=99 --leak-check=full": the bot
# runs under it, and a non-zero exit after SIGTERM fails the test
WRAPPER = os.environ.get("CONV_WRAPPER", "").split()


class Failure(Exception):
    pass


def get_path(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            try:
                obj = obj[int(part)]
            except (ValueError, IndexError):
                return None, False
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return None, False
    return obj, True


def as_text(v):
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def matches(params, conds):
    for c in conds:
        m = re.fullmatch(r"([\w.]+)(=|~|!)(.*)", c, re.S)
        if not m:
            raise Failure(f"bad condition {c!r}")
        path, op, want = m.groups()
        val, present = get_path(params, path)
        if op == "!":
            if present:
                return False
        elif not present:
            return False
        elif op == "=" and as_text(val) != want:
            return False
        elif op == "~" and not re.search(want, as_text(val), re.S):
            return False
    return True


class Conversation:
    def __init__(self, bot, path):
        self.bot = bot
        self.path = path
        self.name = os.path.basename(path)
        self.tmp = tempfile.mkdtemp(prefix="cancelbot-conv-")
        self.fake = fakeapi.FakeTelegram(token=TOKEN)
        self.server, self.port = fakeapi.serve(self.fake)
        self.config = {"telegram": {"token": TOKEN, "api_url": f"http://127.0.0.1:{self.port}",
                                    "poll_timeout": "2"},
                       "bot": {"state_dir": os.path.join(self.tmp, "state"),
                               "intents_dir": os.path.join(ROOT, "intents"),
                               "responses_dir": os.path.join(ROOT, "responses")}}
        self.proc = None
        self.log_path = os.path.join(self.tmp, "bot.log")
        self.logs = []
        self.consumed = set()
        self.last_update_id = 0
        self.extra_ok = set()
        self.message_id = 100
        self.callback_id = 0
        self.config_mode = 0o600
        self.cert = None

    # --- the bot -----------------------------------------------------------
    def write_config(self):
        path = os.path.join(self.tmp, "config.ini")
        with open(path, "w") as f:
            for section, kv in self.config.items():
                f.write(f"[{section}]\n")
                for k, v in kv.items():
                    if v == "@CERT":
                        v = self.cert
                    v = str(v).replace("@ROOT", ROOT)
                    f.write(f"{k} = {v}\n")
        os.chmod(path, self.config_mode)
        return path

    def start(self):
        if self.proc:
            raise Failure("start: the bot is already running")
        env = {k: v for k, v in os.environ.items() if k != "CANCELBOT_TOKEN"}
        self.log = open(self.log_path, "ab")
        before = len(self.fake.calls_of("getMe"))
        self.proc = subprocess.Popen(WRAPPER + [self.bot, "run", "-c", self.write_config()], cwd=self.tmp,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                     env=env)
        # up means: knowledge base loaded, asking Telegram who it is (a bot
        # that cannot get that far, e.g. on a refused certificate, is given
        # a few seconds and the test goes on)
        self.fake.wait_for(lambda: len(self.fake.calls_of("getMe")) > before or
                           self.proc.poll() is not None, min(WAIT, 5))

    def stop(self, sig=signal.SIGTERM, want=0):
        if not self.proc:
            return
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure("the bot did not exit within 20 s of SIGTERM")
        self.proc = None
        self.log.close()
        if sig == signal.SIGTERM and rc != want:
            raise Failure(f"the bot exited with {rc} after SIGTERM, want {want}")

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    # --- updates -------------------------------------------------------------
    def push(self, update):
        ids = self.fake.add_updates(update)
        self.last_update_id = max([self.last_update_id] + ids)

    def user(self, opts):
        uid = int(opts.get("from", 42))
        u = {"id": uid, "is_bot": False, "first_name": opts.get("name", "Alice")}
        if "lang" in opts:
            u["language_code"] = opts["lang"]
        return u

    def chat(self, kind, opts):
        uid = int(opts.get("from", 42))
        if kind == "private":
            return {"id": int(opts.get("chat", uid)), "type": "private", "first_name": "Alice"}
        default = -100 if kind == "group" else -1001234567890
        c = {"id": int(opts.get("chat", default)), "type": kind, "title": "Leaving the US"}
        if "thread" in opts:
            c["is_forum"] = True
        return c

    def send(self, kind, opts, text):
        self.message_id += 1
        msg = {"message_id": self.message_id, "date": int(time.time()),
               "chat": self.chat(kind, opts), "from": self.user(opts), "text": text}
        if "thread" in opts:
            msg["message_thread_id"] = int(opts["thread"])
            msg["is_topic_message"] = True
        if "reply_to_bot" in opts:
            msg["reply_to_message"] = {"message_id": 1, "date": 0, "chat": msg["chat"],
                                       "from": {"id": self.fake.me["id"], "is_bot": True,
                                                "first_name": "CancelBot",
                                                "username": self.fake.me["username"]},
                                       "text": "earlier answer"}
        if text.startswith("/"):
            cmd = text.split()[0]
            msg["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(cmd.encode("utf-16-le")) // 2}]
        self.push({"message": msg})

    def press(self, opts, data):
        self.callback_id += 1
        self.message_id += 1
        kind = opts.get("kind", "private")
        self.push({"callback_query": {
            "id": f"cb{self.callback_id}", "from": self.user(opts), "chat_instance": "1",
            "data": data,
            "message": {"message_id": self.message_id, "date": int(time.time()),
                        "chat": self.chat(kind, opts),
                        "from": {"id": self.fake.me["id"], "is_bot": True, "first_name": "CancelBot"},
                        "text": "earlier answer"}}})

    def wait_quiet(self, method, seconds=1.5):
        """Waits until no new METHOD call arrived for a while (the outbox drained)."""
        end = time.time() + WAIT * 4
        last = -1
        while time.time() < end:
            n = len(self.fake.calls_of(method))
            if n == last:
                return
            last = n
            time.sleep(seconds)

    def use_tls(self):
        import ssl
        self.cert = os.path.join(self.tmp, "cert.pem")
        key = os.path.join(self.tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", self.cert], check=True, capture_output=True)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, key)
        self.server.shutdown()
        self.server.server_close()
        self.server, self.port = fakeapi.serve(self.fake, ssl_context=ctx)
        self.config["telegram"]["api_url"] = f"https://127.0.0.1:{self.port}"

    def kb_copy(self):
        import shutil
        kb = os.path.join(self.tmp, "kb")
        if not os.path.exists(kb):
            for d in ("intents", "responses"):
                shutil.copytree(os.path.join(ROOT, d), os.path.join(kb, d))
            self.config["bot"]["intents_dir"] = os.path.join(kb, "intents")
            self.config["bot"]["responses_dir"] = os.path.join(kb, "responses")
        return kb

    def kb_doc(self, doc):
        """Applies the guide's ```lang file=PATH blocks: each is appended to PATH."""
        kb = self.kb_copy()
        blocks = re.findall(r"^```\w* file=(\S+)\n(.*?)^```", open(doc, encoding="utf-8").read(), re.M | re.S)
        if not blocks:
            raise Failure(f"{doc} has no file= blocks")
        for rel, body in blocks:
            with open(os.path.join(kb, rel), "a", encoding="utf-8") as f:
                f.write(body)

    def kb_long(self, rel, paragraphs):
        kb = self.kb_copy()
        with open(os.path.join(kb, rel), "w", encoding="utf-8") as f:
            f.write("[default]\n")
            for i in range(paragraphs):
                f.write(f"<b>Paragraph {i}</b> of a long answer, with words to fill the line up a bit more.\n\n")

    def corpus(self, path):
        with open(os.path.join(ROOT, path) if not os.path.isabs(path) else path) as f:
            for line in f:
                if not line.strip():
                    continue
                u = json.loads(line)
                u.pop("update_id", None)  # ids repeat across the corpus
                self.push(u)

    # --- waiting and checking ---------------------------------------------
    def sync(self):
        target = self.last_update_id
        if not target:
            return  # nothing was sent: nothing to wait for
        ok = self.fake.wait_for(lambda: self.fake.max_offset > target or
                                (self.proc and self.proc.poll() is not None), WAIT)
        if self.proc and self.proc.poll() is not None:
            raise Failure(f"the bot exited ({self.proc.returncode}) before confirming update {target}")
        if not ok:
            raise Failure(f"sync: the bot did not confirm update {target} within {WAIT:.0f} s "
                          f"(highest offset asked: {self.fake.max_offset})")

    def ok_calls(self, method):
        return [c for c in self.fake.calls_of(method) if not c.get("fault") and c.get("status", 200) == 200]

    def find(self, method, conds):
        with self.fake.cond:
            for i, c in enumerate(self.fake.calls):
                if i in self.consumed or c["method"] != method or c.get("fault") or c.get("status", 200) != 200:
                    continue
                if matches(c["params"], conds):
                    return i
        return None

    def expect(self, method, conds):
        found = []

        def check():
            i = self.find(method, conds)
            if i is not None:
                found.append(i)
                return True
            return self.proc is not None and self.proc.poll() is not None
        self.fake.wait_for(check, WAIT)
        if not found:
            raise Failure(f"expected {method} {' '.join(conds)}; got:\n{self.dump(method)}")
        self.consumed.add(found[0])

    def dump(self, method):
        lines = []
        for i, c in enumerate(self.fake.calls_of(method)):
            lines.append("    " + json.dumps(c["params"], ensure_ascii=False)[:600])
        return "\n".join(lines) or "    (no calls)"

    def unconsumed(self, method, conds=()):
        with self.fake.cond:
            return [c for i, c in enumerate(self.fake.calls)
                    if i not in self.consumed and c["method"] == method and not c.get("fault")
                    and c.get("status", 200) == 200 and matches(c["params"], conds)]

    # --- the file ------------------------------------------------------------
    def run(self):
        with open(self.path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        title = self.name
        for n, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                if line.startswith("name:"):
                    title = line[5:].strip()
                    continue
                self.step(line)
            except Failure as e:
                raise Failure(f"{self.name}:{n}: {line}\n  {e}")
        self.finish()
        return title

    def step(self, line):
        head, _, text = line.partition(" | ")
        words = head.split()
        cmd, args = words[0], words[1:]
        opts = dict(a.split("=", 1) if "=" in a else (a, "1") for a in args)
        if cmd == "config":
            section, key, _, value = line.split(None, 4)[1:]
            self.config.setdefault(section, {})[key] = value
        elif cmd == "server":
            for k, v in opts.items():
                if k == "migrated":
                    old, new = v.split(":")
                    self.fake.migrated[int(old)] = int(new)
                elif k == "blocked":
                    self.fake.blocked.add(int(v))
                elif k == "can_read_all":
                    self.fake.me["can_read_all_group_messages"] = v == "1"
                elif k == "token":
                    self.fake.token = v
                else:
                    setattr(self.fake, k, v == "1")
        elif cmd == "start":
            self.start()
        elif cmd == "stop":
            self.stop()
        elif cmd == "kill":
            self.stop(signal.SIGKILL)
        elif cmd == "restart":
            self.stop()
            self.start()
        elif cmd == "send":
            self.send(args[0], opts, text)
        elif cmd == "press":
            self.press(opts, text)
        elif cmd == "send-json":
            self.push(json.loads(line.split(None, 1)[1]))
        elif cmd == "send-raw":
            self.last_update_id = max(self.last_update_id,
                                      self.fake.add_raw_update(line.split(None, 1)[1]))
        elif cmd == "corpus":
            self.corpus(args[0])
        elif cmd == "fault":
            fault = {}
            for k, v in opts.items():
                if k == "method":
                    continue
                fault[k] = int(v) if re.fullmatch(r"-?\d+", v) else (float(v) if re.fullmatch(r"\d+\.\d+", v) else v)
            if "description" in fault:
                fault["description"] = str(fault["description"]).replace("_", " ")
            if "hang" in fault:
                fault["hang"] = True
            if "close" in fault:
                fault["close"] = True
            self.fake.add_fault(args[0], **fault)
        elif cmd == "sync":
            self.sync()
        elif cmd == "expect":
            self.expect(args[0], args[1:])
        elif cmd == "expect-no":
            self.sync()
            left = self.unconsumed(args[0], args[1:])
            if left:
                raise Failure(f"unexpected {args[0]}:\n" +
                              "\n".join("    " + json.dumps(c["params"], ensure_ascii=False)[:600] for c in left))
        elif cmd == "expect-count":
            self.sync()
            got = len(self.ok_calls(args[0]))
            if got != int(args[1]):
                raise Failure(f"{args[0]} was called {got} times, want {args[1]}:\n{self.dump(args[0])}")
            with self.fake.cond:
                self.consumed.update(i for i, c in enumerate(self.fake.calls) if c["method"] == args[0])
        elif cmd == "expect-exit":
            try:
                rc = self.proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                raise Failure(f"the bot did not exit (want status {args[0]})")
            self.proc = None
            self.log.close()
            if rc != int(args[0]):
                raise Failure(f"the bot exited with {rc}, want {args[0]}")
        elif cmd == "expect-log":
            pattern = line.split(None, 1)[1]
            end = time.time() + WAIT
            while not re.search(pattern, self.read_log()):
                if time.time() > end:
                    raise Failure(f"log does not match {pattern!r}:\n{self.read_log()[-3000:]}")
                time.sleep(0.05)
        elif cmd == "extra-ok":
            self.extra_ok.add(args[0])
        elif cmd == "sleep":
            time.sleep(float(args[0]))
        elif cmd == "kb-long":
            self.kb_long(args[0], int(args[1]))
        elif cmd == "burst":
            n, chats = int(args[0]), int(args[1])
            for i in range(n):
                self.send("private", {"from": str(100000 + i % chats)}, text)
        elif cmd == "expect-chats":
            self.sync()
            self.wait_quiet(args[0])
            chats = {c["params"].get("chat_id") for c in self.ok_calls(args[0])}
            if len(chats) != int(args[1]):
                raise Failure(f"{len(chats)} chats got {args[0]}, want {args[1]}")
            self.extra_ok.add(args[0])
        elif cmd == "expect-count-max":
            self.sync()
            self.wait_quiet(args[0])
            got = len(self.ok_calls(args[0]))
            if got > int(args[1]):
                raise Failure(f"{got} successful {args[0]} calls, want at most {args[1]}")
        elif cmd == "expect-fault-gap":
            self.sync()
            calls = self.fake.calls_of(args[0])
            faults = [c for c in calls if c.get("fault")]
            if not faults:
                raise Failure(f"no injected fault on {args[0]}")
            after = [c for c in calls if not c.get("fault") and c["time"] > faults[-1]["time"]]
            if not after:
                raise Failure(f"{args[0]} was not retried after the fault")
            gap = after[0]["time"] - faults[-1]["time"]
            if gap < float(args[1]):
                raise Failure(f"retried after {gap:.2f}s, want at least {args[1]}s")
        elif cmd == "start-second":
            env = {k: v for k, v in os.environ.items() if k != "CANCELBOT_TOKEN"}
            p2 = subprocess.run([self.bot, "run", "-c", os.path.join(self.tmp, "config.ini")],
                                cwd=self.tmp, capture_output=True, timeout=WAIT, env=env)
            out = (p2.stdout + p2.stderr).decode("utf-8", "replace")
            if p2.returncode != int(args[0]) or not re.search(line.split(None, 2)[2], out):
                raise Failure(f"second instance exited {p2.returncode}: {out[-500:]}")
            if TOKEN in out:
                raise Failure("the token appears in the second instance's output")
        elif cmd == "config-mode":
            self.config_mode = int(args[0], 8)
        elif cmd == "tls":
            self.use_tls()
        elif cmd == "kb-copy":
            self.kb_copy()
        elif cmd == "kb-append":
            with open(os.path.join(self.kb_copy(), args[0]), "a", encoding="utf-8") as f:
                f.write(text.replace("\\n", "\n"))
        elif cmd == "kb-replace":
            path = os.path.join(self.kb_copy(), args[0])
            old, new = text.split(" => ", 1)
            with open(path, encoding="utf-8") as f:
                content = f.read()
            if old not in content:
                raise Failure(f"{args[0]} has no {old!r}")
            with open(path, "w", encoding="utf-8") as f:
                f.write(content.replace(old, new))
        elif cmd == "kb-doc":
            self.kb_doc(os.path.join(ROOT, args[0]))
        elif cmd == "server-down":
            with self.fake.cond:
                self.fake.down = True
                self.fake.cond.notify_all()
            self.server.shutdown()
            self.server.server_close()
            time.sleep(float(args[0]))
            with self.fake.cond:
                self.fake.down = False
            self.server, _ = fakeapi.serve(self.fake, self.port)
        elif cmd == "signal":
            self.proc.send_signal(getattr(signal, "SIG" + args[0]))
        elif cmd == "expect-log-count":
            pattern, want = line.split(None, 1)[1].rsplit(None, 1)
            got = len(re.findall(pattern, self.read_log()))
            if got != int(want):
                raise Failure(f"{got} log lines match {pattern!r}, want {want}")
        else:
            raise Failure(f"unknown directive {cmd!r}")

    def finish(self):
        if self.proc:
            if self.last_update_id:
                self.sync()
            self.stop()
        if "sendMessage" not in self.extra_ok:
            left = self.unconsumed("sendMessage")
            if left:
                raise Failure(f"{self.name}: sendMessage calls nobody expected:\n" +
                              "\n".join("    " + json.dumps(c["params"], ensure_ascii=False)[:400] for c in left))
        log = self.read_log()
        if TOKEN in log or TOKEN.split(":")[1] in log:
            raise Failure(f"{self.name}: the token appears in the bot's log")
        if re.search(r"ERROR: (Address|Leak)Sanitizer|runtime error:", log):
            raise Failure(f"{self.name}: sanitizer report:\n{log[-4000:]}")

    def close(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
        self.server.shutdown()
        self.server.server_close()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    bot = os.path.abspath(sys.argv[1])
    names = sys.argv[3:]
    files = sorted(f for f in os.listdir(sys.argv[2]) if f.endswith(".conv"))
    if names:
        files = [f for f in files if any(n in f for n in names)]
    passed = failed = 0
    for f in files:
        conv = Conversation(bot, os.path.join(sys.argv[2], f))
        t0 = time.time()
        try:
            title = conv.run()
            passed += 1
            print(f"ok   {f}  {title}  ({time.time() - t0:.1f}s)", flush=True)
        except Failure as e:
            failed += 1
            print(f"FAIL {f}\n  {e}\n  --- bot log (tail) ---\n{conv.read_log()[-3000:]}", flush=True)
        finally:
            conv.close()
    print(f"conversations: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
