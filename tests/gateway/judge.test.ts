/**
 * The gate's judgements (gateway/scripts/judge.js, run by verify.sh and configure.sh on the
 * server): each unsafe or unknown shape must be a problem, and the real clean documents none.
 */
import { auditCounts, describeTelegram, judgeAudit, judgeServe, judgeTelegram, judgeValidate } from "../../gateway/scripts/judge.js";

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
