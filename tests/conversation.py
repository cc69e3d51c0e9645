"""The machinery under tests/run_conversations.py: a Conversation owns a
fake Bot API server (tests/fakeapi.py) on 127.0.0.1, a temporary state
directory and config, and the bot process; it plays a .conv file line by
line through the directives table (tests/directives.py) and checks what
the bot sent."""
import collections
import glob
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


Step = collections.namedtuple("Step", "line args opts text")


def corpus_due(u):
    """The answer an update of the corpus is due, as (method, param, value),
    or None: a private message with text or a caption from a person (never
    a bot: two bots would answer each other) gets a sendMessage (an answer,
    or what the bot can answer); a button press its
    answerCallbackQuery, an inline query its answerInlineQuery (always,
    also when nothing matched). Groups, channels and service messages
    depend on the group's mode: not checked here."""
    m = u.get("message")
    if isinstance(m, dict) and (m.get("chat") or {}).get("type") == "private" and \
            (m.get("text") or m.get("caption")) and not (m.get("from") or {}).get("is_bot"):
        return ("sendMessage", "chat_id", m["chat"]["id"])
    for kind, method, param in (("callback_query", "answerCallbackQuery", "callback_query_id"),
                                ("inline_query", "answerInlineQuery", "inline_query_id")):
        q = u.get(kind)
        if isinstance(q, dict) and q.get("id") is not None:
            return (method, param, q["id"])
    return None


class Conversation:
    """One conversation file played against a fresh fake server and state
    directory. directives maps a directive's name to its function."""

    def __init__(self, bot, path, directives):
        self.directives = directives
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
        self.env = {}           # extra environment for the bot (notify-socket)
        self.notices = []       # (time, text) datagrams from the bot's sd_notify

    # --- the bot -----------------------------------------------------------
    def write_config(self):
        path = os.path.join(self.tmp, "config.ini")
        with open(path, "w") as f:
            for section, kv in self.config.items():
                f.write(f"[{section}]\n")
                for k, v in kv.items():
                    if v == "@CERT":
                        v = self.cert
                    v = str(v).replace("@ROOT", ROOT).replace("@TMP", self.tmp)
                    f.write(f"{k} = {v}\n")
        os.chmod(path, self.config_mode)
        return path

    def start(self, until=None):
        if self.proc:
            raise Failure("start: the bot is already running")
        env = {k: v for k, v in os.environ.items() if k != "CANCELBOT_TOKEN"}
        env.update(self.env)
        self.log = open(self.log_path, "ab")
        before = len(self.fake.calls_of("getMe"))
        log_from = self.log.tell()
        self.proc = subprocess.Popen(WRAPPER + [self.bot, "run", "-c", self.write_config()], cwd=self.tmp,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                     env=env)
        # up means: knowledge base loaded, asking Telegram who it is; a bot
        # that cannot reach it (a refused certificate, the server down) says
        # so in its log. Wait for that, not a fixed time: on a loaded machine
        # an ASan bot takes 20 s and more to load, and a test that went on
        # after 5 s met a bot still starting (073 was flaky so)
        # until (a regex of the log): wait for that line instead, for a
        # test that acts while the start is still under way
        def up():
            if self.proc.poll() is not None:
                return True
            if until is None and len(self.fake.calls_of("getMe")) > before:
                return True
            with open(self.log_path, "rb") as f:
                f.seek(log_from)
                text = f.read()
            if until is not None:
                return re.search(until.encode(), text) is not None
            return b"getme_failed" in text
        self.fake.wait_for(up, 4 * WAIT)

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
        if "caption" in opts:
            del msg["text"]
            msg["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
            msg["caption"] = text
        if "anon" in opts:      # an anonymous admin: Telegram's placeholder user
            msg["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                           "username": "GroupAnonymousBot"}
            msg["sender_chat"] = {k: v for k, v in msg["chat"].items() if k != "is_forum"}
        if "channel" in opts:   # someone writing as their channel
            msg["from"] = {"id": 136817688, "is_bot": True, "first_name": "Channel",
                           "username": "Channel_Bot"}
            msg["sender_chat"] = {"id": int(opts["channel"]), "type": "channel", "title": "News"}
        if "autofwd" in opts:   # the channel's post, copied by Telegram
            msg["from"] = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
            msg["sender_chat"] = {"id": int(opts["autofwd"]), "type": "channel", "title": "News"}
            msg["is_automatic_forward"] = True
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
            # without the models (docs/model.md): a test that edits the
            # knowledge base adds intents of its own ("zorblax stolen"), which
            # the models, trained on the shipped ones, would veto as chatter
            # or read as another topic
            for model in glob.glob(os.path.join(kb, "intents", "model*.tsv")):
                os.remove(model)
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
        """Every line as the bot would get it from Telegram, byte for byte
        (duplicate keys, escapes, nulls: re-encoding the JSON would lose
        them), with only its update_id renumbered (ids repeat across the
        corpus). Notes which answers are due (corpus_due)."""
        self.corpus_due = []
        with open(os.path.join(ROOT, path) if not os.path.isabs(path) else path,
                  encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                raw, k = re.subn(r'"update_id"\s*:\s*-?\d+', '"update_id":@ID', line.strip(), count=1)
                if not k:
                    raw = '{"update_id":@ID,' + raw.lstrip()[1:]
                uid = self.fake.add_raw_update(raw)
                self.last_update_id = max(self.last_update_id, uid)
                due = corpus_due(json.loads(line))
                if due:
                    self.corpus_due.append((n,) + due)

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
        self.wait_delivered(3)

    def wait_delivered(self, seconds):
        """The bot confirms an update once its replies are queued, before they
        are sent: wait (a little, without failing) until its journal says every
        queued reply left, so that a kill after a sync repeats none."""
        path = os.path.join(self.config["bot"]["state_dir"], "outbox.journal")
        end = time.time() + seconds
        while time.time() < end:
            try:
                with open(path, "rb") as f:
                    lines = f.read().split(b"\n")
            except OSError:
                return
            if sum(x.startswith(b"Q ") for x in lines) <= sum(x.startswith(b"D ") for x in lines):
                return
            time.sleep(0.05)

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
        """Runs one directive line through the DIRECTIVES table."""
        head, _, text = line.partition(" | ")
        words = head.split()
        name, args = words[0], words[1:]
        directive = self.directives.get(name)
        if directive is None:
            raise Failure(f"unknown directive {name!r}")
        opts = dict(a.split("=", 1) if "=" in a else (a, "1") for a in args)
        directive(self, Step(line, args, opts, text))

    # --- helpers the directives share ---------------------------------------
    @staticmethod
    def show(calls, width=600):
        return "\n".join("    " + json.dumps(c["params"], ensure_ascii=False)[:width] for c in calls)

    def consume_all(self, method):
        with self.fake.cond:
            self.consumed.update(i for i, c in enumerate(self.fake.calls) if c["method"] == method)

    def finish(self):
        if self.proc:
            if self.last_update_id:
                self.sync()
            self.stop()
        if "sendMessage" not in self.extra_ok:
            left = self.unconsumed("sendMessage")
            if left:
                raise Failure(f"{self.name}: sendMessage calls nobody expected:\n" + self.show(left, 400))
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


