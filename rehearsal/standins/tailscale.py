#!/usr/bin/python3
"""A stand-in for Tailscale's `tailscale` CLI and `tailscaled` daemon, for the rehearsal only.

Installed as /usr/bin/tailscale and /usr/sbin/tailscaled (the name it is run as picks the
role). It is not Tailscale: there is no WireGuard and no control plane. It keeps the rules
this project's scripts depend on, each taken from Tailscale's own source (the comments name
the file):

- the CLI talks to the daemon over a Unix socket; anyone may read, but only root or the
  operator (`set --operator=USER`) may write (ipn/ipnauth/ipnauth.go IsReadonlyConn);
- Serve: one owner per port. A foreground session (`serve --bg=false`) lives as long as its
  CLI process and is refused on a port already served ("listener already exists for port
  N"); a background write is refused on a port a foreground session holds ("foreground
  listener already exists for port N") (ipn/ipnlocal/serve.go validateServeConfigUpdate);
  background routes persist in the state file, foreground ones never survive the daemon;
- `serve status --json` prints ipn.ServeConfig (TCP, Web, AllowFunnel, Foreground);
  `serve reset` clears everything, foreground sessions included (cli/serve_legacy.go);
- `up --auth-key=file:PATH` reads the key and trims it, and does not delete the file
  (cli/up.go resolveValueFromFile); an auth key is single use;
- the Serve proxy strips incoming X-Forwarded-* and Tailscale-* headers and sets
  X-Forwarded-Host, X-Forwarded-Proto: https, X-Forwarded-For (the client's address only),
  and the user identity headers for untagged peers (ipn/ipnlocal/serve.go).

The tailnet is a network namespace the rehearsal made: `tailscale0` is a veth the rehearsal
created, and `up` gives it this node's tailnet address, as tailscaled would its TUN device.
When the rehearsal binds its tailnet into the host (CONTROL_DIR), `up` joins through it: the
key must be one the tailnet minted, unspent and unexpired, granting the tags asked for, and
the node becomes a device the API lists (rehearsal/standins/tailnet.py).
Settings (address, DNS suffix, certificate, peers) come from /etc/tailscale-standin.json.
"""
import json
import os
import pwd
import secrets
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading

SETTINGS_FILE = os.environ.get("TAILSCALE_STANDIN_SETTINGS", "/etc/tailscale-standin.json")
SOCKET = "/run/tailscale/tailscaled.sock"
STATE = "/var/lib/tailscale/tailscaled.state"
VERSION = "1.90.0-standin"


class Refused(Exception):
    """An error the daemon reports to the CLI (exit 1, message on stderr)."""


# Where the rehearsal binds its tailnet (rehearsal/standins/tailnet.py) into the host.
CONTROL_DIR = "/var/lib/rehearsal-tailnet"


def coordination_server():
    """The rehearsal's tailnet when it is bound into this host; without it any key joins once."""
    if not os.path.exists(os.path.join(CONTROL_DIR, "tailnet.py")):
        return None
    sys.path.insert(0, CONTROL_DIR)
    import tailnet  # noqa: E402 (the bound directory)

    return tailnet.Tailnet(os.path.join(CONTROL_DIR, "tailnet.json"))


def load_settings():
    with open(SETTINGS_FILE, encoding="utf-8") as f:
        return json.load(f)


def expand_target(target):
    """ipn.ExpandProxyTargetValue: a bare port means http://127.0.0.1:PORT."""
    if target.isdigit():
        return f"http://127.0.0.1:{target}"
    if "://" not in target:
        return f"http://{target}"
    return target


def ports_of(config):
    return {int(p) for p in (config.get("TCP") or {})}


def prune(config):
    """Drop empty maps, as ipn.ServeConfig's omitempty fields would."""
    return {k: v for k, v in config.items() if v}


# ---------------------------------------------------------------- daemon


class Daemon:
    def __init__(self, settings, state_path):
        self.settings = settings
        self.state_path = state_path
        self.lock = threading.Lock()
        self.state = {"loggedIn": False, "prefs": {}, "serve": {}, "usedKeys": []}
        if os.path.exists(state_path):
            with open(state_path, encoding="utf-8") as f:
                self.state.update(json.load(f))
        # Foreground sessions never survive the daemon (ipnlocal reloadServeConfigLocked).
        self.foreground = {}
        self.foreground_conns = {}
        self.listeners = {}

    def save(self):
        tmp = self.state_path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.state, f, indent=2, sort_keys=True)
        os.replace(tmp, self.state_path)

    # -- identity and permissions

    def dns_name(self):
        host = self.state["prefs"].get("Hostname") or socket.gethostname()
        return f"{host}.{self.settings['dnsSuffix']}."

    def can_write(self, uid):
        if uid == 0 or uid == os.getuid():
            return True
        operator = self.state["prefs"].get("OperatorUser", "")
        try:
            return bool(operator) and pwd.getpwnam(operator).pw_uid == uid
        except KeyError:
            return False

    # -- the network side

    def bring_up_interface(self):
        iface, addr = self.settings["interface"], self.settings["address"]
        subprocess.run(["ip", "addr", "replace", f"{addr}/32", "dev", iface], check=True)
        subprocess.run(["ip", "link", "set", iface, "up"], check=True)
        subprocess.run(["ip", "route", "replace", "100.64.0.0/10", "dev", iface], check=True)

    def effective_serve(self):
        """Background plus every live foreground session, as the data plane serves them."""
        merged = {"Web": dict(self.state["serve"].get("Web") or {}), "TCP": dict(self.state["serve"].get("TCP") or {})}
        for fg in self.foreground.values():
            merged["Web"].update(fg.get("Web") or {})
            merged["TCP"].update(fg.get("TCP") or {})
        return merged

    def apply_listeners(self):
        wanted = {}
        if self.state["loggedIn"]:
            for hostport, web in self.effective_serve()["Web"].items():
                port = int(hostport.rsplit(":", 1)[1])
                proxy = ((web.get("Handlers") or {}).get("/") or {}).get("Proxy")
                if proxy:
                    wanted[port] = proxy
        for port in list(self.listeners):
            if self.listeners[port][0] != wanted.get(port):
                self.listeners.pop(port)[1].shutdown_and_close()
        for port, proxy in wanted.items():
            if port not in self.listeners:
                self.listeners[port] = (proxy, ServeListener(self, port, proxy))

    # -- requests from the CLI

    def handle(self, req, uid, conn):
        op = req.get("op")
        read_only = {"status", "prefs", "serve-get", "whois"}
        if op not in read_only and not self.can_write(uid):
            raise Refused("Access denied: serve config denied" if op.startswith("serve") else "Access denied: prefs write access denied")
        with self.lock:
            if op == "status":
                return self.status()
            if op == "prefs":
                return dict(self.state["prefs"])
            if op == "whois":
                peer = self.settings.get("peers", {}).get(req["ip"].split(":")[0])
                if not peer:
                    raise Refused("peer not found")
                return {"UserProfile": {"LoginName": peer["login"], "DisplayName": peer["name"]}, "Node": {"Name": peer["node"]}}
            if op == "up":
                return self.up(req)
            if op == "set":
                self.state["prefs"].update(req["prefs"])
                self.save()
                return {}
            if op == "serve-get":
                config = dict(self.state["serve"]) if self.state["loggedIn"] else {}
                if self.foreground:
                    config["Foreground"] = dict(self.foreground)
                return config
            if op == "serve-set":
                return self.serve_set(req["config"])
            if op == "serve-foreground":
                return self.serve_foreground(req["config"], conn)
        raise Refused(f"unknown request {op!r}")

    def status(self):
        running = self.state["loggedIn"]
        self_status = {
            "HostName": self.state["prefs"].get("Hostname") or socket.gethostname(),
            "DNSName": self.dns_name(),
            "TailscaleIPs": [self.settings["address"]] if running else [],
            "Tags": self.state["prefs"].get("AdvertiseTags", []),
            "Online": running,
        }
        return {
            "Version": VERSION,
            "BackendState": "Running" if running else "NeedsLogin",
            "TailscaleIPs": self_status["TailscaleIPs"],
            "Self": self_status,
            "MagicDNSSuffix": self.settings["dnsSuffix"],
        }

    def up(self, req):
        key = req.get("authKey", "")
        if not self.state["loggedIn"]:
            if not key.startswith("tskey-auth-"):
                raise Refused("backend error: invalid key: API key does not exist" if key else "no auth key and this node is not logged in")
            if key in self.state["usedKeys"]:
                raise Refused("backend error: invalid key: unable to validate API key (already used)")
            control = coordination_server()
            if control:
                # The rehearsal's tailnet decides: a key it knows, unspent, unexpired, granting the tags.
                prefs = {**self.state["prefs"], **req.get("prefs", {})}
                try:
                    device = control.join(key, prefs.get("Hostname") or socket.gethostname(), prefs.get("AdvertiseTags", []), [self.settings["address"]])
                except Exception as e:  # the tailnet's Refused
                    raise Refused(f"backend error: {e}") from e
                self.state["nodeId"] = device["nodeId"]
            self.state["usedKeys"].append(key)
            self.state["loggedIn"] = True
        for name in ("Hostname", "AdvertiseTags", "CorpDNS", "RunSSH"):
            if name in req.get("prefs", {}):
                self.state["prefs"][name] = req["prefs"][name]
        self.save()
        self.bring_up_interface()
        self.apply_listeners()
        return {}

    def serve_set(self, config):
        """A background write: the whole background config is replaced."""
        config = prune({k: v for k, v in config.items() if k in ("TCP", "Web", "AllowFunnel")})
        if config and not self.state["loggedIn"]:
            raise Refused("sending serve config: updating config: netMap is nil")
        held = set().union(*(ports_of(fg) for fg in self.foreground.values())) if self.foreground else set()
        for port in sorted(ports_of(config) & held):
            raise Refused(f"sending serve config: updating config: foreground listener already exists for port {port}")
        self.state["serve"] = config
        if not config:
            # `serve reset` sends an empty config: foreground sessions end with it.
            for session in list(self.foreground):
                self.end_foreground(session)
        self.save()
        self.apply_listeners()
        return {}

    def serve_foreground(self, config, conn):
        if not self.state["loggedIn"]:
            raise Refused("sending serve config: updating config: netMap is nil")
        existing = ports_of(self.state["serve"]).union(*(ports_of(fg) for fg in self.foreground.values()))
        for port in sorted(ports_of(config) & existing):
            raise Refused(f"sending serve config: updating config: listener already exists for port {port}")
        session = secrets.token_hex(8)
        self.foreground[session] = prune(config)
        self.foreground_conns[session] = conn
        self.apply_listeners()
        return {"SessionID": session, "_keep": True}

    def end_foreground(self, session):
        self.foreground.pop(session, None)
        conn = self.foreground_conns.pop(session, None)
        if conn is not None:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.apply_listeners()


class ServeListener:
    """HTTPS on the tailnet address, proxied to the backend (ipnlocal reverseProxy)."""

    IDENTITY = ("tailscale-user-login", "tailscale-user-name", "tailscale-user-profile-pic", "tailscale-funnel-request", "tailscale-headers-info")

    def __init__(self, daemon, port, proxy):
        self.daemon, self.proxy = daemon, proxy
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(daemon.settings["certFile"], daemon.settings["keyFile"])
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((daemon.settings["address"], port))
        self.sock.listen(64)
        self.ctx, self.open = ctx, True
        threading.Thread(target=self.accept, daemon=True).start()

    def shutdown_and_close(self):
        self.open = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def accept(self):
        while self.open:
            try:
                raw, addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve_one, args=(raw, addr[0]), daemon=True).start()

    def serve_one(self, raw, client_ip):
        try:
            conn = self.ctx.wrap_socket(raw, server_side=True)
            head, rest = read_head(conn)
            lines = head.split("\r\n")
            request_line, headers = lines[0], [h for h in lines[1:] if h]
            parsed = [(h.split(":", 1)[0].strip().lower(), h.split(":", 1)[1].strip() if ":" in h else "", h) for h in headers]
            host = next((v for n, v, _ in parsed if n == "host"), "")
            upgrade = any(n == "upgrade" and v.lower() == "websocket" for n, v, _ in parsed)
            kept = []
            for name, value, h in parsed:
                if name.startswith("x-forwarded-") or name == "forwarded" or name in self.IDENTITY:
                    continue
                if name == "connection" and not upgrade:
                    continue
                kept.append(h)
            kept += [f"X-Forwarded-Host: {host}", "X-Forwarded-Proto: https", f"X-Forwarded-For: {client_ip}"]
            peer = self.daemon.settings.get("peers", {}).get(client_ip)
            if peer and not peer.get("tagged"):
                kept += [
                    f"Tailscale-User-Login: {peer['login']}",
                    f"Tailscale-User-Name: {peer['name']}",
                    "Tailscale-User-Profile-Pic: ",
                    "Tailscale-Headers-Info: https://tailscale.com/s/serve-headers",
                ]
            if not upgrade:
                # One request per connection: the stand-in never reuses a proxied connection.
                kept.append("Connection: close")
            target = self.proxy.split("://", 1)[1].rstrip("/")
            backend_host, backend_port = target.rsplit(":", 1)
            backend = socket.create_connection((backend_host, int(backend_port)), timeout=30)
            backend.sendall(("\r\n".join([request_line, *kept]) + "\r\n\r\n").encode("latin-1") + rest)
            pipe(conn, backend)
        except (OSError, ValueError, ssl.SSLError):
            pass
        finally:
            raw.close()


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("connection closed before the request head")
        data += chunk
        if len(data) > 1 << 20:
            raise ValueError("request head too large")
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def pipe(a, b):
    def copy(src, dst):
        try:
            while True:
                chunk = src.recv(65536)
                if not chunk:
                    break
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    t = threading.Thread(target=copy, args=(b, a), daemon=True)
    t.start()
    copy(a, b)
    t.join(timeout=300)


def peer_uid(conn):
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def run_daemon(argv):
    state, sock_path = STATE, SOCKET
    for arg in argv:
        if arg.startswith("--state="):
            state = arg.split("=", 1)[1]
        elif arg.startswith("--socket="):
            sock_path = arg.split("=", 1)[1]
    os.makedirs(os.path.dirname(state), mode=0o700, exist_ok=True)
    os.makedirs(os.path.dirname(sock_path), mode=0o755, exist_ok=True)
    daemon = Daemon(load_settings(), state)
    if daemon.state["loggedIn"]:
        daemon.bring_up_interface()
    daemon.apply_listeners()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            uid = peer_uid(self.request)
            line = self.rfile.readline()
            try:
                result = daemon.handle(json.loads(line), uid, self.request)
            except Refused as e:
                self.wfile.write((json.dumps({"error": str(e)}) + "\n").encode())
                return
            keep = result.pop("_keep", None)
            self.wfile.write((json.dumps({"result": result}) + "\n").encode())
            if keep:
                # A foreground session lasts until the CLI's connection ends (ipnlocal
                # WatchNotifications: defer DeleteForegroundSession).
                try:
                    while self.request.recv(1):
                        pass
                except OSError:
                    pass
                with daemon.lock:
                    daemon.end_foreground(result["SessionID"])

    if os.path.exists(sock_path):
        os.unlink(sock_path)
    server = socketserver.ThreadingUnixStreamServer(sock_path, Handler)
    os.chmod(sock_path, 0o666)
    print(f"tailscaled (stand-in {VERSION}) listening on {sock_path}", flush=True)
    server.serve_forever()


# ---------------------------------------------------------------- CLI


def call(req, keep_open=False):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(os.environ.get("TAILSCALE_SOCKET", SOCKET))
    except OSError as e:
        fail(f"failed to connect to local tailscaled; it doesn't appear to be running ({e.strerror})")
    s.sendall((json.dumps(req) + "\n").encode())
    reply = json.loads(s.makefile().readline())
    if "error" in reply:
        message = reply["error"]
        if "Access denied" in message and os.getuid() != 0:
            message += f"\n\nUse 'sudo tailscale {' '.join(sys.argv[1:])}'.\nTo not require root, use 'sudo tailscale set --operator=$USER' once."
        fail(message)
    if keep_open:
        return reply["result"], s
    s.close()
    return reply["result"]


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def flags(args):
    out, rest = {}, []
    for a in args:
        if a.startswith("--"):
            name, _, value = a[2:].partition("=")
            out[name] = value if "=" in a else "true"
        else:
            rest.append(a)
    return out, rest


def print_json(value, newline=True):
    sys.stdout.write(json.dumps(value, indent=2) + ("\n" if newline else ""))


def cli_serve(args):
    if args[:1] == ["status"]:
        config = call({"op": "serve-get"})
        if "--json" in args:
            print_json(config)
        else:
            print(json.dumps(config, indent=2) if config else "No serve config")
        return
    if args[:1] == ["reset"]:
        call({"op": "serve-set", "config": {}})
        return
    opts, rest = flags(args)
    if len(rest) not in (1, 2) or (len(rest) == 2 and rest[1] != "off"):
        fail(f"Error: invalid number of arguments ({len(rest)})\ntry `tailscale serve --help` for usage info")
    port = int(opts.get("https", "443"))
    path = opts.get("set-path", "") or "/"
    path = path if path.startswith("/") else "/" + path
    status = call({"op": "status"})
    if status["BackendState"] != "Running":
        fail("sending serve config: updating config: netMap is nil")
    hostport = f"{status['Self']['DNSName'].rstrip('.')}:{port}"
    if rest[-1] == "off":
        config = call({"op": "serve-get"})
        config.pop("Foreground", None)
        handlers = ((config.get("Web") or {}).get(hostport) or {}).get("Handlers") or {}
        if "set-path" in opts:
            if path not in handlers:
                fail("error: failed to remove web serve: handler does not exist\ntry `tailscale serve --help` for usage info")
            handlers.pop(path)
        elif not handlers:
            fail("error: failed to remove web serve: handler does not exist\ntry `tailscale serve --help` for usage info")
        else:
            handlers.clear()
        if not handlers:
            (config.get("Web") or {}).pop(hostport, None)
            (config.get("TCP") or {}).pop(str(port), None)
            (config.get("AllowFunnel") or {}).pop(hostport, None)
        call({"op": "serve-set", "config": prune({k: prune(v) if isinstance(v, dict) else v for k, v in config.items()})})
        return
    target = expand_target(rest[0])
    body = {"TCP": {str(port): {"HTTPS": True}}, "Web": {hostport: {"Handlers": {path: {"Proxy": target}}}}}
    shown = f"Available within your tailnet:\n\nhttps://{hostport.rsplit(':', 1)[0]}{'' if port == 443 else ':' + str(port)}{path}\n|-- proxy {target}\n"
    background = opts.get("bg", "false") != "false"
    if background:
        config = call({"op": "serve-get"})
        config.pop("Foreground", None)
        config.setdefault("TCP", {}).update(body["TCP"])
        web = config.setdefault("Web", {}).setdefault(hostport, {"Handlers": {}})
        web.setdefault("Handlers", {})[path] = {"Proxy": target}
        # Serving (not Funnel) on a host:port turns Funnel off for it.
        (config.get("AllowFunnel") or {}).pop(hostport, None)
        call({"op": "serve-set", "config": prune(config)})
        print(f"{shown}\nServe started and running in the background.\nTo disable the proxy, run: tailscale serve --https={port} off")
        return
    _, sock = call({"op": "serve-foreground", "config": body}, keep_open=True)
    print(f"{shown}\nPress Ctrl+C to exit.", flush=True)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while sock.recv(1):
            pass
    except (KeyboardInterrupt, OSError):
        pass
    sys.exit(0)


def cli(argv):
    if not argv:
        fail("usage: tailscale <command> [flags]")
    cmd, args = argv[0], argv[1:]
    opts, rest = flags(args)
    if cmd == "version":
        print(VERSION)
    elif cmd == "status":
        status = call({"op": "status"})
        if "json" in opts:
            print_json(status, newline=False)
        elif status["BackendState"] != "Running":
            fail("Logged out.")
        else:
            print(f"{status['TailscaleIPs'][0]}  {status['Self']['HostName']}")
    elif cmd == "up":
        key = opts.get("auth-key", opts.get("authkey", ""))
        if key.startswith("file:"):
            try:
                with open(key[5:], encoding="utf-8") as f:
                    key = f.read().strip()
            except OSError as e:
                fail(str(e))
        prefs = {}
        if "hostname" in opts:
            prefs["Hostname"] = opts["hostname"]
        if "advertise-tags" in opts:
            prefs["AdvertiseTags"] = [t if t.startswith("tag:") else f"tag:{t}" for t in opts["advertise-tags"].split(",") if t]
        if "accept-dns" in opts:
            prefs["CorpDNS"] = opts["accept-dns"] != "false"
        if "ssh" in opts:
            prefs["RunSSH"] = opts["ssh"] != "false"
        call({"op": "up", "authKey": key, "prefs": prefs})
    elif cmd == "set":
        prefs = {}
        if "hostname" in opts:
            prefs["Hostname"] = opts["hostname"]
        if "operator" in opts:
            prefs["OperatorUser"] = opts["operator"]
        if not prefs:
            fail("usage: tailscale set [flags]")
        call({"op": "set", "prefs": prefs})
    elif cmd == "debug" and rest[:1] == ["prefs"]:
        print_json(call({"op": "prefs"}))
    elif cmd == "whois":
        print_json(call({"op": "whois", "ip": rest[0]}))
    elif cmd == "serve":
        cli_serve(args)
    elif cmd == "funnel" and rest[:1] == ["status"]:
        print_json(call({"op": "serve-get"}))
    else:
        fail(f"tailscale (stand-in): {cmd} is not part of the stand-in")


if __name__ == "__main__":
    if os.path.basename(sys.argv[0]) == "tailscaled":
        run_daemon(sys.argv[1:])
    else:
        cli(sys.argv[1:])
