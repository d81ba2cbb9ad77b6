/**
 * Our posture on the live openclaw.json (gateway/posture.ts renders posture.json from the
 * same settings as the config; judge.js `posture` compares, run by verify.sh and so by the
 * daily self-check). The held variants of issue 22 each pass OpenClaw's own checks
 * (tests/conformance/posture.test.ts) and must be refused here, naming each key they change;
 * the rendered configs, with coding off and on, must pass.
 */
import { judgePosture } from "../../gateway/scripts/judge.js";
import { GatewaySettings, renderOpenclawJson } from "../../gateway/openclawConfig";
import { POSTURE_FILE } from "../../gateway/paths";
import { gatewayFiles, posture, renderPostureJson } from "../../gateway";
import { INTRUDER, OWNER, RenderedPosture, VARIANTS, renderExample, weakened } from "./posture/variants";

type Json = Record<string, unknown>;

let hetzner: RenderedPosture;
let coding: RenderedPosture;
beforeAll(async () => {
  [hetzner, coding] = await Promise.all([renderExample(false), renderExample(true)]);
});

/** The rendered config, changed by `edit`, judged against the rendered posture. */
function judgeEdited(r: RenderedPosture, edit: (c: Json) => void): string[] {
  const c = JSON.parse(r.config) as Json;
  edit(c);
  return judgePosture(JSON.stringify(c), r.posture);
}
const agents = (c: Json) => c.agents as { defaults: Json; entries: Record<string, Json> };
const telegram = (c: Json) => (c.channels as { telegram: Json }).telegram;

describe("the rendered configs", () => {
  it("pass: examples/hetzner.yaml, and the same stack with coding on (a second agent, two bots, the coder's own sandbox)", () => {
    expect(judgePosture(hetzner.config, hetzner.posture)).toEqual([]);
    expect(judgePosture(coding.config, coding.posture)).toEqual([]);
    // The coding posture covers what coding adds, not the chat-only shape.
    const paths = (p: string) => (JSON.parse(p) as { rules: { path: string[] }[] }).rules.map((r) => r.path.join("."));
    expect(paths(coding.posture)).toEqual(expect.arrayContaining(["agents.entries.coder.sandbox", "agents.entries.coder.workspace", "channels.telegram.accounts.coder.allowFrom"]));
    expect(judgePosture(hetzner.config, coding.posture).length).toBeGreaterThan(0);
    expect(judgePosture(coding.config, hetzner.posture).length).toBeGreaterThan(0);
  });

  it.each([
    ["Telegram off", {}],
    ["pairing without an owner", { telegram: { dmPolicy: "pairing" } }],
    ["allowlist with an owner, bridge network", { telegram: { dmPolicy: "allowlist", ownerId: OWNER }, sandboxNetwork: "bridge" }],
    ["coding on", { telegram: { dmPolicy: "allowlist", ownerId: OWNER }, coding: { ownerId: OWNER, gitAuthorName: "A", gitAuthorEmail: "a@example.com", repositories: [], readToken: true, approvalTimeoutSeconds: 300 } }],
  ] as const)("pass for every shape of settings: %s", (_name, extra) => {
    const s: GatewaySettings = { tailnetHost: "claw.tail1234.ts.net", models: { anthropic: false, openai: true }, sandboxImage: "i", sandboxNetwork: "none", ...extra };
    expect(judgePosture(renderOpenclawJson(s), renderPostureJson(s))).toEqual([]);
    // Every rule names a key of the config or states that nothing is set there.
    expect(posture(s).rules.length).toBeGreaterThan(40);
  });

  it("ship as posture.json beside openclaw.json, root's and readable, from the same settings", () => {
    const s: GatewaySettings = { tailnetHost: "claw.tail1234.ts.net", models: { anthropic: true, openai: false }, sandboxImage: "i", sandboxNetwork: "none" };
    const file = gatewayFiles(s).find((f) => f.path === POSTURE_FILE);
    expect(file).toMatchObject({ artifact: "posture.json", path: "/etc/openclaw-vps/posture.json", mode: "0644", content: renderPostureJson(s) });
  });
});

describe.each(VARIANTS.map((v) => [v.name, v] as const))("the held variant %s", (_name, v) => {
  it("is refused on the config of examples/hetzner.yaml, naming each key it changed, expected and found", () => {
    expect(judgePosture(weakened(hetzner.config, v), hetzner.posture)).toEqual(v.problems);
  });
  it("is refused on the same stack with coding on", () => {
    expect(judgePosture(weakened(coding.config, v), coding.posture)).toEqual(v.problems);
  });
});

describe("the other ways around the posture", () => {
  it("refuses an agent added with its own weaker sandbox, a per-agent override, and the coder's workspace moved", () => {
    expect(
      judgeEdited(coding, (c) => {
        agents(c).entries.helper = { name: "Helper", sandbox: { mode: "off" }, tools: { profile: "full" } };
        agents(c).entries.coder.workspace = "/home/openclaw";
        ((agents(c).entries.coder.sandbox as Json).docker as Json).network = "bridge";
      }),
    ).toEqual([
      "posture: agents.entries.helper is set, expected only coder, main",
      'posture: agents.entries.coder.sandbox.docker.network is "bridge", expected "openclaw-coder"',
      'posture: agents.entries.coder.workspace is "/home/openclaw", expected "/home/openclaw/coder-workspace"',
    ]);
  });

  it("refuses a global tool policy widened, the exec host moved, elevated tools on, and a denied tool allowed again", () => {
    expect(
      judgeEdited(hetzner, (c) => {
        const tools = c.tools as Json;
        tools.profile = "full";
        tools.exec = { host: "gateway" };
        tools.elevated = { enabled: true };
        (agents(c).entries.main.tools as Json).deny = ["group:automation"];
      }),
    ).toEqual([
      'posture: tools.profile is "full", expected "messaging"',
      "posture: tools.elevated.enabled is true, expected false",
      'posture: tools.exec.host is "gateway", expected "sandbox"',
      'posture: agents.entries.main.tools.deny is ["group:automation"], expected ["group:automation","group:runtime","group:fs","sessions_spawn","sessions_send"]',
    ]);
  });

  it("refuses the gateway's bind, auth, proxies and origins changed", () => {
    expect(
      judgeEdited(hetzner, (c) => {
        const g = c.gateway as Json;
        g.bind = "lan";
        (g.auth as Json).mode = "password";
        g.trustedProxies = ["127.0.0.1", "10.0.0.0/8"];
        (g.controlUi as Json).allowedOrigins = ["https://openclaw.tail1234.ts.net", "https://evil.example"];
      }),
    ).toEqual([
      'posture: gateway.bind is "lan", expected "loopback"',
      'posture: gateway.auth.mode is "password", expected "token"',
      'posture: gateway.trustedProxies is ["127.0.0.1","10.0.0.0/8"], expected ["127.0.0.1"]',
      'posture: gateway.controlUi.allowedOrigins is ["https://openclaw.tail1234.ts.net","https://evil.example"], expected ["https://openclaw.tail1234.ts.net"]',
    ]);
  });

  it("refuses groups turned on, and owners added per Telegram account", () => {
    expect(
      judgeEdited(coding, (c) => {
        telegram(c).groupPolicy = "open";
        (telegram(c).accounts as Record<string, Json>).coder.allowFrom = [INTRUDER];
      }),
    ).toEqual([`posture: channels.telegram.groupPolicy is "open", expected "disabled"`, `posture: channels.telegram.accounts.coder.allowFrom is ["${INTRUDER}"], expected not set`]);
    expect(judgeEdited(hetzner, (c) => void (telegram(c).accounts = { extra: { dmPolicy: "open" } }))).toEqual([
      'posture: channels.telegram.accounts.extra.dmPolicy is "open", expected not set',
    ]);
  });

  it("refuses Telegram turned on where the deployment has none", () => {
    const s: GatewaySettings = { tailnetHost: "claw.tail1234.ts.net", models: { anthropic: false, openai: false }, sandboxImage: "i", sandboxNetwork: "none" };
    const c = JSON.parse(renderOpenclawJson(s)) as Json;
    c.channels = { telegram: { enabled: true, dmPolicy: "open" } };
    expect(judgePosture(JSON.stringify(c), renderPostureJson(s))).toEqual([
      'posture: channels.telegram.dmPolicy is "open", expected not set',
      "posture: channels.telegram.enabled is true, expected not set",
    ]);
  });

  it("judges nothing OpenClaw writes itself: the first command owner a pairing approval sets, its bookkeeping, key order", () => {
    expect(
      judgeEdited(hetzner, (c) => {
        (c.commands as Json).ownerAllowFrom = [`telegram:${OWNER}`];
        c.meta = { lastTouchedVersion: "2026.9.6" };
        const docker = (agents(c).defaults.sandbox as Json).docker as Json;
        (agents(c).defaults.sandbox as Json).docker = Object.fromEntries(Object.entries(docker).reverse());
      }),
    ).toEqual([]);
  });
});

describe("the posture file", () => {
  it("fails closed: not JSON, another version, an unknown rule, a config that is not JSON", () => {
    expect(judgePosture(hetzner.config, "")).toEqual(["posture: posture.json is not JSON"]);
    expect(judgePosture(hetzner.config, '{"version":2,"rules":[]}')).toEqual(["posture: posture.json is not version 1 with a list of rules (unknown shape)"]);
    expect(judgePosture(hetzner.config, '{"version":1,"rules":[{"path":["gateway","bind"],"matches":"loop.*"}]}')).toEqual([
      'posture: posture.json has a rule this check does not know: {"path":["gateway","bind"],"matches":"loop.*"}',
    ]);
    expect(judgePosture(hetzner.config, '{"version":1,"rules":[{"path":["gateway","bind"],"equals":"loopback","absent":true}]}')).toHaveLength(1);
    expect(judgePosture("{", hetzner.posture)).toEqual(["posture: openclaw.json printed no JSON: {"]);
  });
});
