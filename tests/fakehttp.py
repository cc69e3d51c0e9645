"""The HTTP side of the fake Bot API server (tests/fakeapi.py): a threaded
server on 127.0.0.1 that maps /bot<token>/<method> to FakeTelegram's api_*
methods (after the token check and any injected fault: a status, a body, a
delay, a hang, a closed connection) and writes answers as Telegram does (one
write, no Nagle stall). It owns no state: the FakeTelegram it serves does.

Control calls, for a test in another process:
  POST /control/updates   a JSON update or list of them (update_id added if missing)
  GET  /control/calls     every Bot API call the bot made, in order
  POST /control/fault     {"method": M, "status": 502, "body": "...", "count": N,
                           "retry_after": S, "delay": SEC, "hang": true, "close": true,
                           "seconds": SEC (every call for that long, whatever count)}
  POST /control/reset     forget updates, calls and faults
  GET  /control/state     confirmed offset, pending updates
"""
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # a response leaves in one write (see _send); this still matters for the
    # fault paths, which may write in pieces: without it Nagle's algorithm and
    # the client's delayed ACK would stall them by ~40 ms
    disable_nagle_algorithm = True
    fake = None  # set by serve()

    def log_message(self, fmt, *args):
        pass

    def _params(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        q = {k: v[-1] for k, v in parse_qs(urlparse(self.path).query).items()}
        if raw:
            ctype = self.headers.get("Content-Type", "")
            if "json" in ctype:
                try:
                    body = json.loads(raw)
                except ValueError:
                    return None
                if isinstance(body, dict):
                    q.update(body)
                else:
                    q["__body__"] = body
            else:
                q.update({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
        return q

    def _send(self, status, body, raw=None):
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        # headers and body in one segment, as a real front end sends a short
        # answer: two writes would wake the client twice per request and
        # inflate the CPU the benchmark charges to the bot
        self._headers_buffer.append(b"\r\n" + data)
        self.flush_headers()

    def do_GET(self):
        self.do_POST()

    def do_POST(self):
        path = urlparse(self.path).path
        params = self._params()
        if path.startswith("/control/"):
            return self._control(path[len("/control/"):], params or {})
        if self.fake.down:
            return self._hang_up()
        m = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
        if not m:
            return self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if m.group(1) != self.fake.token:
            return self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if params is None:
            return self._send(400, {"ok": False, "error_code": 400,
                                    "description": "Bad Request: can't parse JSON"})
        method = m.group(2)
        fault = self.fake.take_fault(method)
        if fault:
            with self.fake.cond:
                self.fake.calls.append({"method": method, "params": params, "time": time.time(),
                                        "fault": True})
                self.fake.cond.notify_all()
            if fault.get("delay"):
                time.sleep(fault["delay"])
            if fault.get("hang"):
                time.sleep(fault.get("hang_seconds", 3600))
                return
            if fault.get("close"):
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status = fault.get("status", 500)
            if "body" in fault:
                return self._send(status, None, raw=fault["body"].encode())
            params_out = {}
            if fault.get("retry_after"):
                params_out["retry_after"] = fault["retry_after"]
            if fault.get("migrate_to_chat_id"):
                params_out["migrate_to_chat_id"] = fault["migrate_to_chat_id"]
            body = {"ok": False, "error_code": status,
                    "description": fault.get("description", "Injected fault")}
            if params_out:
                body["parameters"] = params_out
            return self._send(status, body)
        status, body = self.fake.call(method, params)
        if status is None:
            return self._hang_up()
        if method == "getUpdates" and body.get("ok"):
            # updates added as raw text are spliced in verbatim
            parts = [u["__raw__"] if "__raw__" in u else dump_update(u) for u in body["result"]]
            raw = ('{"ok":true,"result":[' + ",".join(parts) + "]}").encode()
            return self._send(status, None, raw=raw)
        self._send(status, body)

    def _hang_up(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _control(self, what, params):
        f = self.fake
        if what == "updates":
            ids = f.add_updates(params.get("__body__", params))
            return self._send(200, {"ok": True, "result": ids})
        if what == "calls":
            with f.cond:
                return self._send(200, {"ok": True, "result": list(f.calls)})
        if what == "fault":
            method = params.pop("method", "*")
            f.add_fault(method, **params)
            return self._send(200, {"ok": True})
        if what == "reset":
            f.reset()
            return self._send(200, {"ok": True})
        if what == "state":
            with f.cond:
                return self._send(200, {"ok": True, "result": {
                    "max_offset": f.max_offset,
                    "pending": [u["update_id"] for u in f.updates]}})
        self._send(404, {"ok": False, "description": "unknown control call"})


def dump_update(u):
    """UTF-8 JSON like Telegram's; text that is not valid Unicode (a lone
    surrogate) goes out \\u-escaped, as a JSON encoder must."""
    text = json.dumps(u, ensure_ascii=False)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return json.dumps(u, ensure_ascii=True)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # the bot hangs up on purpose (shutdown, timeouts, kill -9): not a test failure
        pass


def serve(fake, port=0, ssl_context=None):
    """Starts the server on 127.0.0.1 in a daemon thread; returns (server, port)."""
    handler = type("BoundHandler", (Handler,), {"fake": fake})
    server = QuietServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return server, server.server_address[1]
