/**
 * The coder's far ends in the rehearsal (rehearsal/standins/coding.py) on their own: the rules
 * they keep from the real services, so that `npm run rehearse:coding` proves what it claims.
 * GitHub: no token 401, any token fetches, only the write token pushes (real `git http-backend`).
 * The model: the next tool call after the task's message, deferred tools through tool_call,
 * a commit id read back, the Messages API's stream events. Telegram: updates by offset, the
 * owner's messages and presses, unknown tokens refused.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { limitMs } from "../limits";

const STANDINS = path.resolve(__dirname, "..", "..", "rehearsal", "standins");
const READ = "github_pat_TEST_read";
const WRITE = "github_pat_TEST_write";

/** Runs Python with `world` (a fresh World) and `h(token)` (request headers) defined; its printed JSON. */
function py(body: string): unknown {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-coding-standin-"));
  const program = [
    "import base64, json, sys",
    `sys.path.insert(0, ${JSON.stringify(STANDINS)})`,
    "import coding",
    `world = coding.World(${JSON.stringify(dir)}, "42", {"chat": "1:chat", "coder": "2:coder"}, ${JSON.stringify(READ)}, ${JSON.stringify(WRITE)}, lambda line: None)`,
    "def h(token=None):",
    "    return {'Authorization': 'Basic ' + base64.b64encode(('x-access-token:' + token).encode()).decode()} if token else {}",
    body,
  ].join("\n");
  const r = spawnSync("python3", ["-c", program], { encoding: "utf8", timeout: limitMs(15) });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

describe("GitHub's stand-in", () => {
  it("keeps GitHub's rule for tokens, through the real git http-backend", () => {
    const out = py(`world.make_repo("owner/app", {"README.md": "hi\\n"})
codes = {}
for who, token in (("none", None), ("read", ${JSON.stringify(READ)}), ("write", ${JSON.stringify(WRITE)}), ("other", "github_pat_x")):
    codes[who] = [world.git("GET", "/owner/app/info/refs", "service=" + s, h(token), b"")[0] for s in ("git-upload-pack", "git-receive-pack")]
codes["missing"] = world.git("GET", "/owner/nope/info/refs", "service=git-upload-pack", h(${JSON.stringify(READ)}), b"")[0]
print(json.dumps(codes))`);
    expect(out).toEqual({ none: [401, 401], read: [200, 403], write: [200, 200], other: [403, 403], missing: 404 });
  });

  it("opens a pull request only with the write token, and merges only the head it was given", () => {
    const out = py(`refs = world.make_repo("owner/app", {"README.md": "hi\\n"})
main = refs["refs/heads/main"]
bearer = lambda t: {"Authorization": "Bearer " + t}
res = {}
res["read"] = world.api("POST", "/repos/owner/app/pulls", bearer(${JSON.stringify(READ)}), {"head": "main", "base": "main"})[0]
res["open"] = world.api("POST", "/repos/owner/app/pulls", bearer(${JSON.stringify(WRITE)}), {"head": "main", "base": "main", "title": "t"})[0]
res["wrongHead"] = world.api("PUT", "/repos/owner/app/pulls/1/merge", bearer(${JSON.stringify(WRITE)}), {"sha": "0" * 40})[0]
res["merge"] = world.api("PUT", "/repos/owner/app/pulls/1/merge", bearer(${JSON.stringify(WRITE)}), {"sha": main})[0]
res["again"] = world.api("PUT", "/repos/owner/app/pulls/1/merge", bearer(${JSON.stringify(WRITE)}), {"sha": main})[0]
print(json.dumps(res))`);
    expect(out).toEqual({ read: 403, open: 201, wrongHead: 409, merge: 200, again: 405 });
  });
});

describe("the scripted model", () => {
  it("answers each request with the task's next call, reads a commit id back, then reports", () => {
    const out = py(`world.tasks["t"] = [{"tool": "exec", "input": {"command": "git rev-parse HEAD"}}, {"tool": "coder_push", "input": {"sha": "{sha}"}}]
user = lambda text: {"role": "user", "content": [{"type": "text", "text": text}]}
result = lambda text: {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "x", "content": text}]}
internal = user("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>> [task:other] <<<END_OPENCLAW_INTERNAL_CONTEXT>>>")
tools = [{"name": "exec"}, {"name": "tool_call"}]
sha = "a" * 40
answers = [
  world.model({"tools": tools, "messages": [user("do it [task:t]"), internal]}),
  world.model({"tools": tools, "messages": [user("do it [task:t]"), internal, result(sha + "\\n")]}),
  world.model({"tools": tools, "messages": [user("do it [task:t]"), result(sha), result("pushed")]}),
  world.model({"tools": [], "messages": [user("summarize [task:t]")]}),
]
print(json.dumps(answers))`);
    expect(out).toEqual([
      { tool: "exec", input: { command: "git rev-parse HEAD" } },
      // coder_push is not offered directly: called through tool_call, as OpenClaw defers it.
      { tool: "tool_call", input: { id: "coder_push", args: { sha: "a".repeat(40) } } },
      { text: "[t] done. Last result: pushed" },
      // A request without tools (a summary, a title) gets text, never a tool call.
      { text: "Nothing to do." },
    ]);
  });

  it("streams as the Messages API does: a tool_use block, then the stop reason", () => {
    const out = py(`frames = coding.stream_events({"tool": "exec", "input": {"command": "ls"}}, "m").decode()
events = [l[len("event: "):] for l in frames.split("\\n") if l.startswith("event: ")]
data = [json.loads(l[len("data: "):]) for l in frames.split("\\n") if l.startswith("data: ")]
print(json.dumps({"events": events, "block": data[1]["content_block"]["type"], "input": json.loads(data[2]["delta"]["partial_json"]), "stop": data[4]["delta"]["stop_reason"]}))`);
    expect(out).toEqual({
      events: ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
      block: "tool_use",
      input: { command: "ls" },
      stop: "tool_use",
    });
  });
});

describe("Telegram's stand-in", () => {
  it("delivers the owner's message and press by offset, numbers what the bot sends, refuses unknown tokens", () => {
    const out = py(`world.say("coder", "hello")
world.press("coder", 7, "tga1:p:o:plugin:x")
first = world.telegram("/bot2:coder/getUpdates", {"offset": 0, "timeout": 0})[1]["result"]
after = world.telegram("/bot2:coder/getUpdates", {"offset": first[-1]["update_id"] + 1, "timeout": 0})[1]["result"]
chat = world.telegram("/bot1:chat/getUpdates", {"timeout": 0})[1]["result"]
sent = world.telegram("/bot2:coder/sendMessage", {"chat_id": 42, "text": "hi"})[1]["result"]["message_id"]
edited = world.telegram("/bot2:coder/editMessageText", {"chat_id": 42, "message_id": sent, "text": "hi!"})[1]["result"]["message_id"]
print(json.dumps({"kinds": [next(k for k in u if k != "update_id") for u in first], "text": first[0]["message"]["text"], "from": first[0]["message"]["from"]["id"],
  "data": first[1]["callback_query"]["data"], "after": after, "chat": chat, "edited": edited == sent,
  "unknown": world.telegram("/bot9:nope/getMe", {})[0]}))`);
    expect(out).toEqual({ kinds: ["message", "callback_query"], text: "hello", from: 42, data: "tga1:p:o:plugin:x", after: [], chat: [], edited: true, unknown: 401 });
  });
});
