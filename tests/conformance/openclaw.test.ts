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
    { encoding: "utf8", env: { PATH: `${join(NODE24, "..")}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: homeDir }, timeout: 120_000 },
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

