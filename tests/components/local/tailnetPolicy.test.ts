/**
 * tailnetPolicy: managed (components/local/tailnet-policy.js): what the deployment needs is added to
 * the user's tailnet policy line by line and removed the same way, every other byte kept. Run
 * as `pulumi up` runs it, against a stand-in of Tailscale's policy API that keeps its rules:
 * the policy is HuJSON, read with an ETag and written with If-Match (412 when it changed in
 * between), and a grant naming a tag no `tagOwners` entry defines is refused (400).
 */
import { execFile } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import { join } from "path";
import { parse } from "jsonc-parser";
import { wantedPolicy } from "../../../components/tailnetPolicy";
import { limitMs } from "../../limits";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { addTo, removeFrom } = require("../../../components/local/tailnet-policy.js") as {
  addTo: (text: string, want: unknown) => { text: string; added: string[] };
  removeFrom: (text: string, deployment: string, added: string[]) => { text: string; kept: string[] };
};

const USER_POLICY = `// The team's policy: hand-written, with comments.
{
  "groups": { "group:ops": ["alice@example.com"] },
  "tagOwners": {
    "tag:web": ["group:ops"], // the web servers
  },
  "grants": [
    // Everyone may reach the web servers.
    {"src": ["autogroup:member"], "dst": ["tag:web"], "ip": ["tcp:443"]},
  ],
  "ssh": [],
}
`;
const want = wantedPolicy("openclaw-vps-prod", ["tag:openclaw"], "managed");

describe("the edit itself", () => {
  it("adds only what is missing, each line marked, and keeps every line of the user's policy in order", () => {
    const { text, added } = addTo(USER_POLICY, want);
    expect(added).toEqual([
      '    "tag:openclaw": ["autogroup:admin"],',
      '    {"src":["autogroup:admin"],"dst":["tag:openclaw"],"ip":["tcp:22"]},',
      '    {"src":["autogroup:member"],"dst":["tag:openclaw"],"ip":["tcp:443"]},',
    ]);
    const kept = text.split("\n").filter((l) => !added.includes(l) && !l.includes("// openclaw-vps openclaw-vps-prod:"));
    expect(kept.join("\n")).toBe(USER_POLICY);
    const policy = parse(text, [], { allowTrailingComma: true }) as { tagOwners: Record<string, string[]>; grants: unknown[] };
    expect(policy.tagOwners).toEqual({ "tag:openclaw": ["autogroup:admin"], "tag:web": ["group:ops"] });
    expect(policy.grants).toHaveLength(3);
    // Applied again: nothing more.
    expect(addTo(text, want)).toEqual({ text, added: [] });
    // Removed: the user's policy, byte for byte.
    expect(removeFrom(text, "openclaw-vps-prod", added)).toEqual({ text: USER_POLICY, kept: [] });
  });

  it("leaves a tag the user already owns, and a grant the user already has, to the user", () => {
    const owned = USER_POLICY.replace('"tag:web": ["group:ops"],', '"tag:web": ["group:ops"], "tag:openclaw": ["group:ops"],').replace(
      '"ip": ["tcp:443"]},',
      '"ip": ["tcp:443"]},\n    {"src": ["autogroup:admin"], "dst": ["tag:openclaw"], "ip": ["tcp:22"]},',
    );
    const { text, added } = addTo(owned, want);
    expect(added).toEqual(['    {"src":["autogroup:member"],"dst":["tag:openclaw"],"ip":["tcp:443"]},']);
    expect((parse(text, [], { allowTrailingComma: true }) as { tagOwners: Record<string, string[]> }).tagOwners["tag:openclaw"]).toEqual(["group:ops"]);
  });

  it("leaves a line a person changed since it was added", () => {
    const { text, added } = addTo(USER_POLICY, want);
    const edited = text.replace('"ip":["tcp:22"]', '"ip":["tcp:22","tcp:80"]');
    const removed = removeFrom(edited, "openclaw-vps-prod", added);
    expect(removed.kept).toEqual(['{"src":["autogroup:admin"],"dst":["tag:openclaw"],"ip":["tcp:22"]},']);
    expect(removed.text).toContain('"ip":["tcp:22","tcp:80"]');
  });

  it("starts a section the policy does not have", () => {
    const { text } = addTo('{\n  "acls": [],\n}\n', wantedPolicy("d", ["tag:openclaw"], "managed-with-ci"));
    const policy = parse(text, [], { allowTrailingComma: true }) as { tagOwners: Record<string, string[]>; grants: { src: string[] }[]; acls: unknown[] };
    expect(Object.keys(policy.tagOwners).sort()).toEqual(["tag:ci", "tag:openclaw"]);
    expect(policy.grants.map((g) => g.src[0])).toEqual(["autogroup:admin", "autogroup:member", "tag:ci"]);
    expect(policy.acls).toEqual([]);
  });
});

describe("through the policy API, as pulumi up runs it", () => {
  /** Tailscale's policy API: HuJSON, ETag and If-Match, tags in grants must be owned. */
  async function standIn(initial: string) {
    const s = { text: initial, writes: 0, etag: () => `"${Buffer.from(s.text).toString("base64").slice(0, 16)}${s.text.length}"`, meddle: 0 };
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
          res.writeHead(status, headers);
          res.end(text);
        };
        if (req.url === "/api/v2/oauth/token" && req.method === "POST") return reply(200, JSON.stringify({ access_token: "pol-token" }));
        if (req.headers.authorization !== "Bearer pol-token") return reply(401, "{}");
        if (req.url !== "/api/v2/tailnet/-/acl") return reply(404, "{}");
        if (req.method === "GET") {
          const answer = s.text;
          const etag = s.etag();
          // Someone edits the policy right after this read (as often as asked).
          if (s.meddle > 0) {
            s.meddle--;
            s.text = s.text.replace('"ssh": [],', '"ssh": [], "nodeAttrs": [],');
          }
          return reply(200, answer, { etag, "content-type": "application/hujson" });
        }
        if (req.method === "POST") {
          if (req.headers["if-match"] && req.headers["if-match"] !== s.etag()) return reply(412, JSON.stringify({ message: "precondition failed, invalid old hash" }));
          const errors: unknown[] = [];
          const policy = parse(body, errors as never[], { allowTrailingComma: true }) as { tagOwners?: Record<string, unknown>; grants?: { src: string[]; dst: string[] }[] };
          if (errors.length > 0) return reply(400, JSON.stringify({ message: "parse error" }));
          for (const g of policy.grants ?? []) {
            for (const t of [...g.src, ...g.dst].filter((x) => x.startsWith("tag:"))) {
              if (!(t in (policy.tagOwners ?? {}))) return reply(400, JSON.stringify({ message: `tag "${t}" not found in tagOwners` }));
            }
          }
          s.text = body;
          s.writes++;
          return reply(200, body);
        }
        return reply(405, "{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { s, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
  }
  const script = join(__dirname, "../../../components/local/tailnet-policy.js");
  const runScript = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", timeout: limitMs(15) }, (_e, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }),
      );
    });

  it("adds, changes nothing on a second run, rereads a policy changed in between, and removes exactly what it added", async () => {
    const api = await standIn(USER_POLICY);
    try {
      const env = { TAILSCALE_BASE_URL: api.base, TAILSCALE_OAUTH_CLIENT_ID: "kPOL", TAILSCALE_OAUTH_CLIENT_SECRET: "tskey-client-kPOL-x", OPENCLAW_VPS_POLICY_WANT: JSON.stringify(want) };
      api.s.meddle = 1;
      const applied = await runScript(["apply"], env);
      expect(applied.code).toBe(0);
      expect(applied.stderr).toContain("the policy changed while it was being updated; reading it again (1/5)");
      // The change made in between is kept.
      expect(api.s.text).toContain('"ssh": [], "nodeAttrs": [],');
      expect(api.s.writes).toBe(1);
      const recorded = applied.stdout.trim();
      expect(JSON.parse(recorded)).toMatchObject({ deployment: "openclaw-vps-prod", added: expect.arrayContaining(['    "tag:openclaw": ["autogroup:admin"],']) });

      const again = await runScript(["apply"], env);
      expect(again.stderr).toContain("the policy already has what this deployment needs");
      expect(api.s.writes).toBe(1);

      // The command's update (a credential or the helper's path changed): the record is kept
      // as it was, and the policy is neither read nor written.
      const writes = api.s.writes;
      const kept = await runScript(["recorded"], { ...env, PULUMI_COMMAND_STDOUT: recorded });
      expect({ code: kept.code, stdout: kept.stdout.trim(), writes: api.s.writes }).toEqual({ code: 0, stdout: recorded, writes });
      const nothing = await runScript(["recorded"], env);
      expect(JSON.parse(nothing.stdout)).toEqual({ deployment: "openclaw-vps-prod", added: [] });

      const removed = await runScript(["remove"], { ...env, PULUMI_COMMAND_STDOUT: recorded });
      expect(removed.code).toBe(0);
      expect(api.s.text).toBe(USER_POLICY.replace('"ssh": [],', '"ssh": [], "nodeAttrs": [],'));
    } finally {
      api.close();
    }
  });

  it("fails with the API's reason when the policy refuses the change, and changes nothing", async () => {
    // A grant for a tag nobody owns: the API refuses it, as Tailscale does.
    const api = await standIn(USER_POLICY);
    try {
      const broken = { deployment: "d", tagOwners: {}, grants: [{ src: ["tag:nobody"], dst: ["tag:openclaw"], ip: ["tcp:22"] }] };
      const r = await runScript(["apply"], { TAILSCALE_BASE_URL: api.base, TAILSCALE_API_KEY: "pol-token", OPENCLAW_VPS_POLICY_WANT: JSON.stringify(broken) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('tailnet-policy: writing the tailnet policy: HTTP 400 {"message":"tag \\"tag:nobody\\" not found in tagOwners"}');
      expect(api.s.text).toBe(USER_POLICY);
    } finally {
      api.close();
    }
  });
});
