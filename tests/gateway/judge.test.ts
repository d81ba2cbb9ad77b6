/**
 * The gate's judgements (gateway/scripts/judge.js, run by verify.sh and configure.sh on the
 * server): each unsafe or unknown shape must be a problem, and the real clean documents none.
 */
import {
  MODEL_KEY_NAMES,
  auditCounts,
  canonicalAddress,
  describeTelegram,
  judgeAudit,
  judgeCoding,
  judgeListeners,
  judgeSecretsAudit,
  judgeServe,
  judgeTelegram,
  judgeValidate,
  tailnetAddresses,
} from "../../gateway/scripts/judge.js";
import { ENV_NAMES, GatewaySettings, renderOpenclawJson } from "../../gateway/openclawConfig";

/** What `openclaw security audit --json` printed for the rendered config (2026.9.6). */
const CLEAN_AUDIT = {
  ts: 1796114338802,
  summary: { critical: 0, warn: 0, info: 1 },
  findings: [{ checkId: "summary.attack_surface", severity: "info", title: "Attack surface summary" }],
};
/** What 2026.9.5 printed, exit 1, on a state directory 2026.9.6 had written. */
const REFUSED = {
  ok: false,
  error: {
    type: "cli_error",
    message:
      "This OpenClaw build cannot open your existing data.\nOpenClaw state database /home/openclaw/.openclaw/state/openclaw.sqlite uses newer schema version 18; this build supports 17.",
  },
};
const json = (v: unknown) => JSON.stringify(v);

describe("judgeAudit", () => {
  it("passes the real clean audit", () => {
    expect(judgeAudit(json(CLEAN_AUDIT))).toEqual([]);
    expect(auditCounts(json(CLEAN_AUDIT))).toEqual({ critical: 0, warn: 0, info: 1 });
  });

  it("fails on the CLI's error document (a version that refuses the state), naming the reason", () => {
    const problems = judgeAudit(json(REFUSED));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^openclaw security audit failed: This OpenClaw build cannot open your existing data\. OpenClaw state database/);
    expect(auditCounts(json(REFUSED))).toEqual({ critical: null, warn: null, info: null });
  });

  it.each([
    ["nothing at all", ""],
    ["not JSON", "[state-migrations] Auto-migrated legacy state"],
    ["a list", "[]"],
    ["criticals in the summary and no findings", json({ summary: { critical: 2, warn: 0, info: 0 } })],
    ["findings under another key", json({ summary: { critical: 0, warn: 0, info: 0 }, results: [{ severity: "critical" }] })],
    ["a summary without counts", json({ summary: {}, findings: [] })],
    ["counts as text", json({ summary: { critical: "0", warn: "0" }, findings: [] })],
    ["CRITICAL in capitals", json({ summary: { critical: 0, warn: 0, info: 0 }, findings: [{ checkId: "x", severity: "CRITICAL", title: "t" }] })],
    ["warning", json({ summary: { critical: 0, warn: 0, info: 0 }, findings: [{ checkId: "x", severity: "warning", title: "t" }] })],
    ["high", json({ summary: { critical: 0, warn: 0, info: 0 }, findings: [{ checkId: "x", severity: "high", title: "t" }] })],
    ["a finding without a severity", json({ summary: { critical: 0, warn: 0, info: 0 }, findings: [{ checkId: "x" }] })],
    ["an unknown severity", json({ summary: { critical: 0, warn: 0, info: 0 }, findings: [{ checkId: "x", severity: "notice" }] })],
    ["a warn in the summary only", json({ summary: { critical: 0, warn: 1, info: 0 }, findings: [] })],
  ])("fails on %s", (_label, text) => {
    expect(judgeAudit(text).length).toBeGreaterThan(0);
  });
});

describe("judgeValidate", () => {
  it("passes valid with no warnings", () => {
    expect(judgeValidate(json({ valid: true, path: "/home/openclaw/.openclaw/openclaw.json", warnings: [] }))).toEqual([]);
  });
  it.each([
    ["invalid", json({ valid: false, errors: [{ path: "gateway.bind" }] })],
    ["valid with a warning", json({ valid: true, warnings: [{ message: "legacy key" }] })],
    ["the CLI's error document", json(REFUSED)],
    ["no JSON", "Error: boom"],
    ["no verdict", json({ path: "x" })],
  ])("fails on %s", (_label, text) => {
    expect(judgeValidate(text).length).toBeGreaterThan(0);
  });
});

describe("judgeServe", () => {
  const dns = "openclaw.tail1234.ts.net";
  const route = (proxy = "http://127.0.0.1:18789", host = `${dns}:443`) => ({ TCP: { "443": { HTTPS: true } }, Web: { [host]: { Handlers: { "/": { Proxy: proxy } } } } });

  it("passes exactly the one route this deployment owns (the name may end with a dot)", () => {
    expect(judgeServe(json(route()), dns)).toEqual([]);
    expect(judgeServe(json(route()), `${dns}.`)).toEqual([]);
  });

  it.each([
    ["no route", {}],
    ["Funnel on", { ...route(), AllowFunnel: { [`${dns}:443`]: true } }],
    ["Funnel inside a foreground session", { Foreground: { "0123456789abcdef": { ...route(), AllowFunnel: { [`${dns}:443`]: true } } } }],
    ["a foreground session (the gateway managing Serve itself)", { Foreground: { "0123456789abcdef": route("http://127.0.0.1:40123") } }],
    ["another backend", route("http://127.0.0.1:8080")],
    ["the gateway on all addresses", route("http://0.0.0.0:18789")],
    ["a stale name", route(undefined, "claw.tail1234.ts.net:443")],
    ["a second port", { ...route(), TCP: { "443": { HTTPS: true }, "8443": { HTTPS: true } } }],
    ["plain TCP forwarding", { TCP: { "443": { TCPForward: "127.0.0.1:22" } } }],
    ["a second path", { ...route(), Web: { [`${dns}:443`]: { Handlers: { "/": { Proxy: "http://127.0.0.1:18789" }, "/files": { Path: "/" } } } } }],
    ["an unknown key", { ...route(), Services: { "svc:x": {} } }],
  ])("fails on %s", (_label, status) => {
    expect(judgeServe(json(status), dns).length).toBeGreaterThan(0);
  });

  it("fails on output that is not JSON", () => {
    expect(judgeServe("failed to connect to local tailscaled", dns)).toEqual([expect.stringMatching(/printed no JSON/)]);
  });
});

describe("judgeTelegram", () => {
  const config = (telegram: unknown) => json({ channels: { telegram } });
  const safe = { dmPolicy: "pairing", groupPolicy: "disabled", configWrites: false, allowFrom: ["42"] };

  it("passes Telegram off, and pairing or allowlist with groups off", () => {
    expect(judgeTelegram(json({ gateway: {} }))).toEqual([]);
    expect(judgeTelegram(config(safe))).toEqual([]);
    expect(judgeTelegram(config({ ...safe, dmPolicy: "allowlist" }))).toEqual([]);
    expect(describeTelegram(config(safe))).toBe("pairing, groups disabled");
    expect(describeTelegram(json({}))).toBe("off");
  });

  it.each([
    ["open DMs", { ...safe, dmPolicy: "open" }],
    ["a wildcard sender", { ...safe, allowFrom: ["*"] }],
    ["groups on", { ...safe, groupPolicy: "allowlist" }],
    ["config writes on", { ...safe, configWrites: true }],
  ])("fails on %s", (_label, telegram) => {
    expect(judgeTelegram(config(telegram)).length).toBeGreaterThan(0);
  });
});

/** What `ip -o addr show dev tailscale0` printed for a node with both tailnet addresses. */
const TAILSCALE0 = [
  "3: tailscale0    inet 100.100.1.2/32 scope global tailscale0\\       valid_lft forever preferred_lft forever",
  "3: tailscale0    inet6 fd7a:115c:a1e0::2/128 scope global nodad \\       valid_lft forever preferred_lft forever",
  "3: tailscale0    inet6 fe80::3cf3:53ff:fed6:dec0/64 scope link \\       valid_lft forever preferred_lft forever",
].join("\n");
/** `ss -Hltnp` lines in its real format (iproute2 6.1), one per listener. */
const ss = (local: string, proc = '("python3",pid=4242,fd=3)', peer = "0.0.0.0:*") => `LISTEN 0      128    ${local} ${peer} users:(${proc})`;

describe("judgeListeners", () => {
  it("reads tailscale0's addresses, link-local included, and none when the device is missing", () => {
    expect(tailnetAddresses(TAILSCALE0)).toEqual(["100.100.1.2", "fd7a:115c:a1e0:0:0:0:0:2", "fe80:0:0:0:3cf3:53ff:fed6:dec0"]);
    expect(tailnetAddresses('Device "tailscale0" does not exist.')).toEqual([]);
    expect(tailnetAddresses("")).toEqual([]);
  });

  it("with coding on, lets the coder's proxy listen on its bridge address, and nothing else there", () => {
    const proxy = "172.31.240.1:3128 tinyproxy";
    expect(judgeListeners(ss("172.31.240.1:3128", '("tinyproxy",pid=9,fd=3)'), TAILSCALE0, proxy)).toEqual([]);
    expect(judgeListeners(ss("172.31.240.1:3128", '("tinyproxy",pid=9,fd=3)'), TAILSCALE0)).toEqual([expect.stringMatching(/172.31.240.1:3128 \(tinyproxy pid 9\) is reachable/)]);
    expect(judgeListeners(ss("172.31.240.1:3128", '("nc",pid=9,fd=3)'), TAILSCALE0, proxy)).toHaveLength(1);
    expect(judgeListeners(ss("172.31.240.1:3128", undefined), TAILSCALE0, proxy)).toHaveLength(1);
    expect(judgeListeners(ss("172.31.240.1:8080", '("tinyproxy",pid=9,fd=3)'), TAILSCALE0, proxy)).toHaveLength(1);
    expect(judgeListeners(ss("0.0.0.0:3128", '("tinyproxy",pid=9,fd=3)'), TAILSCALE0, proxy)).toHaveLength(1);
  });

  it("compares addresses in one form: compressed IPv6, IPv4-mapped, brackets", () => {
    expect(canonicalAddress("[::ffff:127.0.0.1]")).toBe("127.0.0.1");
    expect(canonicalAddress("::ffff:7f00:1")).toBe("127.0.0.1");
    expect(canonicalAddress("FD7A:115C:A1E0:0::2")).toBe("fd7a:115c:a1e0:0:0:0:0:2");
    expect(canonicalAddress("[::1]")).toBe("0:0:0:0:0:0:0:1");
    expect(canonicalAddress("1::2::3")).toBeNull();
    expect(canonicalAddress("256.0.0.1")).toBeNull();
  });

  it("passes what a clean server listens on: the gateway on loopback, sshd on the tailnet addresses, resolved on lo", () => {
    const clean = [
      ss("127.0.0.1:18789", '("openclaw-gatewa",pid=873,fd=65)'),
      ss("[::1]:18789", '("openclaw-gatewa",pid=873,fd=66)', "[::]:*"),
      ss("100.100.1.2:22", '("sshd",pid=700,fd=3),("systemd",pid=1,fd=51)'),
      ss("[fd7a:115c:a1e0::2]:22", '("sshd",pid=700,fd=4),("systemd",pid=1,fd=52)', "[::]:*"),
      ss("127.0.0.53%lo:53", '("systemd-resolve",pid=500,fd=14)'),
      ss("127.0.0.54:53", '("systemd-resolve",pid=500,fd=16)'),
      ss("100.100.1.2:443", '("tailscaled",pid=600,fd=20)'),
      ss("[::ffff:127.0.0.1]:9000", undefined, "*:*"),
      ss("0.0.0.0%tailscale0:8443"),
      ss("*%tailscale0:8444", undefined, "*:*"),
      ss("[::]%tailscale0:8445", undefined, "[::]:*"),
      ss("0.0.0.0%lo:9001"),
      ss("127.0.0.2:9002"),
      "",
    ].join("\n");
    expect(judgeListeners(clean, TAILSCALE0)).toEqual([]);
    // ss without -p (or a stand-in) prints no process column.
    expect(judgeListeners("LISTEN 0 511 127.0.0.1:18789 0.0.0.0:*", "")).toEqual([]);
    expect(judgeListeners("", "")).toEqual([]);
  });

  it.each([
    ["IPv4 wildcard", "0.0.0.0:8080"],
    ["IPv6 wildcard", "[::]:8080"],
    ["dual-stack wildcard", "*:8080"],
    ["a public IPv4 address", "203.0.113.10:8080"],
    ["a public IPv6 address", "[2001:db8::10]:8080"],
    ["a public address, IPv4-mapped", "[::ffff:203.0.113.10]:8080"],
    ["another device", "0.0.0.0%eth0:8080"],
    ["a link-local address on eth0", "[fe80::1]%eth0:8080"],
    ["a tailnet address this node does not hold", "100.100.9.9:8080"],
    ["a docker bridge address", "172.17.0.1:8080"],
    ["sshd on every address, as before the tailnet join", "0.0.0.0:22"],
  ])("fails on %s, naming the address and the process", (_label, local) => {
    const problems = judgeListeners([ss("127.0.0.1:18789"), ss(local, '("evil",pid=31337,fd=3)')].join("\n"), TAILSCALE0);
    expect(problems).toEqual([`listeners: ${local} (evil pid 31337) is reachable beyond loopback and the tailnet`]);
  });

  it("names every process sharing a socket (systemd socket activation)", () => {
    expect(judgeListeners(ss("*:22", '("sshd",pid=700,fd=3),("systemd",pid=1,fd=51)', "*:*"), TAILSCALE0)).toEqual([
      "listeners: *:22 (sshd pid 700, systemd pid 1) is reachable beyond loopback and the tailnet",
    ]);
  });

  it("holds only while tailscale0 holds the address: with the device gone, a tailnet address fails", () => {
    expect(judgeListeners(ss("100.100.1.2:22", '("sshd",pid=700,fd=3)'), "")).toHaveLength(1);
  });

  it.each([
    ["another state", "ESTAB 0 0 127.0.0.1:18789 127.0.0.1:5000"],
    ["too few columns", "LISTEN 0 128 0.0.0.0:22"],
    ["an address it cannot read", "LISTEN 0 128 localhost:22 0.0.0.0:*"],
    ["a header line", "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process"],
  ])("fails on a line it does not know: %s", (_label, line) => {
    expect(judgeListeners(line, TAILSCALE0)).toEqual([expect.stringMatching(/^listeners: ss printed a line this check does not know/)]);
  });
});

/** What `openclaw secrets audit --json` printed (2026.9.6) for the rendered config, with an Anthropic key in .env. */
const STATE = "/home/openclaw/.openclaw";
const secretsReport = (findings: unknown[], extra: Record<string, unknown> = {}) => ({
  version: 1,
  status: findings.length > 0 ? "findings" : "clean",
  resolution: { refsChecked: 2, skippedExecRefs: 0, resolvabilityComplete: true },
  filesScanned: [`${STATE}/.env`, `${STATE}/openclaw.json`],
  summary: { plaintextCount: findings.length, unresolvedRefCount: 0, shadowedRefCount: 0, storeResidueCount: 0, legacyResidueCount: 0 },
  findings,
  ...extra,
});
const envKey = (name: string, file = `${STATE}/.env`) => ({
  code: "PLAINTEXT_FOUND",
  severity: "warn",
  file,
  jsonPath: `$env.${name}`,
  message: `Potential secret found in .env (${name}).`,
});
/** The real finding for a Telegram token written into openclaw.json (the security audit passes it). */
const PLAINTEXT_IN_CONFIG = {
  code: "PLAINTEXT_FOUND",
  severity: "warn",
  file: `${STATE}/openclaw.json`,
  jsonPath: "channels.telegram.botToken",
  message: "channels.telegram.botToken is stored as plaintext.",
};
/** The real report with the Telegram token missing from .env: status unresolved, exit 2. */
const UNRESOLVED = {
  ...secretsReport([]),
  status: "unresolved",
  summary: { plaintextCount: 0, unresolvedRefCount: 1, shadowedRefCount: 0, storeResidueCount: 0, legacyResidueCount: 0 },
  findings: [
    {
      code: "REF_UNRESOLVED",
      severity: "error",
      file: `${STATE}/openclaw.json`,
      jsonPath: "channels.telegram.botToken",
      message: 'Failed to resolve env:default:TELEGRAM_BOT_TOKEN (Environment variable "TELEGRAM_BOT_TOKEN" is missing or empty.).',
    },
  ],
};

describe("judgeSecretsAudit", () => {
  it("accepts exactly the model keys this deployment keeps in .env, by the names OpenClaw reads", () => {
    expect([...MODEL_KEY_NAMES].sort()).toEqual([ENV_NAMES.anthropicApiKey, ENV_NAMES.openaiApiKey].sort());
  });

  it("passes the real clean report, and the real report with the model keys in the state directory's .env", () => {
    expect(judgeSecretsAudit(json(secretsReport([])), STATE)).toEqual([]);
    expect(judgeSecretsAudit(json(secretsReport([envKey("ANTHROPIC_API_KEY"), envKey("OPENAI_API_KEY")])), `${STATE}/`)).toEqual([]);
  });

  it("fails on a plaintext secret in openclaw.json, which the security audit does not report", () => {
    expect(judgeSecretsAudit(json(secretsReport([PLAINTEXT_IN_CONFIG, envKey("ANTHROPIC_API_KEY")])), STATE)).toEqual([
      `secrets audit: PLAINTEXT_FOUND ${STATE}/openclaw.json:channels.telegram.botToken: channels.telegram.botToken is stored as plaintext.`,
    ]);
  });

  it("fails on a ref that does not resolve, naming it", () => {
    expect(judgeSecretsAudit(json(UNRESOLVED), STATE)).toEqual([expect.stringMatching(/^secrets audit: REF_UNRESOLVED .*TELEGRAM_BOT_TOKEN/)]);
  });

  it("fails on the CLI's error document (2026.9.5 on 2026.9.6's state exits 2 with it)", () => {
    expect(judgeSecretsAudit(json(REFUSED), STATE)).toEqual([expect.stringMatching(/^openclaw secrets audit failed: This OpenClaw build cannot open/)]);
  });

  it.each([
    ["another secret in .env", secretsReport([envKey("GITHUB_TOKEN")])],
    ["a model key in a .env elsewhere", secretsReport([envKey("ANTHROPIC_API_KEY", "/etc/openclaw-vps/.env")])],
    ["a model key in models.json", secretsReport([{ code: "PLAINTEXT_FOUND", severity: "warn", file: `${STATE}/agents/main/agent/models.json`, jsonPath: "providers.anthropic.apiKey" }])],
    ["a shadowed ref", secretsReport([{ code: "REF_SHADOWED", severity: "warn", file: "openclaw.json", jsonPath: "models.providers.openai.apiKey" }])],
    ["an unknown code", secretsReport([{ code: "SOMETHING_NEW", severity: "info", file: "x", jsonPath: "y" }])],
    ["a finding that is not an object", secretsReport(["PLAINTEXT_FOUND"])],
    ["unresolved refs counted without a finding", { ...secretsReport([]), status: "unresolved", summary: { ...secretsReport([]).summary, unresolvedRefCount: 1 } }],
    ["exec refs left unchecked", secretsReport([], { resolution: { refsChecked: 0, skippedExecRefs: 1, resolvabilityComplete: false } })],
    ["no resolution", secretsReport([], { resolution: undefined })],
    ["another report version", secretsReport([], { version: 2 })],
    ["an unknown status", secretsReport([], { status: "ok" })],
    ["clean with findings", { ...secretsReport([PLAINTEXT_IN_CONFIG]), status: "clean" }],
    ["findings under another key", { ...secretsReport([]), findings: undefined, results: [PLAINTEXT_IN_CONFIG] }],
    ["no summary", secretsReport([], { summary: undefined })],
  ])("fails on %s", (_label, report) => {
    expect(judgeSecretsAudit(json(report), STATE).length).toBeGreaterThan(0);
  });

  it.each([
    ["nothing at all", ""],
    ["text (no --json)", "Secrets audit: findings. plaintext=1, unresolved=0, shadowed=0, storeResidue=0, legacy=0."],
    ["a list", "[]"],
  ])("fails on output that is not the report: %s", (_label, text) => {
    expect(judgeSecretsAudit(text, STATE).length).toBeGreaterThan(0);
  });
});

describe("judgeCoding", () => {
  const off: GatewaySettings = { tailnetHost: "claw.tail1234.ts.net", telegram: { dmPolicy: "allowlist", ownerId: "42" }, models: { anthropic: true, openai: false }, sandboxImage: "img", sandboxNetwork: "none" };
  const on: GatewaySettings = { ...off, coding: { ownerId: "42", gitAuthorName: "Ada", gitAuthorEmail: "ada@example.com", repositories: [], readToken: false, approvalTimeoutSeconds: 600 } };
  type Config = { agents: { entries: Record<string, { sandbox: { mode: string; docker: Record<string, unknown> }; tools: { deny: string[]; elevated: unknown } }> }; channels: { telegram: Record<string, unknown> }; plugins: { allow: string[]; entries: Record<string, { enabled: boolean }> }; tools: Record<string, unknown> };
  const rendered = (change: (c: Config) => void = () => undefined) => {
    const c = JSON.parse(renderOpenclawJson(on)) as Config;
    change(c);
    return JSON.stringify(c);
  };

  it("passes the rendered config, coding on and off", () => {
    expect(judgeCoding(rendered())).toEqual([]);
    expect(judgeCoding(renderOpenclawJson(off))).toEqual([]);
  });

  it.each([
    ["the coder on the host's bridge", (c: Config) => (c.agents.entries.coder.sandbox.docker.network = "bridge"), /network is bridge/],
    ["the coder unsandboxed", (c: Config) => (c.agents.entries.coder.sandbox.mode = "off"), /mode is off/],
    ["a host folder bound in", (c: Config) => (c.agents.entries.coder.sandbox.docker.binds = ["/home/openclaw:/host:rw"]), /extra binds/],
    ["a second approver", (c: Config) => (c.channels.telegram.execApprovals = { enabled: true, approvers: ["42", "666"], target: "dm" }), /approvals go to/],
    ["approvals off", (c: Config) => (c.channels.telegram.execApprovals = { enabled: false, approvers: ["42"] }), /approvals go to/],
    ["the gate disabled", (c: Config) => (c.plugins.entries["openclaw-vps-coder-gate"].enabled = false), /gate is not enabled/],
    ["the gate not allowed", (c: Config) => (c.plugins.allow = ["telegram"]), /gate is not enabled/],
    ["sessions_send allowed", (c: Config) => (c.agents.entries.coder.tools.deny = ["sessions_spawn"]), /may use sessions_send/],
    ["elevated on", (c: Config) => (c.agents.entries.coder.tools.elevated = { enabled: true }), /elevated/],
    ["Code Mode back on", (c: Config) => delete c.tools.codeMode, /Code Mode/],
    ["the gate removed, its network kept", (c: Config) => delete (c.plugins.entries as Record<string, unknown>)["openclaw-vps-coder-gate"], /gate is not configured/],
  ])("fails on %s", (_label, change, problem) => {
    expect(judgeCoding(rendered(change))).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  it("fails closed on what is not JSON", () => {
    expect(judgeCoding("not json")).toEqual([expect.stringMatching(/printed no JSON/)]);
  });
});
