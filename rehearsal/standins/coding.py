"""The far ends of the coder's work, for the rehearsal only (docs/rehearsal.md), served by
internet.py under their real host names, over HTTPS with the rehearsal's certificates:

  api.telegram.org    the Bot API for both bots: long polling, sendMessage, editMessageText,
                      answerCallbackQuery and the rest; the owner's side is driven through the
                      control port (a message, a button pressed), every call recorded
  api.anthropic.com   a scripted model speaking the Messages API (always streamed, as OpenClaw
                      asks): the test gives it a task's steps; each request is answered with the
                      next tool call after the task's last real user message, then a report
  github.com          git's smart HTTP (git http-backend) over bare repositories; fetches need
                      the read or the write token, pushes the write token
  api.github.com      the REST calls the coder gate makes: open, read and merge a pull request
  hc-ping.com         the dead-man's switch's heartbeat service (heartbeat.py, Healthchecks'
                      rules); its notifications reach the owner's chat as the "watcher" bot

Control (plain HTTP on 127.0.0.1:PORT inside the internet's namespace, for the test only):
  POST /owner/say    {"bot": "coder"|"chat", "text": ...}        a message from the owner
  POST /owner/press  {"bot": ..., "message_id": N, "data": ...}  the owner presses a button
  POST /model/task   {"tag": ..., "steps": [{"tool": ..., "input": {...}} | {"text": ...}]}
  POST /repo         {"name": "owner/app", "files": {...}}        a repository with one commit
  POST /heartbeat/check {"code": uuid, "name": ..., "timeout": s, "grace": s}  a new check
  GET  /state        every Bot API call, the model's requests, the repositories' refs, the PRs
"""
import base64
import json
import os
import re
import subprocess
import threading
import time
import urllib.parse

import heartbeat

OWNER_NAME = "Owner"


class World:
    def __init__(self, root, owner_id, bots, read_token, write_token, log):
        self.root = root
        self.owner_id = int(owner_id)
        self.bots = bots  # name -> token
        self.read_token = read_token
        self.write_token = write_token
        self.log = log
        self.cond = threading.Condition()
        self.updates = {token: [] for token in bots.values()}
        self.next_update = 1000
        self.next_message = 100
        self.calls = []
        self.model_requests = []
        self.tasks = {}
        self.pulls = {}
        self.git_requests = []
        # Healthchecks' Telegram integration: its own bot, to the owner's chat.
        self.heartbeat = heartbeat.Watch(notify=lambda text: self.record("watcher", "sendMessage", {"chat_id": self.owner_id, "text": text}))
        self.heartbeat.run()
        os.makedirs(os.path.join(root, "repos"), exist_ok=True)

    # ------------------------------------------------------------------ the owner's side
    def bot_name(self, token):
        return next((n for n, t in self.bots.items() if t == token), None)

    def owner(self):
        return {"id": self.owner_id, "is_bot": False, "first_name": OWNER_NAME, "username": "owner"}

    def chat(self):
        return {"id": self.owner_id, "type": "private", "first_name": OWNER_NAME, "username": "owner"}

    def enqueue(self, bot, update):
        with self.cond:
            self.next_update += 1
            update["update_id"] = self.next_update
            self.updates[self.bots[bot]].append(update)
            self.cond.notify_all()
            return self.next_update

    def say(self, bot, text):
        with self.cond:
            self.next_message += 1
            mid = self.next_message
        message = {"message_id": mid, "date": int(time.time()), "chat": self.chat(), "from": self.owner(), "text": text}
        self.record(bot, "owner:message", {"text": text, "message_id": mid})
        return self.enqueue(bot, {"message": message})

    def press(self, bot, message_id, data):
        message = {"message_id": int(message_id), "date": int(time.time()), "chat": self.chat(), "text": ""}
        query = {"id": f"cb{time.time_ns()}", "from": self.owner(), "message": message, "chat_instance": "1", "data": data}
        self.record(bot, "owner:press", {"message_id": message_id, "data": data})
        return self.enqueue(bot, {"callback_query": query})

    def record(self, bot, method, params):
        with self.cond:
            self.calls.append({"t": time.time(), "bot": bot, "method": method, "params": params})

    # ------------------------------------------------------------------ the Bot API
    def telegram(self, path, params):
        m = re.match(r"^/bot([^/]+)/(\w+)$", path)
        if not m:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = m.group(1), m.group(2)
        bot = self.bot_name(token)
        if bot is None:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        me = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": f"{bot} bot", "username": f"rehearsal_{bot}_bot",
              "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            deadline = time.time() + min(float(params.get("timeout") or 0), 10.0)
            with self.cond:
                queue = self.updates[token]
                queue[:] = [u for u in queue if u["update_id"] >= offset]
                while not queue and time.time() < deadline:
                    self.cond.wait(max(0.0, deadline - time.time()))
                return 200, {"ok": True, "result": list(queue)}
        self.record(bot, method, params)
        if method == "getMe":
            return 200, {"ok": True, "result": me}
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument", "sendPhoto"):
            with self.cond:
                if "message_id" in params:
                    mid = int(params["message_id"])
                else:
                    self.next_message += 1
                    mid = self.next_message
            message = {"message_id": mid, "date": int(time.time()), "chat": self.chat(), "from": me, "text": params.get("text", "")}
            if "reply_markup" in params:
                markup = params["reply_markup"]
                message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
            params["message_id"] = mid
            return 200, {"ok": True, "result": message}
        if method == "getWebhookInfo":
            return 200, {"ok": True, "result": {"url": "", "has_custom_certificate": False, "pending_update_count": 0}}
        if method == "getChat":
            return 200, {"ok": True, "result": self.chat()}
        if method == "getMyCommands":
            return 200, {"ok": True, "result": []}
        # deleteWebhook, setMyCommands, deleteMyCommands, sendChatAction, answerCallbackQuery,
        # deleteMessage, setMessageReaction and the like: accepted, recorded.
        return 200, {"ok": True, "result": True}

    # ------------------------------------------------------------------ the scripted model
    def model(self, body):
        with self.cond:
            self.model_requests.append(summarize(body))
        tools = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
        step = self.next_step(body.get("messages") or []) if tools else None
        if step is None:
            return {"text": "Nothing to do."}
        if "text" in step:
            return step
        name, args = step["tool"], step.get("input", {})
        if name not in tools and "tool_call" in tools:
            # A deferred tool, reached the way OpenClaw offers it: through tool_call.
            return {"tool": "tool_call", "input": {"id": name, "args": args}}
        return {"tool": name, "input": args}

    def next_step(self, messages):
        last_user, tag = -1, None
        for i, m in enumerate(messages):
            if m.get("role") != "user":
                continue
            text = text_of(m.get("content"))
            if "BEGIN_OPENCLAW_INTERNAL_CONTEXT" in text or has_tool_result(m.get("content")):
                continue
            found = re.search(r"\[task:([\w-]+)\]", text)
            if found:
                last_user, tag = i, found.group(1)
        if tag is None or tag not in self.tasks:
            return {"text": "I have no task for that."} if tag else None
        results = [r for m in messages[last_user + 1 :] if m.get("role") == "user" for r in tool_results(m.get("content"))]
        steps = self.tasks[tag]
        if len(results) >= len(steps):
            return {"text": f"[{tag}] done. Last result: {results[-1][:400] if results else ''}"}
        step = steps[len(results)]
        if "text" in step:
            return {"text": step["text"].replace("{last}", results[-1][:400] if results else "")}
        # "{sha}": the last commit id an earlier step printed, as a model reads it from the output.
        shas = [m for r in results for m in re.findall(r"\b[0-9a-f]{40}\b", r)]
        text = json.dumps(step.get("input", {})).replace("{sha}", shas[-1] if shas else "")
        return {"tool": step["tool"], "input": json.loads(text)}

    # ------------------------------------------------------------------ GitHub
    def repo_dir(self, name):
        return os.path.join(self.root, "repos", name + ".git")

    def make_repo(self, name, files):
        bare = self.repo_dir(name)
        work = os.path.join(self.root, "seed", name)
        subprocess.run(["rm", "-rf", bare, work], check=True)
        os.makedirs(work)
        for path, content in files.items():
            full = os.path.join(work, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write(content)
            if path.endswith(".sh") or path == "check":
                os.chmod(full, 0o755)
        env = {**os.environ, "GIT_AUTHOR_NAME": "Owner", "GIT_AUTHOR_EMAIL": "owner@example.com",
               "GIT_COMMITTER_NAME": "Owner", "GIT_COMMITTER_EMAIL": "owner@example.com"}
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "First commit"]):
            subprocess.run(["git", "-C", work, *args], check=True, env=env)
        subprocess.run(["git", "clone", "-q", "--bare", work, bare], check=True)
        return self.refs(name)

    def refs(self, name):
        out = subprocess.run(["git", "-C", self.repo_dir(name), "for-each-ref", "--format=%(refname) %(objectname)"],
                             capture_output=True, text=True, check=True).stdout
        return dict(line.split(" ", 1) for line in out.split("\n") if line)

    def token_of(self, headers):
        auth = headers.get("Authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                return base64.b64decode(auth[6:]).decode().split(":", 1)[1]
            except (ValueError, IndexError, UnicodeDecodeError):
                return ""
        if auth.lower().startswith(("bearer ", "token ")):
            return auth.split(" ", 1)[1].strip()
        return ""

    def git(self, method, path, query, headers, body):
        """git http-backend behind GitHub's rules: a token for anything, the write one to push."""
        token = self.token_of(headers)
        push = "git-receive-pack" in path or "service=git-receive-pack" in query
        allowed = token == self.write_token or (token == self.read_token and not push)
        with self.cond:
            self.git_requests.append({"method": method, "path": path, "query": query, "push": push,
                                      "token": "write" if token == self.write_token else "read" if token == self.read_token else "none" if not token else "other"})
        if not token:
            return 401, {"WWW-Authenticate": 'Basic realm="GitHub"', "Content-Type": "text/plain"}, b"Authentication required\n"
        if not allowed:
            return 403, {"Content-Type": "text/plain"}, b"Permission denied\n"
        m = re.match(r"^/([\w.-]+)/([\w.-]+?)(?:\.git)?(/.*)$", path)
        if not m or not os.path.isdir(self.repo_dir(f"{m.group(1)}/{m.group(2)}")):
            return 404, {"Content-Type": "text/plain"}, b"Repository not found\n"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": os.path.join(self.root, "repos"),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": f"/{m.group(1)}/{m.group(2)}.git{m.group(3)}",
            "REQUEST_METHOD": method,
            "QUERY_STRING": query,
            "CONTENT_TYPE": headers.get("Content-Type") or "",
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "x-access-token",
            "REMOTE_ADDR": "203.0.113.10",
            "GIT_PROTOCOL": headers.get("Git-Protocol") or "",
            "HTTP_CONTENT_ENCODING": headers.get("Content-Encoding") or "",
        }
        done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=120)
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = done.stdout.partition(b"\n\n")
        status, out = 200, {}
        for line in head.decode("latin-1").splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.strip().split(" ")[0])
            elif k:
                out[k.strip()] = v.strip()
        return status, out, payload

    def api(self, method, path, headers, body):
        token = self.token_of(headers)
        write = method in ("POST", "PUT", "PATCH", "DELETE")
        if token not in (self.read_token, self.write_token):
            return 401, {"message": "Bad credentials"}
        if write and token != self.write_token:
            return 403, {"message": "Resource not accessible by personal access token"}
        m = re.match(r"^/repos/([\w.-]+)/([\w.-]+)/pulls(?:/(\d+)(/merge)?)?$", path)
        if not m:
            return 404, {"message": "Not Found"}
        name = f"{m.group(1)}/{m.group(2)}"
        if not os.path.isdir(self.repo_dir(name)):
            return 404, {"message": "Not Found"}
        refs = self.refs(name)
        with self.cond:
            if method == "POST" and not m.group(3):
                head, base = body.get("head", ""), body.get("base", "")
                if f"refs/heads/{head}" not in refs or f"refs/heads/{base}" not in refs:
                    return 422, {"message": "Validation Failed", "errors": [{"field": "head", "code": "invalid"}]}
                number = len(self.pulls) + 1
                self.pulls[number] = {"number": number, "repo": name, "title": body.get("title", ""), "body": body.get("body", ""),
                                      "state": "open", "merged": False, "head": {"ref": head, "sha": refs[f"refs/heads/{head}"]},
                                      "base": {"ref": base}, "html_url": f"https://github.com/{name}/pull/{number}"}
                return 201, self.pulls[number]
            pr = self.pulls.get(int(m.group(3) or 0))
            if pr is None or pr["repo"] != name:
                return 404, {"message": "Not Found"}
            pr["head"]["sha"] = refs.get(f"refs/heads/{pr['head']['ref']}", pr["head"]["sha"])
            if method == "GET" and not m.group(4):
                return 200, pr
            if method == "PUT" and m.group(4):
                if pr["state"] != "open":
                    return 405, {"message": "Pull Request is not mergeable"}
                if body.get("sha") and body["sha"] != pr["head"]["sha"]:
                    return 409, {"message": "Head branch was modified. Review and try the merge again."}
                pr["state"], pr["merged"] = "closed", True
                return 200, {"sha": pr["head"]["sha"], "merged": True, "message": "Pull Request successfully merged"}
        return 404, {"message": "Not Found"}

    def state(self):
        with self.cond:
            repos = {}
            base = os.path.join(self.root, "repos")
            for owner in sorted(os.listdir(base)):
                for repo in sorted(os.listdir(os.path.join(base, owner))):
                    name = f"{owner}/{repo[:-4]}"
                    repos[name] = self.refs(name)
            return {"calls": self.calls, "model": self.model_requests, "repos": repos,
                    "pulls": list(self.pulls.values()), "git": self.git_requests, "heartbeat": self.heartbeat.state()}


# ---------------------------------------------------------------------- message helpers
def text_of(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(c.get("text", "") for c in content if isinstance(c, dict) and c.get("type") == "text")
    return ""


def has_tool_result(content):
    return isinstance(content, list) and any(isinstance(c, dict) and c.get("type") == "tool_result" for c in content)


def tool_results(content):
    out = []
    for c in content if isinstance(content, list) else []:
        if isinstance(c, dict) and c.get("type") == "tool_result":
            inner = c.get("content")
            out.append(inner if isinstance(inner, str) else text_of(inner))
    return out


def summarize(body):
    messages = body.get("messages") or []
    results = [r for m in messages if m.get("role") == "user" for r in tool_results(m.get("content"))]
    return {"t": time.time(), "model": body.get("model"), "stream": body.get("stream"), "tools": sorted(t.get("name", "") for t in body.get("tools") or []),
            "messages": len(messages), "lastToolResult": results[-1][-1500:] if results else None}


def stream_events(answer, model):
    """The Messages API's stream for one answer: a text block or one tool_use block."""
    mid = f"msg_{time.time_ns()}"
    events = [("message_start", {"type": "message_start", "message": {"id": mid, "type": "message", "role": "assistant", "model": model,
                                                                       "content": [], "stop_reason": None, "stop_sequence": None,
                                                                       "usage": {"input_tokens": 10, "output_tokens": 1}}})]
    if "tool" in answer:
        events += [
            ("content_block_start", {"type": "content_block_start", "index": 0,
                                     "content_block": {"type": "tool_use", "id": f"toolu_{time.time_ns()}", "name": answer["tool"], "input": {}}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                     "delta": {"type": "input_json_delta", "partial_json": json.dumps(answer["input"])}}),
        ]
        stop = "tool_use"
    else:
        events += [
            ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": answer["text"]}}),
        ]
        stop = "end_turn"
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}, "usage": {"output_tokens": 5}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events).encode()


def message_json(answer, model):
    content = ([{"type": "tool_use", "id": f"toolu_{time.time_ns()}", "name": answer["tool"], "input": answer["input"]}]
               if "tool" in answer else [{"type": "text", "text": answer["text"]}])
    return json.dumps({"id": f"msg_{time.time_ns()}", "type": "message", "role": "assistant", "model": model, "content": content,
                       "stop_reason": "tool_use" if "tool" in answer else "end_turn", "stop_sequence": None,
                       "usage": {"input_tokens": 10, "output_tokens": 5}}).encode()


HOSTS = ("api.telegram.org", "api.anthropic.com", "github.com", "api.github.com", heartbeat.HOST)


def read_body(handler):
    if (handler.headers.get("Transfer-Encoding") or "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                break
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        return b"".join(chunks)
    n = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(n) if n else b""


def params_of(handler, raw, query):
    params = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
    ctype = handler.headers.get("Content-Type") or ""
    if raw and "json" in ctype:
        params.update(json.loads(raw))
    elif raw and "x-www-form-urlencoded" in ctype:
        params.update({k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()})
    elif raw:
        params["_body"] = raw[:2000].decode(errors="replace")
    return params


def reply(handler, status, headers, body):
    handler.send_response(status)
    for k, v in headers.items():
        if k.lower() not in ("content-length", "connection"):
            handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def serve(world, handler, host):
    """Answers one request for one of HOSTS; returns the status for the log."""
    if host == heartbeat.HOST:
        return heartbeat.serve(world.heartbeat, handler)
    url = urllib.parse.urlsplit(handler.path)
    raw = read_body(handler)
    try:
        if host == "api.telegram.org":
            status, obj = world.telegram(url.path, params_of(handler, raw, url.query))
            reply(handler, status, {"Content-Type": "application/json"}, json.dumps(obj).encode())
        elif host == "api.anthropic.com":
            if handler.command != "POST" or not url.path.endswith("/messages"):
                reply(handler, 404, {"Content-Type": "application/json"}, b'{"type":"error","error":{"type":"not_found_error","message":"Not found"}}')
                return 404
            body = json.loads(raw or b"{}")
            answer = world.model(body)
            if body.get("stream"):
                reply(handler, 200, {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}, stream_events(answer, body.get("model", "")))
            else:
                reply(handler, 200, {"Content-Type": "application/json"}, message_json(answer, body.get("model", "")))
            status = 200
        elif host == "github.com":
            status, headers, body = world.git(handler.command, url.path, url.query, handler.headers, raw)
            reply(handler, status, headers, body)
        else:
            status, obj = world.api(handler.command, url.path, handler.headers, json.loads(raw) if raw else {})
            reply(handler, status, {"Content-Type": "application/json"}, json.dumps(obj).encode())
        return status
    except Exception as err:  # the stand-in's own fault: said, never a hang
        world.log(f"coding stand-in error for {host}{url.path}: {err!r}")
        reply(handler, 500, {"Content-Type": "text/plain"}, f"stand-in error: {err!r}\n".encode())
        return 500


def control_handler(world):
    import http.server

    class Control(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/state":
                return reply(self, 200, {"Content-Type": "application/json"}, json.dumps(world.state()).encode())
            reply(self, 404, {}, b"")

        def do_POST(self):
            body = json.loads(read_body(self) or b"{}")
            try:
                if self.path == "/owner/say":
                    result = {"update_id": world.say(body["bot"], body["text"])}
                elif self.path == "/owner/press":
                    result = {"update_id": world.press(body["bot"], body["message_id"], body["data"])}
                elif self.path == "/model/task":
                    world.tasks[body["tag"]] = body["steps"]
                    result = {"ok": True}
                elif self.path == "/repo":
                    result = {"refs": world.make_repo(body["name"], body["files"])}
                elif self.path == "/heartbeat/check":
                    world.heartbeat.add(body["code"], body["name"], body["timeout"], body["grace"])
                    result = {"ok": True}
                else:
                    return reply(self, 404, {}, b"")
            except (KeyError, ValueError, subprocess.CalledProcessError) as err:
                return reply(self, 400, {"Content-Type": "text/plain"}, f"{err!r}\n".encode())
            reply(self, 200, {"Content-Type": "application/json"}, json.dumps(result).encode())

    return Control
