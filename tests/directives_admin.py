"""Directives for the admin knowledge-base directory and the admin's edits
from Telegram (issue 18), kept apart from directives.py so that both can
grow without stepping on each other; directives.py merges ADMIN_DIRECTIVES
into its table. Same conventions: one function per directive, docstring =
syntax line + help."""
import json
import os
import re
import shutil
import subprocess

from conversation import ROOT, WAIT, Failure


def admin_dir(conv):
    return os.path.join(conv.tmp, "state", "kb")


def replace_exactly(label, content, old, new, want=1):
    """content with OLD replaced by NEW, when OLD occurs exactly want times
    (an edit meant for one place never lands in another silently)"""
    found = content.count(old)
    if found != want:
        raise Failure(f"{label} has {found} times {old!r}, not {want}: "
                      "anchor the text so it occurs once, or say count=N")
    return content.replace(old, new)


def admin_file(conv, step):
    """admin-file FILE [count=N] | OLD => NEW
    put a copy of the shipped FILE (e.g. responses/en/cancel.txt) in the
    admin knowledge-base directory (STATE/kb) with OLD replaced by NEW; OLD
    must occur exactly once (or N times)"""
    rel = step.args[0]
    dest = os.path.join(admin_dir(conv), rel)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    src = dest if os.path.exists(dest) else os.path.join(ROOT, rel)
    with open(src, encoding="utf-8") as f:
        content = f.read()
    old, new = step.text.split(" => ", 1)
    content = replace_exactly(rel, content, old, new.replace("\\n", "\n"),
                              int(step.opts.get("count", "1")))
    with open(dest, "w", encoding="utf-8") as f:
        f.write(content)


def check_output(conv, step):
    """check-output REGEX
    `cancelbot check -c` with the conversation's config prints something
    matching REGEX (re.S)"""
    p = subprocess.run([conv.bot, "check", "-c", conv.write_config()], cwd=conv.tmp,
                       capture_output=True, timeout=WAIT)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    if not re.search(step.line.split(None, 1)[1], out, re.S):
        raise Failure(f"check printed:\n{out[-3000:]}")


def cli_output(conv, step):
    """cli-output SUBCOMMAND [ARG ...] | REGEX
    `cancelbot SUBCOMMAND -c CONFIG ARG ...` (while the bot runs) exits 0 and
    prints something matching REGEX (re.S)"""
    args = [conv.bot, step.args[0], "-c", conv.write_config()] + step.args[1:]
    p = subprocess.run(args, cwd=conv.tmp, capture_output=True, timeout=WAIT)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    if p.returncode != 0 or not re.search(step.text, out, re.S):
        raise Failure(f"{' '.join(args[1:2] + args[4:])} exited {p.returncode}, printed:\n{out[-3000:]}")


def expect_admin_file(conv, step):
    """expect-admin-file FILE REGEX
    FILE of the admin knowledge-base directory exists and matches REGEX;
    REGEX '!' : FILE does not exist"""
    rel, pattern = step.line.split(None, 2)[1:]
    path = os.path.join(admin_dir(conv), rel)
    if pattern == "!":
        if os.path.exists(path):
            raise Failure(f"{rel} exists in the admin directory")
        return
    if not os.path.exists(path):
        raise Failure(f"{rel} is not in the admin directory")
    with open(path, encoding="utf-8") as f:
        content = f.read()
    if not re.search(pattern, content, re.S):
        raise Failure(f"{rel} does not match {pattern!r}:\n{content[:2000]}")


def admin_dir_clear(conv, step):
    """admin-dir-clear
    remove the admin knowledge-base directory"""
    shutil.rmtree(admin_dir(conv), ignore_errors=True)


def press_button(conv, step):
    """press-button [from=ID] | LABEL_REGEX
    waits for a message of the bot with a button whose label matches, then
    presses the newest such button (its callback_data is not known in
    advance: an edit's buttons carry a random nonce); only messages to the
    same chat (chat=, else from=), newer than the one the previous
    press-button there used, count"""
    want = re.compile(step.text)
    found = []
    chat = int(step.opts.get("chat", step.opts.get("from", 42)))
    used = conv.__dict__.setdefault("button_message", {})
    after = used.get(chat, -1)

    def check():
        calls = conv.fake.calls_of("sendMessage")
        for i in range(len(calls) - 1, after, -1):
            call = calls[i]
            if call["params"].get("chat_id") != chat:
                continue
            markup = call["params"].get("reply_markup")
            if isinstance(markup, str):
                markup = json.loads(markup)
            for row in (markup or {}).get("inline_keyboard", []):
                for b in row:
                    if want.search(b.get("text", "")):
                        found.append((i, b["callback_data"]))
                        return True
        return False
    conv.fake.wait_for(check, WAIT)
    if not found:
        raise Failure(f"no button matches {step.text!r}:\n{conv.dump('sendMessage')}")
    used[chat] = found[0][0]
    conv.press(step.opts, found[0][1])


def send_lines(conv, step):
    """send-lines [from=ID] | TEXT
    a private message whose TEXT has '\\n' for line breaks"""
    conv.send("private", step.opts, step.text.replace("\\n", "\n"))


ADMIN_DIRECTIVES = {f.__doc__.split()[0]: f for f in (
    admin_file, check_output, cli_output, expect_admin_file, admin_dir_clear, press_button, send_lines)}
