#!/usr/bin/python3
"""The rehearsal's "internet": a DNS server and a web server on one address, run by the
rehearsal in its own network namespace. For the rehearsal only.

DNS answers A queries for the names it is given (the package mirrors and the container
registry the host needs) with its own address, AAAA with no record, and everything else
with NXDOMAIN: the host can reach nothing else. The web server serves, over HTTP on 80 and
HTTPS on 443 (a certificate from the rehearsal's own CA, which the host trusts), the files
under DOCROOT/<host name>/: Debian's own signed indexes and the packages the host installs,
the stand-in apt repositories, and a container image laid out as a registry (Docker's
registry API v2, read-only: manifests by tag, blobs by digest). Every request is logged.

With --s3 MOTO_SERVER it is also the object store off-site backups go to: requests for
S3_HOST are handed to moto's server (which keeps the S3 API's rules), run on this namespace's
loopback, and its answers handed back, over the same HTTPS.

Usage: internet.py --address A --docroot DIR --cert F --key F --names n1,n2 --log FILE
"""
import argparse
import hashlib
import http.client
import http.server
import json
import os
import socket
import socketserver
import ssl
import struct
import subprocess
import threading
import time
import urllib.parse

import coding

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
S3_HOST = "fsn1.your-objectstorage.com"
S3_PORT = 8791
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection", "host"}


def dns_server(address, names, log, public=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 53))
    ip = socket.inet_aton(address)
    # The coder's far ends answer on an address outside every special-use range, as the real
    # ones do (OpenClaw refuses to call a model API that resolves to one).
    public_ip = socket.inet_aton(public) if public else ip
    while True:
        data, peer = sock.recvfrom(512)
        try:
            ident, _flags, qd = struct.unpack(">HHH", data[:6])
            pos, labels = 12, []
            while data[pos]:
                labels.append(data[pos + 1 : pos + 1 + data[pos]].decode("ascii").lower())
                pos += 1 + data[pos]
            qtype = struct.unpack(">H", data[pos + 1 : pos + 3])[0]
            question = data[12 : pos + 5]
            name = ".".join(labels)
            known = name in names
            answers = b""
            if known and qtype == 1:
                answers = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + (public_ip if name in coding.HOSTS else ip)
            rcode = 0 if known else 3
            header = struct.pack(">HHHHHH", ident, 0x8180 | rcode, qd, 1 if answers else 0, 0, 0)
            sock.sendto(header + question + answers, peer)
            log(f"dns {peer[0]} {name} type={qtype} {'answered' if answers else 'no record' if known else 'NXDOMAIN'}")
        except (IndexError, struct.error, UnicodeDecodeError):
            continue


def start_s3(moto, log):
    """moto's server on this namespace's loopback; waits (bounded) until it answers."""
    proc = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(S3_PORT)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", S3_PORT, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            log(f"s3 stand-in (moto) on 127.0.0.1:{S3_PORT} for {S3_HOST}")
            return proc
        except OSError:
            time.sleep(0.2)
    raise SystemExit("internet: the S3 stand-in did not start")


def proxy_s3(handler, head_only):
    """One request for S3_HOST, handed to moto as it came (method, path, headers, body)."""
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else None
    headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
    conn = http.client.HTTPConnection("127.0.0.1", S3_PORT, timeout=300)
    conn.request(handler.command, handler.path, body=body, headers=headers)
    res = conn.getresponse()
    data = res.read()
    handler.send_response(res.status)
    for k, v in res.getheaders():
        # A HEAD's Content-Length is the object's size: kept; otherwise the body's own.
        if k.lower() not in HOP_BY_HOP and (head_only or k.lower() != "content-length"):
            handler.send_header(k, v)
    if not head_only:
        handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if not head_only:
        handler.wfile.write(data)
    return res.status


def handler_for(docroot, log, world=None, s3=False):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send_file(self, head_only):
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            # apt asks for pool/…/docker.io_20.10.24%2bdfsg1…: the files have the decoded names.
            path = urllib.parse.unquote(self.path.split("?", 1)[0])
            base = os.path.realpath(os.path.join(docroot, host))
            full = os.path.realpath(os.path.join(base, path.lstrip("/")))
            ctype = "application/octet-stream"
            if "/manifests/sha256:" in path:
                # A manifest by digest: whichever manifest in that repository has it.
                folder, digest = full.rsplit("/sha256:", 1)
                for name in os.listdir(folder) if os.path.isdir(folder) else []:
                    with open(os.path.join(folder, name), "rb") as f:
                        if hashlib.sha256(f.read()).hexdigest() == digest:
                            full = os.path.join(folder, name)
            if path in ("/v2/", "/v2"):
                body = b"{}"
                ctype = "application/json"
            elif not full.startswith(base + os.sep) or not os.path.isfile(full):
                log(f"http {self.client_address[0]} {self.command} {host}{path} 404")
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            else:
                with open(full, "rb") as f:
                    body = f.read()
            self.send_response(200)
            if "/manifests/" in path:
                ctype = MANIFEST_TYPE
                self.send_header("Docker-Content-Digest", "sha256:" + hashlib.sha256(body).hexdigest())
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head_only:
                self.wfile.write(body)
            log(f"http {self.client_address[0]} {self.command} {host}{path} 200 {len(body)}")

        def dispatch(self, head_only):
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            if s3 and host == S3_HOST:
                status = proxy_s3(self, head_only)
                log(f"http {self.client_address[0]} {self.command} {host}{self.path.split('?', 1)[0]} {status}")
            elif world is not None and host in coding.HOSTS:
                status = coding.serve(world, self, host)
                log(f"http {self.client_address[0]} {self.command} {host}{self.path.split('?', 1)[0]} {status}")
            elif self.command in ("GET", "HEAD"):
                self.send_file(head_only)
            else:
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def do_GET(self):
            self.dispatch(False)

        def do_HEAD(self):
            self.dispatch(True)

        def do_POST(self):
            self.dispatch(False)

        def do_PUT(self):
            self.dispatch(False)

        def do_DELETE(self):
            self.dispatch(False)

    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    for name in ("address", "docroot", "cert", "key", "names", "log"):
        p.add_argument(f"--{name}", required=True)
    # The coder's far ends (coding.py): a JSON file of settings, and the control port.
    p.add_argument("--coding")
    p.add_argument("--public-address")
    # The object store's stand-in: moto's server.
    p.add_argument("--s3")
    a = p.parse_args()
    lock = threading.Lock()

    def log(line):
        with lock, open(a.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    names = set(a.names.split(","))
    threading.Thread(target=dns_server, args=(a.address, names, log, a.public_address), daemon=True).start()
    world = None
    if a.coding:
        with open(a.coding, encoding="utf-8") as f:
            c = json.load(f)
        world = coding.World(c["root"], c["ownerId"], c["bots"], c["readToken"], c["writeToken"], log)
        control = Server(("127.0.0.1", int(c["controlPort"])), coding.control_handler(world))
        threading.Thread(target=control.serve_forever, daemon=True).start()
    if a.s3:
        start_s3(a.s3, log)
    handler = handler_for(a.docroot, log, world, s3=bool(a.s3))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    servers = []
    for address in [a.address] + ([a.public_address] if a.public_address else []):
        servers.append(Server((address, 80), handler))
        tls = Server((address, 443), handler)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        servers.append(tls)
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    log(f"internet stand-in on {a.address}: dns for {sorted(names)}, http and https from {a.docroot}")
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
