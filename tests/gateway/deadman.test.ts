/**
 * The dead-man's switch (heartbeatUrl): the server's side is health.js, which sends one
 * heartbeat after every clean check; the other side is a heartbeat service outside the server.
 * Here that service is rehearsal/standins/heartbeat.py, which keeps Healthchecks.io's rules
 * (tested first, on a clock the test moves), then the two together over HTTP on loopback:
 * heartbeats arriving send nothing, heartbeats stopping send exactly one alert once the grace
 * is over, heartbeats returning send one all-clear.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { heartbeatUrl, judgeHealth, nextStatus, sendHeartbeat } from "../../gateway/scripts/health.js";
import { limitMs } from "../limits";

const STANDINS = path.resolve(__dirname, "..", "..", "rehearsal", "standins");
const CODE = "5f0c1d2e-3a4b-4c5d-8e6f-708192a3b4c5";

/** Runs Python with `watch` (a Watch on a clock the program sets with `at(t)`) defined; its printed JSON. */
function py(body: string): unknown {
  const program = [
    "import json, sys",
    `sys.path.insert(0, ${JSON.stringify(STANDINS)})`,
    "import heartbeat",
    "now = [0.0]",
    "def at(t):",
    "    now[0] = float(t)",
    "    watch.tick()",
    "watch = heartbeat.Watch(clock=lambda: now[0])",
    body,
  ].join("\n");
  const r = spawnSync("python3", ["-c", program], { encoding: "utf8", timeout: limitMs(15) });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

describe("the heartbeat service's stand-in keeps Healthchecks' rules", () => {
  it("a new check never alerts; a late one alerts once after period + grace, and once when it is back", () => {
    const out = py(`watch.add("${CODE}", "claw", 300, 600)
seen = {}
at(5000); seen["new, never pinged"] = watch.state()["checks"]["${CODE}"]["status"]
at(5000); watch.ping("${CODE}")
at(5299); seen["in its period"] = len(watch.notifications)
at(5899); seen["in its grace"] = len(watch.notifications)
at(5900); seen["grace over"] = [n["status"] for n in watch.notifications]
at(9000); seen["still down"] = len(watch.notifications)
watch.ping("${CODE}"); seen["back"] = [n["text"] for n in watch.notifications]
at(9100); watch.ping("${CODE}"); seen["up again"] = len(watch.notifications)
print(json.dumps(seen))`);
    expect(out).toEqual({
      "new, never pinged": "new",
      "in its period": 0,
      "in its grace": 0,
      "grace over": ["down"],
      "still down": 1,
      back: ['The check "claw" is DOWN.', 'The check "claw" is now UP.'],
      "up again": 2,
    });
  });

  it("takes /fail and exit statuses as Healthchecks does, and refuses an unknown check", () => {
    const out = py(`watch.add("${CODE}", "claw", 300, 600)
codes = [watch.ping("${CODE}"), watch.ping("${CODE}", "start"), watch.ping("${CODE}", "fail"), watch.ping("${CODE}", "fail"),
         watch.ping("${CODE}", "0"), watch.ping("${CODE}", "3"), watch.ping("${CODE}", "256"), watch.ping("00000000-0000-4000-8000-000000000000")]
print(json.dumps({"codes": codes, "flips": [n["status"] for n in watch.notifications]}))`);
    expect(out).toEqual({ codes: [200, 200, 200, 200, 200, 200, 400, 404], flips: ["down", "up", "down"] });
  });
});

describe("the server's heartbeat and the service, together", () => {
  let service: ChildProcess | undefined;
  let base = "";
  const state = async () => (await (await fetch(`${base}/_state`)).json()) as { checks: Record<string, { status: string; pings: number; lastPing: number }>; notifications: { status: string; text: string; at: number }[] };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Polls until `done` or `seconds` pass (bounded); the last state. */
  const until = async (done: (s: Awaited<ReturnType<typeof state>>) => boolean, seconds: number) => {
    const end = Date.now() + seconds * 1000;
    let s = await state();
    while (!done(s) && Date.now() < end) {
      await sleep(100);
      s = await state();
    }
    return s;
  };

  beforeAll(async () => {
    // A period of 1 s and a grace of 2 s: the service's 5 and 15 minutes, scaled.
    service = spawn("python3", [path.join(STANDINS, "heartbeat.py"), "--check", `${CODE}:claw:1:2`], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      service!.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /listening (\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      service!.on("exit", (code) => reject(new Error(`heartbeat.py exited ${code}`)));
    });
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => service?.kill("SIGKILL"));

  it("heartbeats arrive: nothing; they stop: exactly one alert after the grace; they return: one all-clear", async () => {
    const url = `${base}/${CODE}`;
    // What health.js does each run: judge, and on a clean check send one heartbeat.
    const healthy = { active: "active", health: 200, ready: { status: 200, failing: [], uptimeMs: 3_600_000 } };
    let status = nextStatus(undefined, {}, 0, "claw").status;
    const run = async (facts: typeof healthy) => {
      const problems = judgeHealth(facts, undefined);
      status = nextStatus(status, problems, Date.now(), "claw").status;
      if (status.ok) await sendHeartbeat(url, { tries: 1 });
    };
    for (let i = 0; i < 6; i++) {
      await run(healthy);
      await sleep(300);
    }
    let s = await state();
    expect(s.checks[CODE]).toMatchObject({ status: "up", pings: 6 });
    expect(s.notifications).toEqual([]);

    // The server stops (its checks stop, or find problems: no heartbeat either way).
    await run({ ...healthy, active: "failed" });
    s = await until((x) => x.notifications.length > 0, 30);
    expect(s.notifications.map((n) => n.status)).toEqual(["down"]);
    expect(s.checks[CODE].pings).toBe(6);
    // Not before the period and the grace are over since the last heartbeat.
    expect(s.notifications[0].at - s.checks[CODE].lastPing).toBeGreaterThanOrEqual(3);
    await sleep(2000);
    expect((await state()).notifications).toHaveLength(1);

    // It returns.
    for (let i = 0; i < 3; i++) {
      await run(healthy);
      await sleep(300);
    }
    s = await state();
    expect(s.notifications.map((n) => n.text)).toEqual(['The check "claw" is DOWN.', 'The check "claw" is now UP.']);
    expect(s.checks[CODE].status).toBe("up");
  }, limitMs(20));

  it("reports a refused or unreachable heartbeat without the URL, and reads the URL only from its file", async () => {
    const secretUrl = `${base}/00000000-0000-4000-8000-000000000000`;
    await expect(sendHeartbeat(secretUrl, { tries: 3, pauseMs: 10 })).rejects.toThrow(/^HTTP 404$/);
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    await expect(sendHeartbeat(`http://127.0.0.1:${closed}/${CODE}`, { tries: 2, pauseMs: 10 })).rejects.toThrow(/^could not reach the service \(ECONNREFUSED\)$/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-heartbeat-"));
    const file = path.join(dir, "heartbeat.env");
    expect(heartbeatUrl(file)).toBeUndefined();
    fs.writeFileSync(file, `OPENCLAW_VPS_HEARTBEAT_URL=${base}/${CODE}\n`, { mode: 0o600 });
    expect(heartbeatUrl(file)).toBe(`${base}/${CODE}`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
