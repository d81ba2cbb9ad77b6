/**
 * The rendered openclaw.json, judged by the real OpenClaw 2026.9.6 for every feature
 * combination: `config validate` without warnings, `security audit` with 0 critical and
 * 0 warn (secrets resolvable from a 0600 .env, state directory 0700), and the Telegram keys
 * the audit does not check. The CLI runs in a network namespace with only loopback.
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { plan, tempDir, writeStackFile } from "../helpers/planCli";
import { NODE24, OPENCLAW_ENTRY, requireOpenClaw } from "./openclawTools";
import type { OpenClawConfig } from "../../gateway/openclawConfig";
import { renderCoding } from "./matrix";
import { limitMs } from "../limits";

interface Combo {
  readonly telegram: "off" | "owner" | "pairing";
  readonly sandbox: "none" | "bridge";
  readonly model: boolean;
}

const COMBOS: Combo[] = [];
for (const telegram of ["off", "owner", "pairing"] as const)
  for (const sandbox of ["none", "bridge"] as const) for (const model of [true, false]) COMBOS.push({ telegram, sandbox, model });

const name = (c: Combo) => `telegram ${c.telegram}, sandbox ${c.sandbox}, model key ${c.model ? "on" : "off"}`;
const secure = "\n    secure: v1:conformance:placeholder";

async function renderedConfig(c: Combo): Promise<string> {
  const entries: Record<string, string> = {
    "openclaw-vps:tailnet": "tail1234.ts.net",
    "openclaw-vps:tailscaleAuthKey": secure,
    "openclaw-vps:sandboxNetwork": c.sandbox,
  };
  if (c.telegram !== "off") entries["openclaw-vps:telegramBotToken"] = secure;
  if (c.telegram === "owner") entries["openclaw-vps:telegramOwnerId"] = '"123456789"';
  if (c.model) entries["openclaw-vps:anthropicApiKey"] = secure;
  const out = join(tempDir("openclaw-conformance-"), "out");
  const r = await plan("--config", writeStackFile(entries), "--out", out);
  if (r.code !== 0) throw new Error(`plan failed for ${name(c)}:\n${r.stderr}`);
  return readFileSync(join(out, "openclaw.json"), "utf8");
}

/** A throwaway HOME laid out as on the server: 0700 state dir, 0600 config and .env. */
function home(config: string, c: Combo): string {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-home-"));
  const state = join(dir, ".openclaw");
  mkdirSync(state, { mode: 0o700 });
  chmodSync(state, 0o700);
  writeFileSync(join(state, "openclaw.json"), config, { mode: 0o600 });
  const env = [`OPENCLAW_GATEWAY_TOKEN=${"ab".repeat(32)}`];
  if (c.telegram !== "off") env.push("TELEGRAM_BOT_TOKEN=123456789:AAHfakeConformanceToken_abcdefghijk");
  if (c.model) env.push("ANTHROPIC_API_KEY=sk-ant-fake-conformance-key");
  writeFileSync(join(state, ".env"), `${env.join("\n")}\n`, { mode: 0o600 });
  return dir;
}

/** Runs OpenClaw with Node 24, isolated in a fresh network namespace (loopback only). */
function openclaw(homeDir: string, args: string[]) {
  const r = spawnSync(
    "unshare",
    ["--net", "bash", "-c", 'ip link set lo up && exec "$@"', "oc", NODE24, OPENCLAW_ENTRY, ...args],
    { encoding: "utf8", env: { PATH: `${join(NODE24, "..")}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: homeDir }, timeout: limitMs(30) },
  );
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => requireOpenClaw());

describe.each(COMBOS)("openclaw.json with %o", (c) => {
  let config = "";
  let homeDir = "";

  beforeAll(async () => {
    config = await renderedConfig(c);
    homeDir = home(config, c);
  });

  it("passes `openclaw config validate` with no warnings", () => {
    const r = openclaw(homeDir, ["config", "validate", "--json"]);
    const result = JSON.parse(r.stdout) as { valid: boolean; warnings: unknown[] };
    expect({ code: r.code, valid: result.valid, warnings: result.warnings }).toEqual({ code: 0, valid: true, warnings: [] });
  });

  it("passes `openclaw security audit` with 0 critical and 0 warn", () => {
    const r = openclaw(homeDir, ["security", "audit", "--json"]);
    const audit = JSON.parse(r.stdout) as { summary: Record<string, number>; findings: { checkId: string; severity: string }[] };
    const serious = audit.findings.filter((f) => f.severity !== "info").map((f) => `${f.severity} ${f.checkId}`);
    process.stdout.write(`${name(c)}: audit ${JSON.stringify(audit.summary)}\n`);
    expect(serious).toEqual([]);
    expect(audit.summary).toMatchObject({ critical: 0, warn: 0 });
  });

  it("sets the Telegram keys the audit does not check", () => {
    const channels = (JSON.parse(config) as { channels?: { telegram?: Record<string, unknown> } }).channels;
    if (c.telegram === "off") {
      expect(channels).toBeUndefined();
      return;
    }
    const t = channels?.telegram ?? {};
    expect(t).toMatchObject({ enabled: true, dmPolicy: "pairing", groupPolicy: "disabled", configWrites: false });
    expect(t.botToken).toEqual({ source: "env", provider: "default", id: "TELEGRAM_BOT_TOKEN" });
    expect(t.allowFrom).toEqual(c.telegram === "owner" ? ["123456789"] : undefined);
    expect(JSON.stringify(t)).not.toContain("*");
  });
});

describe("the audit itself", () => {
  it("reports a critical finding for a world-readable config, so the checks above can fail", () => {
    const c: Combo = { telegram: "off", sandbox: "none", model: false };
    const dir = home('{"gateway":{"mode":"local","bind":"loopback","auth":{"mode":"none"}}}\n', c);
    chmodSync(join(dir, ".openclaw/openclaw.json"), 0o644);
    const audit = JSON.parse(openclaw(dir, ["security", "audit", "--json"]).stdout) as { summary: { critical: number } };
    expect(audit.summary.critical).toBeGreaterThan(0);
  });
});


/**
 * Coding on (docs/coding.md): the same judgement, plus what the audit cannot see: the real
 * OpenClaw loads the coder gate from the installed files with its three tools and its hook,
 * and the coder's posture (its own network, its workspace, its tools) is as rendered while
 * the chat agent keeps no network and no shell.
 */
describe("openclaw.json with coding on", () => {
  const c: Combo = { telegram: "owner", sandbox: "none", model: true };
  let config: OpenClawConfig;
  let homeDir = "";

  beforeAll(async () => {
    const out = await renderCoding();
    config = JSON.parse(readFileSync(join(out, "openclaw.json"), "utf8")) as OpenClawConfig;
    // The plugin's files as the bundle installs them (byte-equal: tests/gateway/files.test.ts),
    // from where they are checked in: the server's path does not exist on this machine.
    const installed = { ...config, plugins: { ...config.plugins, load: { paths: [join(__dirname, "../../gateway/plugins/coder-gate")] } } };
    homeDir = home(`${JSON.stringify(installed, null, 2)}\n`, c);
    const extra = [
      "TELEGRAM_CODER_BOT_TOKEN=987654321:AAHfakeConformanceToken_coderxxxxx",
      `CODER_GITHUB_TOKEN=github_pat_${"w".repeat(60)}`,
      `CODER_GITHUB_READ_TOKEN=github_pat_${"r".repeat(60)}`,
    ];
    const envPath = join(homeDir, ".openclaw", ".env");
    writeFileSync(envPath, `${readFileSync(envPath, "utf8")}${extra.join("\n")}\n`, { mode: 0o600 });
  });

  it("passes `openclaw config validate` with no warnings", () => {
    const r = openclaw(homeDir, ["config", "validate", "--json"]);
    const result = JSON.parse(r.stdout) as { valid: boolean; warnings: unknown[] };
    expect({ code: r.code, valid: result.valid, warnings: result.warnings }).toEqual({ code: 0, valid: true, warnings: [] });
  });

  it("passes `openclaw security audit` with 0 critical and 0 warn", () => {
    const audit = JSON.parse(openclaw(homeDir, ["security", "audit", "--json"]).stdout) as { summary: Record<string, number>; findings: { checkId: string; severity: string }[] };
    process.stdout.write(`coding on: audit ${JSON.stringify(audit.summary)}\n`);
    expect(audit.findings.filter((f) => f.severity !== "info").map((f) => `${f.severity} ${f.checkId}`)).toEqual([]);
  });

  it("loads the coder gate: its three tools and its hook on every tool call", () => {
    const r = openclaw(homeDir, ["plugins", "inspect", "openclaw-vps-coder-gate", "--json", "--runtime"]);
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf("{"))) as {
      plugin: { status: string; toolNames: string[] };
      typedHooks: { name: string }[];
      diagnostics: unknown[];
    };
    expect(report.plugin.status).toBe("loaded");
    expect(report.plugin.toolNames.sort()).toEqual(["coder_pr_create", "coder_pr_merge", "coder_push"]);
    expect(report.typedHooks.map((h) => h.name)).toEqual(["before_tool_call"]);
    expect(report.diagnostics).toEqual([]);
  });

  it("keeps the chat agent without network or shell, and gives the coder its own", () => {
    const agents = config.agents;
    expect(agents.defaults.sandbox).toMatchObject({ mode: "all", workspaceAccess: "none", docker: { network: "none", readOnlyRoot: true, capDrop: ["ALL"], user: "1000:1000" } });
    expect(agents.entries.main.tools.deny).toEqual(expect.arrayContaining(["group:runtime", "group:fs", "sessions_spawn", "sessions_send"]));
    expect(agents.entries.main.sandbox).toBeUndefined();
    const coder = agents.entries.coder;
    expect(coder).toBeDefined();
    expect(coder?.sandbox).toMatchObject({ mode: "all", workspaceAccess: "rw", docker: { network: "openclaw-coder" } });
    expect(coder?.workspace).toBe("/home/openclaw/coder-workspace");
    expect(coder?.tools).toMatchObject({ profile: "coding", alsoAllow: ["coder_push", "coder_pr_create", "coder_pr_merge"], elevated: { enabled: false } });
    // Only the read token reaches the sandbox, by reference; the write token is the gate's.
    expect(coder?.sandbox?.docker?.env.GH_TOKEN).toBe("${CODER_GITHUB_READ_TOKEN}");
    expect(JSON.stringify(config)).not.toContain("CODER_GITHUB_TOKEN}");
    expect(config.plugins.entries?.["openclaw-vps-coder-gate"]?.config).toMatchObject({ tokenEnv: "CODER_GITHUB_TOKEN", repositories: ["me/app"] });
  });

  it("routes each bot to its agent and sends approvals to the owner alone", () => {
    const t = config.channels?.telegram;
    expect(t).toMatchObject({ dmPolicy: "allowlist", allowFrom: ["123456789"], groupPolicy: "disabled", execApprovals: { enabled: true, approvers: ["123456789"], target: "dm" } });
    expect(t?.accounts?.coder.botToken).toEqual({ source: "env", provider: "default", id: "TELEGRAM_CODER_BOT_TOKEN" });
    expect(config.bindings?.map((b) => [b.match.accountId, b.agentId])).toEqual([
      ["coder", "coder"],
      ["default", "main"],
    ]);
  });
});
