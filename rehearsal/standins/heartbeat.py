#!/usr/bin/python3
"""A heartbeat service with Healthchecks.io's rules, for the dead-man's switch's tests only
(docs/operations.md, "The dead-man's switch"; tests/rehearsal/heartbeatStandin.test.ts).

The rules kept from Healthchecks (its ping API and its check states):
  - A check has a period (timeout) and a grace time. It is "new" until its first ping, and a
    new check never alerts.
  - A ping is GET, HEAD or POST to /<uuid>: the check is "up" and its clock starts again.
    /<uuid>/fail marks it "down" at once; /<uuid>/start and /<uuid>/<exit status 0-255> are
    accepted too (0 counts as a success, anything else as a failure). An unknown uuid: 404.
    The answer is 200 "OK" as text.
  - A check that was up goes "down" when its last ping is older than timeout + grace; that
    flip, and only the flip, sends one notification. The next ping after "down" flips it back
    to "up" and sends one more. Nothing else notifies: no repeats while it stays down.
The notifications are what Healthchecks' Telegram integration would send to the owner's chat;
here they are recorded (and, in the rehearsal, handed to the Telegram stand-in).

Alone, for the tests: heartbeat.py --check UUID:NAME:TIMEOUT_S:GRACE_S [--check ...]
  listens on 127.0.0.1 (a free port, printed as "listening PORT"); GET /_state on the same port
  gives the checks and every notification.
"""
import argparse
import http.server
import json
import re
import socketserver
import sys
import threading
import time

HOST = "hc-ping.com"
PING = re.compile(r"^/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:/(start|fail|log|\d{1,3}))?/?$")


class Watch:
    def __init__(self, notify=None, clock=time.time):
        self.clock = clock
        self.notify = notify or (lambda text: None)
        self.lock = threading.Lock()
        self.checks = {}
        self.notifications = []
        self.pending = []

    def add(self, code, name, timeout, grace):
        with self.lock:
            self.checks[code] = {"name": name, "timeout": float(timeout), "grace": float(grace), "status": "new", "lastPing": None, "pings": 0}

    def _flip(self, check, status, now):
        """Under the lock: the flip and its notification, handed on once the lock is released."""
        check["status"] = status
        word = "DOWN" if status == "down" else "now UP"
        text = f'The check "{check["name"]}" is {word}.'
        self.notifications.append({"at": now, "name": check["name"], "status": status, "text": text})
        self.pending.append(text)

    def _hand_on(self):
        with self.lock:
            texts, self.pending = self.pending, []
        for text in texts:
            self.notify(text)

    def ping(self, code, kind=None):
        """A ping to /<code>[/<kind>]: the HTTP status."""
        try:
            return self._ping(code, kind)
        finally:
            self._hand_on()

    def _ping(self, code, kind):
        now = self.clock()
        with self.lock:
            check = self.checks.get(code)
            if check is None:
                return 404
            if kind == "start" or kind == "log":
                return 200
            failed = kind == "fail" or (kind is not None and kind.isdigit() and int(kind) != 0)
            if kind is not None and kind.isdigit() and int(kind) > 255:
                return 400
            check["pings"] += 1
            check["lastPing"] = now
            if failed:
                if check["status"] != "down":
                    self._flip(check, "down", now)
            elif check["status"] == "down":
                self._flip(check, "up", now)
            else:
                check["status"] = "up"
            return 200

    def tick(self):
        """What Healthchecks' alert sender does: an up check past timeout + grace goes down, once."""
        now = self.clock()
        with self.lock:
            for check in self.checks.values():
                if check["status"] == "up" and now >= check["lastPing"] + check["timeout"] + check["grace"]:
                    self._flip(check, "down", now)
        self._hand_on()

    def state(self):
        with self.lock:
            return {"checks": json.loads(json.dumps(self.checks)), "notifications": list(self.notifications)}

    def run(self, every=0.2):
        def loop():
            while True:
                self.tick()
                time.sleep(every)

        threading.Thread(target=loop, daemon=True).start()


def serve(watch, handler):
    """Answers one request to the ping host; returns the status."""
    if handler.command not in ("GET", "HEAD", "POST"):
        status, body = 405, b""
    else:
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(min(length, 100_000))
        m = PING.match(handler.path.split("?", 1)[0])
        status = watch.ping(m.group(1), m.group(2)) if m else 404
        body = {200: b"OK", 404: b"not found", 400: b"invalid url format"}.get(status, b"")
    handler.send_response(status)
    handler.send_header("Content-Type", "text/plain; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)
    return status


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--check", action="append", default=[], help="UUID:NAME:TIMEOUT_S:GRACE_S")
    a = p.parse_args()
    watch = Watch()
    for spec in a.check:
        code, name, timeout, grace = spec.split(":")
        watch.add(code, name, timeout, grace)
    watch.run()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_any(self):
            if self.path == "/_state":
                body = json.dumps(watch.state()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                serve(watch, self)

        do_GET = do_HEAD = do_POST = do_PUT = do_any

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    print(f"listening {server.server_address[1]}", flush=True)
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
