/** components/local/tailscale-device.js against a local stand-in for the Tailscale API. */
import { execFile } from "child_process";
import { createServer, IncomingMessage, Server } from "http";
import { AddressInfo } from "net";
import { join } from "path";

interface Seen {
  method?: string;
  url?: string;
  auth?: string;
  body: string;
}

let server: Server;
let base = "";
let seen: Seen[] = [];
let deleteStatus = 200;
/** The stand-in tailnet: what the devices list returns (a device appears after `after` lists). */
interface StandInDevice {
  id: string;
  nodeId: string;
  hostname: string;
  name: string;
  tags: string[];
  addresses: string[];
  created: string;
  after?: number;
}
let devices: StandInDevice[] = [];
/** The last run's stdout alone: adopt prints its JSON there, and its notes on stderr. */
let lastStdout = "";
let lists = 0;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      const rename = /^\/api\/v2\/device\/([^/]+)\/name$/.exec(req.url ?? "");
      if (req.url === "/api/v2/oauth/token") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "oauth-access-token" }));
      } else if (req.method === "GET" && req.url === "/api/v2/tailnet/-/devices?fields=all") {
        lists += 1;
        const visible = devices.filter((d) => (d.after ?? 0) < lists).map(({ after: _after, ...d }) => d);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ devices: visible }));
      } else if (req.method === "POST" && rename) {
        // As the real API: a name another device holds is refused.
        const { name } = JSON.parse(body) as { name: string };
        const d = devices.find((x) => x.id === rename[1]);
        if (!d || devices.some((x) => x !== d && x.name.split(".")[0] === name)) {
          res.writeHead(409).end();
        } else {
          d.name = [name, ...d.name.split(".").slice(1)].join(".");
          res.writeHead(200).end();
        }
      } else {
        if (req.method === "DELETE") devices = devices.filter((d) => `/api/v2/device/${d.nodeId}` !== req.url);
        res.writeHead(deleteStatus).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  deleteStatus = 200;
  devices = [];
  lists = 0;
});

function device(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(__dirname, "../../../components/local/tailscale-device.js"), ...args], { env: { TAILSCALE_BASE_URL: base, OPENCLAW_VPS_POLL_MS: "50", ...env } }, (err, stdout, stderr) => {
      lastStdout = stdout;
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, out: stdout + stderr });
    });
  });
}

describe("tailscale-device.js", () => {
  it("deletes the device with an API key from the environment", async () => {
    const r = await device(["delete", "nABC123"], { TAILSCALE_API_KEY: "tskey-api-x" });
    expect(r).toEqual({ code: 0, out: "removed tailnet device nABC123\n" });
    expect(seen).toEqual([{ method: "DELETE", url: "/api/v2/device/nABC123", auth: "Bearer tskey-api-x", body: "" }]);
  });

  it("exchanges OAuth client credentials for a token first", async () => {
    const r = await device(["delete", "nABC123"], { TAILSCALE_OAUTH_CLIENT_ID: "kID", TAILSCALE_OAUTH_CLIENT_SECRET: "tskey-client-s" });
    expect(r.code).toBe(0);
    expect(seen[0]).toMatchObject({ method: "POST", url: "/api/v2/oauth/token", body: "client_id=kID&client_secret=tskey-client-s" });
    expect(seen[1]).toMatchObject({ method: "DELETE", url: "/api/v2/device/nABC123", auth: "Bearer oauth-access-token" });
  });

  it("treats a device that is already gone as done, and any other failure as an error that says what to do", async () => {
    deleteStatus = 404;
    expect(await device(["delete", "nABC123"], { TAILSCALE_API_KEY: "k" })).toEqual({ code: 0, out: "tailnet device nABC123 was already gone\n" });
    deleteStatus = 403;
    const denied = await device(["delete", "nABC123"], { TAILSCALE_API_KEY: "k" });
    expect(denied.code).toBe(1);
    expect(denied.out).toContain("HTTP 403; remove it in the Tailscale admin console");
  });

  it("refuses a malformed id and runs without credentials only to fail clearly", async () => {
    expect((await device(["delete", "../../../keys"], { TAILSCALE_API_KEY: "k" })).code).toBe(2);
    const none = await device(["delete", "nABC123"], {});
    expect(none.code).toBe(1);
    expect(none.out).toContain("no Tailscale credentials in the environment");
    expect(seen).toEqual([]);
  });

  const stale = (): StandInDevice => ({
    id: "1001",
    nodeId: "nSTALE1CNTRL",
    hostname: "openclaw",
    name: "openclaw.tail1234.ts.net",
    tags: ["tag:openclaw"],
    addresses: ["100.64.0.5", "fd7a:115c:a1e0::5"],
    created: new Date(Date.now() - 2 * 86_400_000).toISOString(),
  });
  const fresh = (extra: Partial<StandInDevice> = {}): StandInDevice => ({
    id: "2002",
    nodeId: "nNEW2CNTRL",
    hostname: "openclaw",
    name: "openclaw-1.tail1234.ts.net",
    tags: ["tag:openclaw", "tag:servers"],
    addresses: ["100.64.0.9", "fd7a:115c:a1e0::9"],
    created: new Date().toISOString(),
    after: 2,
    ...extra,
  });

  it("adopts the server's own device, never an older namesake, and takes back its name", async () => {
    devices = [stale(), fresh()];
    // The stale device holds the name; the real run deletes it first (deleteBeforeReplace).
    devices[0].name = "openclaw-old.tail1234.ts.net";
    const r = await device(["adopt", "openclaw", "tag:openclaw,tag:servers", "10"], { TAILSCALE_API_KEY: "k" });
    expect(r.code).toBe(0);
    const printed = JSON.parse(lastStdout.trim().split("\n").pop() ?? "") as Record<string, string>;
    expect(printed).toEqual({ id: "2002", nodeId: "nNEW2CNTRL", name: "openclaw.tail1234.ts.net", address: "100.64.0.9" });
    expect(lists).toBeGreaterThanOrEqual(3);
    expect(seen.filter((x) => x.method === "POST").map((x) => [x.url, x.body])).toEqual([["/api/v2/device/2002/name", '{"name":"openclaw"}']]);
  });

  it("takes no device that lacks one of the stack's tags, and says so when none appears", async () => {
    devices = [stale(), fresh({ tags: ["tag:other"] })];
    const r = await device(["adopt", "openclaw", "tag:openclaw", "1"], { TAILSCALE_API_KEY: "k" });
    expect(r.code).toBe(1);
    expect(r.out).toContain("no new tailnet device named openclaw with tags tag:openclaw appeared in 1 s (2 older device(s) of that name were not taken)");
    expect(r.out).not.toContain("{");
  });

  it("says what to do when the name cannot be taken back", async () => {
    devices = [stale(), fresh()];
    const r = await device(["adopt", "openclaw", "tag:openclaw", "10"], { TAILSCALE_API_KEY: "k" });
    expect(r.code).toBe(0);
    expect(r.out).toContain("renaming it to openclaw failed (HTTP 409): remove the old openclaw in the admin console and rename it");
    expect(JSON.parse(lastStdout.trim().split("\n").pop() ?? "")).toMatchObject({ nodeId: "nNEW2CNTRL", name: "openclaw-1.tail1234.ts.net" });
  });

  it("delete-recorded removes exactly the node adopt printed (pulumi-command passes it as PULUMI_COMMAND_STDOUT)", async () => {
    devices = [stale(), { ...fresh(), after: 0 }];
    const adopted = JSON.stringify({ id: "2002", nodeId: "nNEW2CNTRL", name: "openclaw.tail1234.ts.net", address: "100.64.0.9" });
    const r = await device(["delete-recorded"], { TAILSCALE_API_KEY: "k", PULUMI_COMMAND_STDOUT: `waiting…\n${adopted}` });
    expect(r).toEqual({ code: 0, out: "removed tailnet device nNEW2CNTRL\n" });
    expect(devices.map((d) => d.nodeId)).toEqual(["nSTALE1CNTRL"]);
    const none = await device(["delete-recorded"], { TAILSCALE_API_KEY: "k" });
    expect(none.code).toBe(1);
    expect(none.out).toContain("no recorded tailnet device");
  });

  it("recorded (the command's update) prints the adopted device again and calls no API: a re-adopt would wait for a new device", async () => {
    devices = [stale(), { ...fresh(), after: 0 }];
    const adopted = JSON.stringify({ id: "2002", nodeId: "nNEW2CNTRL", name: "openclaw.tail1234.ts.net", address: "100.64.0.9" });
    const r = await device(["recorded", "openclaw", "tag:openclaw"], { TAILSCALE_API_KEY: "k", PULUMI_COMMAND_STDOUT: `waiting…\n${adopted}` });
    expect(r.code).toBe(0);
    expect(lastStdout).toBe(`${adopted}\n`);
    expect(seen).toEqual([]);
    // A hostname changed while the server stayed: said, and the device kept.
    const renamed = await device(["recorded", "claw", "tag:openclaw"], { TAILSCALE_API_KEY: "k", PULUMI_COMMAND_STDOUT: adopted });
    expect(renamed.code).toBe(0);
    expect(renamed.out).toContain("the tailnet device keeps its name openclaw until the server is rebuilt (hostname is now claw)");
    expect(lastStdout).toBe(`${adopted}\n`);
    // Nothing recorded: an error that says what to do, not a guess.
    const none = await device(["recorded", "openclaw", "tag:openclaw"], { TAILSCALE_API_KEY: "k" });
    expect(none.code).toBe(1);
    expect(none.out).toContain("no recorded tailnet device");
  });
});
