#!/usr/bin/python3
"""The rehearsal's tailnet: a stand-in for Tailscale's coordination server and its API,
for the rehearsal only. One JSON file holds the tailnet (auth keys, devices, OAuth clients
and their access tokens); every reader and writer takes an exclusive lock on it first, so
the four that share it never interleave:

- the tailscale provider stand-in mints and deletes auth keys (`tailnet.py mint`,
  `delete-key`), as the real provider does through POST/DELETE /api/v2/tailnet/-/keys;
- the host's tailscaled stand-in joins with a key (`Tailnet.join`, through the rehearsal's
  bind mount of this directory into the host);
- `components/local/tailscale-device.js`, the product's own client, reaches the API (`tailnet.py
  serve`, in the tailnet namespace) for OAuth tokens, the device list, renames and deletes;
- the rehearsal registers its OAuth client and the keys a user would have made in the admin
  console, and counts what is left.

The rules it keeps, from Tailscale's API and key documentation: an auth key is single-use
unless reusable and expires; a node may carry only tags its key grants; a device name taken
by another device gets "-1" (the API renames it back on request); a deleted device is gone
from the list (and its node logged out: the rehearsal's host goes with its server); the API
wants a bearer token, an API key (Basic or Bearer) or one from POST /api/v2/oauth/token
(client credentials, form-encoded), and answers with a Date header.
"""
import argparse
import base64
import fcntl
import http.server
import json
import os
import secrets
import socketserver
import string
import sys
import time
import urllib.parse
from contextlib import contextmanager
from email.utils import formatdate

ALNUM = string.ascii_letters + string.digits


class Refused(Exception):
    """What the coordination server or the API refuses, in their words."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def token(n):
    return "".join(secrets.choice(ALNUM) for _ in range(n))


class Tailnet:
    def __init__(self, path):
        self.path = path

    @contextmanager
    def state(self):
        """The tailnet, read under an exclusive lock and written back when the block ends."""
        with open(self.path + ".lock", "a+", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = {"keys": {}, "devices": [], "clients": {}, "tokens": {}, "serial": 0}
            if os.path.exists(self.path):
                with open(self.path, encoding="utf-8") as f:
                    data.update(json.load(f))
            yield data
            tmp = self.path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=2, sort_keys=True)
            os.replace(tmp, self.path)

    # -- auth keys

    def mint(self, tags, reusable=False, ephemeral=False, preauthorized=True, expiry=3600, description="", key=None):
        now = time.time()
        with self.state() as s:
            s["serial"] += 1
            key_id = f"k{s['serial']:04d}{token(6)}CNTRL"
            value = key or f"tskey-auth-{key_id}-{token(32)}"
            s["keys"][key_id] = {
                "id": key_id, "key": value, "created": now, "expires": now + expiry, "tags": sorted(tags),
                "reusable": reusable, "ephemeral": ephemeral, "preauthorized": preauthorized,
                "description": description, "used": False,
            }
            return {"id": key_id, "key": value, "created": iso(now), "expires": iso(now + expiry)}

    def delete_key(self, key_id):
        with self.state() as s:
            if s["keys"].pop(key_id, None) is None:
                raise Refused("key not found", 404)

    # -- nodes

    def join(self, key, hostname, tags, addresses):
        """A node logs in with an auth key: the device it becomes, or the server's refusal."""
        now = time.time()
        with self.state() as s:
            found = next((k for k in s["keys"].values() if k["key"] == key), None)
            if found is None:
                raise Refused("invalid key: API key does not exist", 401)
            if found["expires"] < now:
                raise Refused("invalid key: API key has expired", 401)
            if found["used"] and not found["reusable"]:
                raise Refused("invalid key: unable to validate API key (already used)", 401)
            extra = sorted(set(tags) - set(found["tags"]))
            if extra:
                raise Refused(f"requested tags {extra} are invalid or not permitted", 403)
            found["used"] = True
            taken = {d["name"].split(".")[0] for d in s["devices"]}
            name = hostname if hostname not in taken else f"{hostname}-1"
            s["serial"] += 1
            device = {
                "id": str(10**15 + s["serial"]), "nodeId": f"n{token(11)}CNTRL", "hostname": hostname,
                "name": f"{name}.{s.get('dnsSuffix', 'tail1234.ts.net')}", "addresses": list(addresses),
                "tags": sorted(tags or found["tags"]), "created": iso(now), "authorized": found["preauthorized"],
                "keyId": found["id"],
            }
            s["devices"].append(device)
            return device

    # -- the API's side

    def add_client(self, client_id, secret, suffix):
        with self.state() as s:
            s["clients"][client_id] = secret
            s["dnsSuffix"] = suffix

    def oauth_token(self, client_id, secret):
        with self.state() as s:
            if s["clients"].get(client_id) != secret:
                raise Refused("invalid client credentials", 401)
            value = f"tskey-oauth-{token(40)}"
            s["tokens"][value] = time.time() + 3600
            return value

    def authorized(self, header):
        scheme, _, value = (header or "").partition(" ")
        if scheme == "Basic":
            value = base64.b64decode(value).decode().split(":")[0]
        with self.state() as s:
            return s["tokens"].get(value, 0) > time.time() or value in s.get("apiKeys", [])

    def devices(self):
        with self.state() as s:
            return [{k: v for k, v in d.items() if k != "keyId"} for d in s["devices"]]

    def delete_device(self, ident):
        with self.state() as s:
            kept = [d for d in s["devices"] if ident not in (d["id"], d["nodeId"])]
            if len(kept) == len(s["devices"]):
                raise Refused("device not found", 404)
            s["devices"] = kept

    def rename(self, ident, name):
        with self.state() as s:
            for d in s["devices"]:
                if ident in (d["id"], d["nodeId"]):
                    d["name"] = ".".join([name, *d["name"].split(".")[1:]])
                    return
            raise Refused("device not found", 404)

    def counts(self, description_prefix=""):
        with self.state() as s:
            keys = [k for k in s["keys"].values() if k["description"].startswith(description_prefix)]
            return {"devices": len(s["devices"]), "keys": len(keys), "used": len([k for k in keys if k["used"]])}


def api_handler(tailnet, log):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body=None):
            data = json.dumps(body if body is not None else {}).encode()
            self.send_response(status)
            self.send_header("Date", formatdate(usegmt=True))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            log(f"api {self.command} {self.path} {status}")

        def body(self):
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def route(self):
            path = urllib.parse.urlparse(self.path).path
            if self.command == "POST" and path == "/api/v2/oauth/token":
                form = urllib.parse.parse_qs(self.body().decode())
                value = tailnet.oauth_token(form.get("client_id", [""])[0], form.get("client_secret", [""])[0])
                return 200, {"access_token": value, "token_type": "Bearer", "expires_in": 3600}
            if not tailnet.authorized(self.headers.get("Authorization")):
                raise Refused("unauthorized", 401)
            parts = path.strip("/").split("/")
            if self.command == "GET" and path == "/api/v2/tailnet/-/devices":
                return 200, {"devices": tailnet.devices()}
            if self.command == "DELETE" and parts[:3] == ["api", "v2", "device"] and len(parts) == 4:
                tailnet.delete_device(parts[3])
                return 200, {}
            if self.command == "POST" and parts[:3] == ["api", "v2", "device"] and len(parts) == 5 and parts[4] == "name":
                tailnet.rename(parts[3], json.loads(self.body() or b"{}").get("name", ""))
                return 200, {}
            raise Refused(f"no route for {self.command} {path}", 404)

        def handle_any(self):
            try:
                status, body = self.route()
            except Refused as e:
                status, body = e.status, {"message": str(e)}
            self.reply(status, body)

        do_GET = do_POST = do_DELETE = handle_any

    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv):
    p = argparse.ArgumentParser(description="the rehearsal's tailnet")
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mint")
    m.add_argument("state")
    m.add_argument("--tags", default="")
    m.add_argument("--expiry", type=int, default=3600)
    m.add_argument("--reusable", action="store_true")
    m.add_argument("--ephemeral", action="store_true")
    m.add_argument("--description", default="")
    m.add_argument("--key", help="a key made in the admin console, registered as given")
    d = sub.add_parser("delete-key")
    d.add_argument("state")
    d.add_argument("id")
    c = sub.add_parser("add-client")
    c.add_argument("state")
    c.add_argument("--suffix", required=True)
    v = sub.add_parser("devices")
    v.add_argument("state")
    r = sub.add_parser("delete-device")
    r.add_argument("state")
    r.add_argument("id")
    n = sub.add_parser("counts")
    n.add_argument("state")
    n.add_argument("--description-prefix", default="")
    s = sub.add_parser("serve")
    s.add_argument("state")
    s.add_argument("--listen", required=True)
    s.add_argument("--log", required=True)
    a = p.parse_args(argv)
    tailnet = Tailnet(a.state)
    try:
        if a.cmd == "mint":
            tags = [t for t in a.tags.split(",") if t]
            print(json.dumps(tailnet.mint(tags, a.reusable, a.ephemeral, True, a.expiry, a.description, a.key)))
        elif a.cmd == "delete-key":
            tailnet.delete_key(a.id)
        elif a.cmd == "add-client":
            # The client id and secret come on stdin, never in a command line.
            client_id, secret = sys.stdin.read().split()
            tailnet.add_client(client_id, secret, a.suffix)
        elif a.cmd == "devices":
            print(json.dumps(tailnet.devices()))
        elif a.cmd == "delete-device":
            tailnet.delete_device(a.id)
        elif a.cmd == "counts":
            print(json.dumps(tailnet.counts(a.description_prefix)))
        elif a.cmd == "serve":
            host, port = a.listen.rsplit(":", 1)

            def log(line):
                with open(a.log, "a", encoding="utf-8") as f:
                    f.write(line + "\n")

            server = Server((host, int(port)), api_handler(tailnet, log))
            # Port 0 takes a free one: the log says which.
            log(f"tailnet API on {host}:{server.server_address[1]}")
            server.serve_forever()
    except Refused as e:
        print(str(e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
