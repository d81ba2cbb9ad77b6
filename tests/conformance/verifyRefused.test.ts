/**
 * The gate refuses what it must, with the real OpenClaw, the real `ss` and real listeners in
 * a network namespace laid out as the server (tests/conformance/verify-refused.sh):
 * a version switch the new release refuses is rolled back (2026.9.5 cannot open the state
 * 2026.9.6 wrote, so its audits exit with an error document, and the check must still reach
 * its verdict and the rollback); the running release passes as the server runs it; any TCP
 * listener beyond loopback and tailscale0 fails, named; a plaintext secret in openclaw.json
 * fails through the secrets audit; the config weakened after the deploy in the ways OpenClaw's
 * checks accept (issue 22's held variants) fails the posture check, key by key, and the drift
 * check; each deployed file changed after the deploy (the gateway's unit, a drop-in on it, the
 * sshd drop-in, a UFW rule, daemon.json) fails verify.sh and the daily self-check, named.
 * Every file the deploy writes is installed from the plan's artifacts, so the clean runs prove
 * the manifest matches what is rendered.
 */
import { readFileSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { NODE24, OPENCLAW_ENTRY, OPENCLAW_VERSION, REFUSING_ENTRY, REFUSING_VERSION, requireOpenClaw } from "./openclawTools";
import { limitMs } from "../limits";
import { VARIANTS, weakened } from "../gateway/posture/variants";

interface Summary {
  ok: boolean;
  audit: { critical: number | null; warn: number | null };
  problems: string[];
}

/** The four held variants of issue 22: the sandbox weakened, the chat agent unsandboxed, a second owner, the workspace opened. */
const HELD = VARIANTS.filter((v) => ["sandbox-weakened", "chat-agent-unsandboxed", "telegram-second-owner", "workspace-opened"].includes(v.name));

let results: Record<string, string> = {};
const summary = (run: string) => JSON.parse(results[`${run}_summary`] ?? results.summary) as Summary;

beforeAll(async () => {
  requireOpenClaw();
  // The first configuration has Telegram and an Anthropic key: every secret .env can hold.
  const [first] = await renderMatrix();
  // Every held variant at once (the sandbox's parts are in sandbox-weakened).
  let config = readFileSync(join(first.dir, "openclaw.json"), "utf8");
  for (const v of HELD) config = weakened(config, v);
  const weakenedConfig = join(first.dir, "openclaw-weakened.json");
  writeFileSync(weakenedConfig, config);
  results = runResultScript(join(__dirname, "verify-refused.sh"), [first.dir, NODE24, dirname(OPENCLAW_ENTRY), dirname(REFUSING_ENTRY), weakenedConfig], limitMs(240));
});

it("rolls back to the version that wrote the state, restarts it once, and fails with OpenClaw's reason", () => {
  expect(results).toMatchObject({ audit_by_good: "0", exit: "1", current: OPENCLAW_VERSION, marker: "gone", restarts: "1" });
  const refused = JSON.parse(results.summary) as Summary;
  expect(refused.ok).toBe(false);
  expect(refused.problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^openclaw security audit failed: This OpenClaw build cannot open your existing data\./),
      expect.stringMatching(/^openclaw secrets audit failed: This OpenClaw build cannot open your existing data\./),
      `the upgrade was rolled back to ${OPENCLAW_VERSION}; set openclawVersion to ${OPENCLAW_VERSION} or fix the problems above`,
    ]),
  );
  expect(results.reason).toContain(`Refused by OpenClaw ${REFUSING_VERSION}`);
});

it("passes the running release as the server runs it: the gateway on loopback, sshd on the tailnet addresses, the model key in .env", () => {
  expect({ exit: results.clean_exit, problems: summary("clean").problems }).toEqual({ exit: "0", problems: [] });
  expect(summary("clean").ok).toBe(true);
});

it("fails every TCP listener beyond loopback and tailscale0, naming its address and process, and only those", () => {
  expect(results.exposed_exit).toBe("1");
  const rogue = `rogue-listener pid ${results.rogue_pid}`;
  const reachable = (local: string) => `listeners: ${local} (${rogue}) is reachable beyond loopback and the tailnet`;
  expect(summary("exposed").problems.sort()).toEqual(
    ["0.0.0.0:8080", "[::]:8081", "*:8082", "203.0.113.10:8083", "[2001:db8::10]:8084"].map(reachable).sort(),
  );
  // sshd's listeners (tailnet addresses, a socket bound to tailscale0) are not among them.
  expect(summary("exposed").problems.join("\n")).not.toContain(`sshd pid ${results.sshd_pid}`);
});

it("fails a plaintext secret in openclaw.json through the secrets audit, which the security audit lets pass", () => {
  expect(results.plaintext_exit).toBe("1");
  const plaintext = summary("plaintext");
  expect(plaintext.audit).toMatchObject({ critical: 0, warn: 0 });
  expect(plaintext.problems).toEqual([
    "secrets audit: PLAINTEXT_FOUND /home/openclaw/.openclaw/openclaw.json:channels.telegram.botToken: channels.telegram.botToken is stored as plaintext.",
    // The drift check sees the change too.
    "drift: /home/openclaw/.openclaw/openclaw.json: differs from the rendered config (/etc/openclaw-vps/openclaw.json) at channels.telegram.botToken",
  ]);
});

it("fails a config weakened after the deploy, which OpenClaw's checks pass, naming each key the posture check finds changed", () => {
  expect(HELD).toHaveLength(4);
  expect(results.weakened_exit).toBe("1");
  const w = summary("weakened");
  // OpenClaw's own verdict: nothing to report.
  expect(w.audit).toMatchObject({ critical: 0, warn: 0 });
  const drift = w.problems.filter((p) => p.startsWith("drift: "));
  expect([...w.problems.filter((p) => !p.startsWith("drift: "))].sort()).toEqual([...new Set(HELD.flatMap((v) => v.problems))].sort());
  // And the drift check: the live config differs from the rendered one.
  expect(drift).toEqual([expect.stringMatching(/^drift: \/home\/openclaw\/\.openclaw\/openclaw\.json: differs from the rendered config \(\/etc\/openclaw-vps\/openclaw\.json\) at agents\./)]);
});

const DRIFTED: [string, string[]][] = [
  ["unit", ["drift: /etc/systemd/system/openclaw-gateway.service: changed since the deploy"]],
  ["unit-drop-in", ["drift: /etc/systemd/system/openclaw-gateway.service.d/override.conf: a drop-in the deploy did not write"]],
  ["sshd", ["drift: /etc/ssh/sshd_config.d/01-openclaw-vps.conf: changed since the deploy"]],
  ["ufw", ["drift: /etc/ufw/user.rules: a rule the deploy did not add: ufw allow 22/tcp"]],
  ["daemon-json", ["drift: /etc/docker/daemon.json: changed since the deploy"]],
];

it.each(DRIFTED)("fails a drifted host (%s) in the deploy gate and in the daily self-check, naming the file", (name, problems) => {
  expect(results[`drift-${name}_exit`]).toBe("1");
  expect(summary(`drift-${name}`).problems).toEqual(problems);
  expect(results[`selfcheck_${name}_exit`]).toBe("1");
  const status = JSON.parse(results[`selfcheck_${name}_status`]) as { ok: boolean; summary: Summary };
  expect(status.ok).toBe(false);
  expect(status.summary.problems).toEqual(problems);
});

it("passes again once every drifted file is put back", () => {
  expect({ exit: results["clean-after_exit"], problems: summary("clean-after").problems }).toEqual({ exit: "0", problems: [] });
});
