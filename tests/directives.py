"""The directives of a conversation file (tests/data/*.conv), one function
each, and DIRECTIVES, the table that maps a directive's name to it. A
function's docstring is its entry in `run_conversations.py --help`: the
syntax on the first line, then what it does.

Every function takes the Conversation and the parsed Step: its whole line,
its words after the name (args), those words split at '=' (opts), and the
TEXT after ' | ' when the line has one.

Those that run the bot and the fake server (start, signals, faults,
server-down, systemd notices) are in directives_process.py, the admin's
knowledge-base ones in directives_admin.py; this table lists them all."""
import collections
import json
import os
import re
import subprocess
import time

import directives_admin
from directives_process import (
    start, start_until, stop, kill, restart, signal_, start_second, server_down, notify_socket, expect_notify,
    expect_no_notify, fault, sleep, sleep_random, stop_within, signal_burst, wait_log)
from conversation import ROOT, WAIT, Failure


# --- setting up ----------------------------------------------------------
def config(conv, step):
    """config SECTION KEY = VALUE
    added to the generated config.ini ('@ROOT': the project, '@TMP': the
    conversation's temporary directory, '@CERT': see tls)"""
    section, key, _, value = step.line.split(None, 4)[1:]
    conv.config.setdefault(section, {})[key] = value


def config_edit(conv, step):
    """config-edit SECTION KEY = VALUE
    change the config file under the running bot (SIGHUP re-reads it)"""
    section, key, _, value = step.line.split(None, 4)[1:]
    conv.config.setdefault(section, {})[key] = value
    conv.write_config()


SERVER_SWITCHES = {
    "migrated": lambda fake, v: fake.migrated.__setitem__(*map(int, v.split(":"))),
    "blocked": lambda fake, v: fake.blocked.add(int(v)),
    "can_read_all": lambda fake, v: fake.me.__setitem__("can_read_all_group_messages", v == "1"),
    "token": lambda fake, v: setattr(fake, "token", v),
    "admin": lambda fake, v: fake.admins.add(tuple(map(int, v.split(":")))),
    "inline": lambda fake, v: fake.me.__setitem__("supports_inline_queries", v == "1"),
}


def server(conv, step):
    """server KEY=VALUE ...
    fake server switches: forget_confirmations=1, enforce_limits=1,
    can_read_all=1, token=T, migrated=OLD:NEW, blocked=CHAT,
    admin=CHAT:USER (getChatMember says administrator), inline=1"""
    for k, v in step.opts.items():
        SERVER_SWITCHES.get(k, lambda fake, v: setattr(fake, k, v == "1"))(conv.fake, v)


def config_mode(conv, step):
    """config-mode MODE
    the config file's permissions (octal)"""
    conv.config_mode = int(step.args[0], 8)


def env(conv, step):
    """env KEY=VALUE ...
    the bot's environment gets KEY=VALUE ('@ROOT' in VALUE: the project),
    e.g. CANCELBOT_PRECONV_HELPER=@ROOT/tests/helpers/preconv_hang.sh"""
    for k, v in step.opts.items():
        conv.env[k] = v.replace("@ROOT", ROOT)


def tls(conv, step):
    """tls
    the fake server speaks HTTPS with a fresh self-signed certificate;
    'config ... = @CERT' stands for its file"""
    conv.use_tls()


def kb_copy(conv, step):
    """kb-copy
    run on a private copy of intents/ and responses/"""
    conv.kb_copy()


def kb_append(conv, step):
    """kb-append FILE | TEXT
    append TEXT ('\\n' for newlines) to FILE of the copy"""
    with open(os.path.join(conv.kb_copy(), step.args[0]), "a", encoding="utf-8") as f:
        f.write(step.text.replace("\\n", "\n"))


def kb_replace(conv, step):
    """kb-replace FILE [count=N] | OLD => NEW
    replace text in FILE of the copy: OLD must occur exactly once (or
    exactly N times with count=N), so an edit never lands somewhere else"""
    path = os.path.join(conv.kb_copy(), step.args[0])
    old, new = step.text.split(" => ", 1)
    want = int(step.opts.get("count", "1"))
    with open(path, encoding="utf-8") as f:
        content = f.read()
    content = directives_admin.replace_exactly(step.args[0], content, old, new, want)
    with open(path, "w", encoding="utf-8") as f:
        f.write(content)


def kb_doc(conv, step):
    """kb-doc DOC
    append every ```... file=PATH block of DOC to PATH of the copy"""
    conv.kb_doc(os.path.join(ROOT, step.args[0]))


def kb_long(conv, step):
    """kb-long FILE N
    run on a copy of the knowledge base whose FILE (e.g.
    responses/en/help.txt) has N paragraphs"""
    conv.kb_long(step.args[0], int(step.args[1]))


# --- updates -------------------------------------------------------------
def send(conv, step):
    """send KIND [from=ID chat=ID lang=xx name=N thread=N reply_to_bot caption
    anon channel=ID autofwd=ID] | TEXT
    a message; KIND: private, group, supergroup. caption: a photo with TEXT
    as its caption; anon: from an anonymous admin (sender_chat = the group);
    channel=ID: written as channel ID; autofwd=ID: channel ID's post copied
    into its discussion group"""
    conv.send(step.args[0], step.opts, step.text)


def member(conv, step):
    """member KIND [chat=ID from=ID lang=xx] old=STATUS new=STATUS
    my_chat_member: the bot's status in the chat changed (left, kicked,
    member, administrator), by user from"""
    kind, opts = step.args[0], step.opts
    me = {"id": conv.fake.me["id"], "is_bot": True, "first_name": "CancelBot",
          "username": conv.fake.me["username"]}
    conv.push({"my_chat_member": {
        "chat": conv.chat(kind, opts), "from": conv.user(opts), "date": int(time.time()),
        "old_chat_member": {"status": opts.get("old", "left"), "user": me},
        "new_chat_member": {"status": opts.get("new", "member"), "user": me}}})


def inline(conv, step):
    """inline [from=ID lang=xx chat_type=T] | QUERY
    an inline query (@bot QUERY typed in some chat)"""
    conv.callback_id += 1
    q = {"id": f"iq{conv.callback_id}", "from": conv.user(step.opts), "query": step.text or "",
         "offset": ""}
    if "chat_type" in step.opts:
        q["chat_type"] = step.opts["chat_type"]
    conv.push({"inline_query": q})


def press(conv, step):
    """press [from=ID chat=ID lang=xx kind=K] | DATA
    a callback_query (button press)"""
    conv.press(step.opts, step.text)


def send_json(conv, step):
    """send-json JSON
    an update as given (update_id added if missing)"""
    conv.push(json.loads(step.line.split(None, 1)[1]))


def send_raw(conv, step):
    """send-raw TEXT
    a getUpdates element that is not valid JSON ('@ID': its update_id)"""
    conv.last_update_id = max(conv.last_update_id,
                              conv.fake.add_raw_update(step.line.split(None, 1)[1]))


def corpus(conv, step):
    """corpus FILE
    every line of FILE as an update, ids renumbered"""
    conv.corpus(step.args[0])


def expect_corpus_answered(conv, step):
    """expect-corpus-answered
    every answer the last corpus is due (conversation.corpus_due) was made:
    as many calls to each chat, press or inline query as lines due them"""
    due = collections.Counter((m, p, str(v)) for _, m, p, v in conv.corpus_due)

    def missing():
        got = collections.Counter((c["method"], p, str(c["params"].get(p)))
                                  for c in conv.fake.calls if not c.get("fault")
                                  for p in ("chat_id", "callback_query_id", "inline_query_id"))
        return {k: n - got[k] for k, n in due.items() if got[k] < n}
    conv.fake.wait_for(lambda: not missing(), WAIT)
    left = missing()
    if left:
        lines = [n for n, m, p, v in conv.corpus_due if (m, p, str(v)) in left]
        raise Failure(f"{len(lines)} of {len(conv.corpus_due)} corpus lines due an answer got "
                      f"none (lines {lines}): " + "; ".join(f"{m} {p}={v}" for m, p, v in left))


def burst(conv, step):
    """burst N CHATS [first=ID] | TEXT
    N private questions spread over CHATS chats (ids from first, default 100000)"""
    n, chats = int(step.args[0]), int(step.args[1])
    first = int(step.opts.get("first", 100000))
    for i in range(n):
        conv.send("private", {"from": str(first + i % chats)}, step.text)
    conv.burst_time = time.time()


# --- checks --------------------------------------------------------------
def sync(conv, step):
    """sync
    wait until the bot confirmed every update sent"""
    conv.sync()


def expect(conv, step):
    """expect METHOD COND ...
    a call of METHOD matching every COND arrives (COND: path=value,
    path~regex, path! for absent; path is dotted: reply_parameters.message_id)"""
    conv.expect(step.args[0], step.args[1:])


def expect_no(conv, step):
    """expect-no METHOD [COND ...]
    after sync, no further such call"""
    conv.sync()
    left = conv.unconsumed(step.args[0], step.args[1:])
    if left:
        raise Failure(f"unexpected {step.args[0]}:\n" + conv.show(left))


def expect_count(conv, step):
    """expect-count METHOD N
    after sync, exactly N calls in all"""
    conv.sync()
    method, want = step.args[0], int(step.args[1])
    got = len(conv.ok_calls(method))
    if got != want:
        raise Failure(f"{method} was called {got} times, want {want}:\n{conv.dump(method)}")
    conv.consume_all(method)


def expect_count_max(conv, step):
    """expect-count-max METHOD N
    after sync, at most N successful calls"""
    conv.sync()
    conv.wait_quiet(step.args[0])
    got = len(conv.ok_calls(step.args[0]))
    if got > int(step.args[1]):
        raise Failure(f"{got} successful {step.args[0]} calls, want at most {step.args[1]}")


def expect_chats(conv, step):
    """expect-chats METHOD N
    after sync, exactly N chats got a METHOD call"""
    conv.sync()
    conv.wait_quiet(step.args[0])
    chats = {c["params"].get("chat_id") for c in conv.ok_calls(step.args[0])}
    if len(chats) != int(step.args[1]):
        raise Failure(f"{len(chats)} chats got {step.args[0]}, want {step.args[1]}")
    conv.extra_ok.add(step.args[0])


def expect_answered(conv, step):
    """expect-answered SECONDS FIRST COUNT
    within SECONDS of the last burst, every chat FIRST..FIRST+COUNT-1 got
    a sendMessage"""
    seconds, first, count = float(step.args[0]), int(step.args[1]), int(step.args[2])
    want = set(range(first, first + count))

    def answered():
        return {c["params"].get("chat_id") for c in conv.ok_calls("sendMessage")} & want
    start = getattr(conv, "burst_time", time.time())
    conv.fake.wait_for(lambda: len(answered()) == count, max(0.1, start + seconds - time.time()))
    got = answered()
    if len(got) != count:
        raise Failure(f"{len(got)} of {count} chats answered within {seconds} s; "
                      f"missing e.g. {sorted(want - got)[:5]}")
    conv.extra_ok.add("sendMessage")


def expect_rate(conv, step):
    """expect-rate METHOD MAX SECONDS
    over the next SECONDS the bot calls METHOD at most MAX times a second"""
    method, most, seconds = step.args[0], float(step.args[1]), float(step.args[2])
    before = len(conv.fake.calls_of(method))
    time.sleep(seconds)
    n = len(conv.fake.calls_of(method)) - before
    if n > most * seconds:
        raise Failure(f"{n} {method} calls in {seconds} s ({n / seconds:.0f}/s), want <= {most}/s")


def expect_fault_gap(conv, step):
    """expect-fault-gap METHOD SECONDS
    the retry after the last injected fault came at least SECONDS later"""
    conv.sync()
    calls = conv.fake.calls_of(step.args[0])
    faults = [c for c in calls if c.get("fault")]
    if not faults:
        raise Failure(f"no injected fault on {step.args[0]}")
    after = [c for c in calls if not c.get("fault") and c["time"] > faults[-1]["time"]]
    if not after:
        raise Failure(f"{step.args[0]} was not retried after the fault")
    gap = after[0]["time"] - faults[-1]["time"]
    if gap < float(step.args[1]):
        raise Failure(f"retried after {gap:.2f}s, want at least {step.args[1]}s")


def expect_exit(conv, step):
    """expect-exit N
    the bot exits by itself with status N"""
    try:
        rc = conv.proc.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        raise Failure(f"the bot did not exit (want status {step.args[0]})")
    conv.proc = None
    conv.log.close()
    if rc != int(step.args[0]):
        raise Failure(f"the bot exited with {rc}, want {step.args[0]}")


def expect_log(conv, step):
    """expect-log REGEX
    the bot's log matches (waits for it)"""
    wait_log(conv, step.line.split(None, 1)[1])


def expect_log_count(conv, step):
    """expect-log-count REGEX N
    the log has exactly N matching lines"""
    pattern, want = step.line.split(None, 1)[1].rsplit(None, 1)
    got = len(re.findall(pattern, conv.read_log()))
    if got != int(want):
        raise Failure(f"{got} log lines match {pattern!r}, want {want}")


def extra_ok(conv, step):
    """extra-ok METHOD
    unmatched calls of METHOD are fine at the end"""
    conv.extra_ok.add(step.args[0])


# --- the operator's commands ---------------------------------------------------
def cli(conv, step):
    """cli COMMAND [ARG...]
    runs `cancelbot COMMAND -c CONFIG ARG...` (the running bot's config) and
    keeps its exit status and output for expect-cli; @TMP in an argument is
    the conversation's temporary directory"""
    args = [a.replace("@TMP", conv.tmp) for a in step.args[1:]]
    r = subprocess.run([conv.bot, step.args[0], "-c", conv.write_config()] + args, cwd=conv.tmp,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=WAIT)
    conv.cli_result = (r.returncode, (r.stdout + r.stderr).decode("utf-8", "replace"))


def expect_cli(conv, step):
    """expect-cli N [| REGEX]
    the last cli command exited with N and its output matches REGEX"""
    rc, out = getattr(conv, "cli_result", (None, ""))
    if rc != int(step.args[0]):
        raise Failure(f"cli exited with {rc}, want {step.args[0]}:\n{out}")
    if step.text and not re.search(step.text, out, re.S):
        raise Failure(f"cli output does not match {step.text!r}:\n{out}")


def expect_file(conv, step):
    """expect-file PATH [| REGEX]
    PATH (@TMP as in cli) exists and matches REGEX (waits for it)"""
    path = step.args[0].replace("@TMP", conv.tmp)
    end = time.time() + WAIT
    while True:
        text = open(path, encoding="utf-8", errors="replace").read() if os.path.exists(path) else None
        if text is not None and (not step.text or re.search(step.text, text, re.S | re.M)):
            return
        if time.time() > end:
            raise Failure(f"{path} " + ("is missing" if text is None else
                                        f"does not match {step.text!r}:\n{text[-3000:]}"))
        time.sleep(0.05)


def restore(conv, step):
    """restore FILE
    with the bot stopped: FILE (@TMP as in cli) becomes the state
    directory's cancelbot.db, its -wal and -shm removed (README's restore)"""
    if conv.proc:
        raise Failure("restore: stop the bot first")
    db = os.path.join(conv.config["bot"]["state_dir"], "cancelbot.db")
    for tail in ("-wal", "-shm"):
        if os.path.exists(db + tail):
            os.unlink(db + tail)
    with open(step.args[0].replace("@TMP", conv.tmp), "rb") as src, open(db, "wb") as dst:
        dst.write(src.read())


DIRECTIVES = {f.__doc__.split()[0]: f for f in (
    config, config_edit, server, config_mode, env, tls, kb_copy, kb_append, kb_replace, kb_doc, kb_long,
    start, start_until, stop, kill, restart, signal_, start_second, server_down, notify_socket, fault, sleep,
    send, press, send_json, send_raw, corpus, expect_corpus_answered, burst, member, inline,
    sync, expect, expect_no, expect_count, expect_count_max, expect_chats,
    expect_fault_gap, expect_exit, expect_log, expect_log_count, expect_notify, expect_no_notify,
    extra_ok, cli, expect_cli, expect_file, restore,
    # delivery (issue 16)
    sleep_random, stop_within, signal_burst, expect_answered, expect_rate)}
DIRECTIVES.update(directives_admin.ADMIN_DIRECTIVES)


def usage():
    """Every directive's syntax and help, as run_conversations.py --help shows."""
    out = []
    for f in DIRECTIVES.values():
        syntax, *rest = [line.strip() for line in f.__doc__.strip().splitlines()]
        out.append(f"  {syntax}")
        out.extend(f"      {line}" for line in rest)
    return "\n".join(out)
