#!/usr/bin/env python3
"""A fake Telegram Bot API server for cancelbot's tests (standard library only).

It listens on 127.0.0.1 only, on a free port, and implements what the bot uses:
getMe, getUpdates (real long polling; updates are re-delivered until a later call
confirms them with a higher offset), sendMessage, editMessageText, answerCallbackQuery,
setMyCommands/getMyCommands (kept per scope and language_code),
setMyDescription/getMyDescription, setMyShortDescription/getMyShortDescription,
getChatMember (administrator for the (chat, user) pairs in .admins), answerInlineQuery
(results checked like Telegram: ids, types, HTML, length), deleteWebhook. Errors are Telegram-shaped:
{"ok": false, "error_code": N, "description": "...", "parameters": {...}}.

Tests drive it in-process (FakeTelegram methods) or over HTTP under /control/
(tests/fakehttp.py, which also serves the Bot API's URLs).

Run alone: python3 tests/fakeapi.py [--port N] [--token T]
"""
import argparse
import json
import re
import threading
import time

from fakehttp import serve  # noqa: F401 (fakeapi.serve: the callers' entry point)

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a",
                "tg-spoiler", "blockquote", "span"}


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def html_problem(text):
    """Roughly what Telegram checks in parse_mode=HTML; None when it would accept."""
    stack = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "<":
            j = text.find(">", i)
            if j < 0:
                return "Unclosed start tag"
            tag = text[i + 1:j]
            closing = tag.startswith("/")
            name = tag.lstrip("/").split(" ")[0].lower()
            if name not in ALLOWED_TAGS:
                return f'Unsupported start tag "{name}"'
            if closing:
                if not stack or stack[-1] != name:
                    return f'Unmatched end tag "{name}"'
                stack.pop()
            else:
                stack.append(name)
            i = j + 1
            continue
        if c == "&":
            m = re.match(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", text[i:])
            if not m:
                return "Unsupported entity"
        i += 1
    if stack:
        return f'Can\'t find end tag corresponding to start tag "{stack[-1]}"'
    return None


def visible_text(text):
    t = re.sub(r"<[^>]*>", "", text)
    for ent, ch in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&amp;", "&")):
        t = t.replace(ent, ch)
    return t


class FakeTelegram:
    def __init__(self, token="123456:TEST-token", username="cancelbot_test", bot_id=999,
                 can_read_all=False):
        self.token = token
        self.me = {"id": bot_id, "is_bot": True, "first_name": "CancelBot",
                   "username": username, "can_join_groups": True,
                   "can_read_all_group_messages": can_read_all,
                   "supports_inline_queries": False}
        self.cond = threading.Condition()
        self.reset()

    # --- control -------------------------------------------------------
    def reset(self):
        with self.cond:
            self.updates = []          # pending, in order
            self.calls = []            # every call: {"method", "params", "time", "status"}
            self.faults = {}           # method -> list of fault dicts
            self.next_update_id = 1000
            self.next_message_id = 5000
            self.max_offset = 0        # highest offset a getUpdates asked for
            self.forget_confirmations = False
            self.migrated = {}         # old chat id -> new chat id
            self.blocked = set()       # chat ids that answer 403
            self.enforce_limits = False
            self.down = False          # drop every connection (server-down tests)
            self.sent_times = {}       # chat id -> [times]
            self.edited = {}           # (chat id, message id) -> last edit's content
            self.admins = set()        # (chat id, user id) that getChatMember calls administrator
            self.commands = {}         # (scope as JSON, language_code) -> commands
            self.descriptions = {}     # (method suffix, language_code) -> text
            self.cond.notify_all()

    def add_updates(self, updates):
        if isinstance(updates, dict):
            updates = [updates]
        ids = []
        with self.cond:
            for u in updates:
                u = dict(u)
                if "update_id" not in u:
                    u["update_id"] = self.next_update_id
                self.next_update_id = max(self.next_update_id, u["update_id"]) + 1
                self.updates.append(u)
                ids.append(u["update_id"])
            self.cond.notify_all()
        return ids

    def add_raw_update(self, raw_text):
        """A getUpdates element that is not even valid JSON: kept as text
        ('@ID' in it stands for the update_id it gets)."""
        with self.cond:
            uid = self.next_update_id
            self.next_update_id += 1
            self.updates.append({"__raw__": raw_text.replace("@ID", str(uid)), "update_id": uid})
            self.cond.notify_all()
            return uid

    def add_fault(self, method, **fault):
        fault.setdefault("count", 1)
        if fault.get("seconds"):  # a storm: every call until then
            fault["until"] = time.time() + float(fault["seconds"])
            fault["count"] = 10 ** 9
        with self.cond:
            self.faults.setdefault(method, []).append(fault)

    def calls_of(self, method):
        with self.cond:
            return [c for c in self.calls if c["method"] == method]

    def wait_for(self, predicate, timeout):
        end = time.time() + timeout
        with self.cond:
            while not predicate():
                left = end - time.time()
                if left <= 0:
                    return False
                # also re-check now and then: the predicate may watch a process
                self.cond.wait(min(left, 0.1))
            return True

    # --- the Bot API ---------------------------------------------------
    def take_fault(self, method):
        with self.cond:
            for key in (method, "*"):
                lst = self.faults.get(key)
                while lst and lst[0].get("until", float("inf")) < time.time():
                    lst.pop(0)  # the storm is over
                if lst:
                    f = lst[0]
                    f["count"] -= 1
                    if f["count"] <= 0:
                        lst.pop(0)
                    return f
        return None

    def call(self, method, params):
        entry = {"method": method, "params": params, "time": time.time()}
        handler = getattr(self, "api_" + method, None)
        if handler is None:
            status, body = 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        else:
            status, body = handler(params)
        if status is None:
            return None, None  # hung up on purpose
        entry["status"] = status
        with self.cond:
            self.calls.append(entry)
            self.cond.notify_all()
        return status, body

    @staticmethod
    def ok(result):
        return 200, {"ok": True, "result": result}

    @staticmethod
    def err(code, desc, **params):
        body = {"ok": False, "error_code": code, "description": desc}
        if params:
            body["parameters"] = params
        return code, body

    def api_getMe(self, p):
        return self.ok(self.me)

    def api_getUpdates(self, p):
        offset = int(p.get("offset", 0) or 0)
        timeout = min(float(p.get("timeout", 0) or 0), 30)
        limit = int(p.get("limit", 100) or 100)
        end = time.time() + timeout
        with self.cond:
            if offset > self.max_offset:
                self.max_offset = offset
                self.cond.notify_all()
            while True:
                if self.down:
                    return None, None
                if offset and not self.forget_confirmations:
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                ready = [u for u in self.updates if u["update_id"] >= offset]
                left = end - time.time()
                if ready or left <= 0:
                    return self.ok(ready[:limit])
                self.cond.wait(left)

    def _check_rate(self, chat_id):
        now = time.time()
        times = [t for t in self.sent_times.get(chat_id, []) if now - t < 60]
        per_second = [t for t in times if now - t < 1]
        limit_min = 20 if chat_id < 0 else 10 ** 9
        all_recent = [t for ts in self.sent_times.values() for t in ts if now - t < 1]
        if per_second or len(times) >= limit_min or len(all_recent) >= 30:
            return False
        times.append(now)
        self.sent_times[chat_id] = times
        return True

    def api_sendMessage(self, p):
        chat_id = p.get("chat_id")
        text = p.get("text")
        if not isinstance(chat_id, (int, str)) or not isinstance(text, str) or not text.strip():
            return self.err(400, "Bad Request: message text is empty")
        chat_id = int(chat_id)
        if chat_id in self.migrated:
            return self.err(400, "Bad Request: group chat was upgraded to a supergroup chat",
                            migrate_to_chat_id=self.migrated[chat_id])
        if chat_id in self.blocked:
            return self.err(403, "Forbidden: bot was blocked by the user")
        if p.get("parse_mode") == "HTML":
            problem = html_problem(text)
            if problem:
                return self.err(400, "Bad Request: can't parse entities: " + problem)
            shown = visible_text(text)
        else:
            shown = text
        if utf16_len(shown) > 4096:
            return self.err(400, "Bad Request: message is too long")
        for row in (p.get("reply_markup") or {}).get("inline_keyboard", []):
            for b in row:
                data = b.get("callback_data", "")
                if not (1 <= len(data.encode()) <= 64):
                    return self.err(400, "Bad Request: BUTTON_DATA_INVALID")
        if self.enforce_limits:
            with self.cond:
                allowed = self._check_rate(chat_id)
            if not allowed:
                return self.err(429, "Too Many Requests: retry after 1", retry_after=1)
        with self.cond:
            self.next_message_id += 1
            mid = self.next_message_id
        return self.ok({"message_id": mid, "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                        "from": {"id": self.me["id"], "is_bot": True,
                                 "first_name": self.me["first_name"],
                                 "username": self.me["username"]},
                        "text": visible_text(text) if p.get("parse_mode") == "HTML" else text})

    def api_answerCallbackQuery(self, p):
        if not p.get("callback_query_id"):
            return self.err(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        return self.ok(True)

    def api_editMessageText(self, p):
        """Like Telegram: chat_id + message_id, HTML checked, the edited
        message back; an edit to the same text and keyboard is refused."""
        if not p.get("text"):
            return self.err(400, "Bad Request: message text is empty")
        if not isinstance(p.get("message_id"), int) or not isinstance(p.get("chat_id"), (int, str)):
            return self.err(400, "Bad Request: message identifier is not specified")
        if p.get("parse_mode") == "HTML" and html_problem(p["text"]):
            return self.err(400, "Bad Request: can't parse entities: " + html_problem(p["text"]))
        key = (int(p["chat_id"]), p["message_id"])
        content = (p["text"], json.dumps(p.get("reply_markup"), sort_keys=True))
        with self.cond:
            same = self.edited.get(key) == content
            self.edited[key] = content
        if same:
            return self.err(400, "Bad Request: message is not modified: specified new message "
                            "content and reply markup are exactly the same")
        return self.ok({"message_id": p["message_id"], "date": int(time.time()),
                        "chat": {"id": int(p["chat_id"]), "type": "private"},
                        "text": visible_text(p["text"]) if p.get("parse_mode") == "HTML" else p["text"]})

    def api_setMyCommands(self, p):
        cmds = p.get("commands")
        if not isinstance(cmds, list) or len(cmds) > 100:
            return self.err(400, "Bad Request: commands must be an array of at most 100")
        for c in cmds:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")):
                return self.err(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                return self.err(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(p)
        if key is None:
            return self.err(400, "Bad Request: invalid scope or language_code")
        with self.cond:
            self.commands[key] = [{"command": c["command"], "description": c["description"]}
                                  for c in cmds]
        return self.ok(True)

    def _set_text(self, p, kind, field, limit):
        text = p.get(field) or ""
        lang = p.get("language_code") or ""
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            return self.err(400, "Bad Request: language code is invalid")
        if len(text) > limit:
            return self.err(400, f"Bad Request: {field} is too long")
        with self.cond:
            self.descriptions[(kind, lang)] = text
        return self.ok(True)

    def _get_text(self, p, kind, field):
        lang = p.get("language_code") or ""
        return self.ok({field: self.descriptions.get((kind, lang), "")})

    def api_setMyDescription(self, p):
        return self._set_text(p, "long", "description", 512)

    def api_getMyDescription(self, p):
        return self._get_text(p, "long", "description")

    def api_setMyShortDescription(self, p):
        return self._set_text(p, "short", "short_description", 120)

    def api_getMyShortDescription(self, p):
        return self._get_text(p, "short", "short_description")

    def api_answerInlineQuery(self, p):
        if not p.get("inline_query_id"):
            return self.err(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        results = p.get("results")
        if not isinstance(results, list) or len(results) > 50:
            return self.err(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = set()
        for r in results:
            rid = r.get("id", "")
            if not 1 <= len(rid.encode()) <= 64 or rid in ids:
                return self.err(400, "Bad Request: RESULT_ID_INVALID")
            ids.add(rid)
            if r.get("type") != "article" or not r.get("title"):
                return self.err(400, "Bad Request: RESULT_TYPE_INVALID")
            content = r.get("input_message_content") or {}
            text = content.get("message_text", "")
            if content.get("parse_mode") == "HTML":
                problem = html_problem(text)
                if problem:
                    return self.err(400, "Bad Request: can't parse entities: " + problem)
                text = visible_text(text)
            if not 1 <= utf16_len(text) <= 4096:
                return self.err(400, "Bad Request: MESSAGE_TOO_LONG")
        return self.ok(True)

    def api_getChatMember(self, p):
        try:
            chat, user = int(p.get("chat_id")), int(p.get("user_id"))
        except (TypeError, ValueError):
            return self.err(400, "Bad Request: invalid user_id specified")
        status = "administrator" if (chat, user) in self.admins else "member"
        return self.ok({"status": status, "user": {"id": user, "is_bot": False, "first_name": "U"}})

    SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators",
              "chat", "chat_administrators", "chat_member"}

    def _scope_key(self, p):
        scope = p.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in self.SCOPES:
            return None
        lang = p.get("language_code") or ""
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            return None  # Telegram: a two-letter ISO 639-1 code, or empty
        return (json.dumps(scope, sort_keys=True), lang)

    def api_getMyCommands(self, p):
        key = self._scope_key(p)
        if key is None:
            return self.err(400, "Bad Request: invalid scope or language_code")
        return self.ok(self.commands.get(key, []))

    def api_deleteWebhook(self, p):
        return self.ok(True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", default="123456:TEST-token")
    a = ap.parse_args()
    fake = FakeTelegram(token=a.token)
    server, port = serve(fake, a.port)
    print(f"fake Bot API on http://127.0.0.1:{port}/bot{a.token}/ (control: /control/)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
