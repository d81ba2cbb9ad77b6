/** scripts/tailscale-device.js against a local stand-in for the Tailscale API. */
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

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      if (req.url === "/api/v2/oauth/token") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "oauth-access-token" }));
      } else {
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
});

function device(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(__dirname, "../../scripts/tailscale-device.js"), ...args], { env: { TAILSCALE_BASE_URL: base, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, out: stdout + stderr }),
    );
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
    expect((await device(["delete", "../../keys"], { TAILSCALE_API_KEY: "k" })).code).toBe(2);
    const none = await device(["delete", "nABC123"], {});
    expect(none.code).toBe(1);
    expect(none.out).toContain("no Tailscale credentials in the environment");
    expect(seen).toEqual([]);
  });
});
