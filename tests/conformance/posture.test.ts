/**
 * Why the gate asserts our posture itself: each held variant of issue 22
 * (tests/gateway/posture/variants.ts: the sandbox opened, the chat agent unsandboxed, a
 * second Telegram owner, the workspace opened), written over the openclaw.json rendered for
 * examples/hetzner.yaml, passes all four of the checks verify.sh had before the posture
 * check, judged as verify.sh judges them: the real OpenClaw 2026.9.6's `config validate`,
 * `security audit` and `secrets audit`, and our Telegram check. The posture check refuses
 * each, naming the keys; the rendered config passes it. The CLI runs with the state laid
 * out as on the server (below). One more variant, the bind the issue names, is refused by
 * OpenClaw's audit there, and by the posture check too.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { judgeAudit, judgePosture, judgeSecretsAudit, judgeTelegram, judgeValidate } from "../../gateway/scripts/judge.js";
import { NODE24, OPENCLAW_ENTRY, OPENCLAW_VERSION, requireOpenClaw } from "./openclawTools";
import { RenderedPosture, VARIANTS, renderExample, weakened } from "../gateway/posture/variants";
import { limitMs } from "../limits";

/**
 * OpenClaw's three checks on `config`, as verify.sh runs them on the server: HOME is
 * /home/openclaw (a fresh tmpfs in a private mount namespace; the audit judges binds by where
 * HOME is), the state directory 0700 with openclaw.json and .env 0600 and the secrets
 * examples/hetzner.yaml puts there, only loopback. Each command's stdout, by name.
 */
function openclawChecks(config: string): Record<"validate" | "audit" | "secrets", string> {
  const out = mkdtempSync(join(tmpdir(), "openclaw-posture-"));
  writeFileSync(join(out, "openclaw.json"), config);
  const env = [`OPENCLAW_GATEWAY_TOKEN=${"ab".repeat(32)}`, "TELEGRAM_BOT_TOKEN=123456789:AAHfakeConformanceToken_abcdefghijk", "ANTHROPIC_API_KEY=sk-ant-fake-conformance-key"];
  writeFileSync(join(out, "env"), `${env.join("\n")}\n`);
  const script = [
    "set -e",
    "ip link set lo up",
    "mount -t tmpfs tmpfs /home",
    "mkdir -m 0755 /home/openclaw && mkdir -m 0700 /home/openclaw/.openclaw",
    'install -m 0600 "$1/openclaw.json" /home/openclaw/.openclaw/openclaw.json',
    'install -m 0600 "$1/env" /home/openclaw/.openclaw/.env',
    "export HOME=/home/openclaw",
    '"$2" "$3" config validate --json >"$1/validate" 2>/dev/null || true',
    '"$2" "$3" security audit --json >"$1/audit" 2>/dev/null || true',
    '"$2" "$3" secrets audit --json >"$1/secrets" 2>/dev/null || true',
  ].join("\n");
  const r = spawnSync("unshare", ["-m", "--net", "--propagation", "private", "bash", "-c", script, "checks", out, NODE24, OPENCLAW_ENTRY], {
    encoding: "utf8",
    env: { PATH: `${join(NODE24, "..")}:/usr/sbin:/usr/bin:/sbin:/bin` },
    timeout: limitMs(90),
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`the checks could not run (${r.status}): ${r.stderr}`);
  const read = (name: string) => readFileSync(join(out, name), "utf8");
  return { validate: read("validate"), audit: read("audit"), secrets: read("secrets") };
}

/** What each check verify.sh runs on the config says: problems (none means it passes). */
function gate(config: string, posture: string) {
  const oc = openclawChecks(config);
  return {
    validate: judgeValidate(oc.validate),
    audit: judgeAudit(oc.audit),
    secrets: judgeSecretsAudit(oc.secrets, "/home/openclaw/.openclaw"),
    telegram: judgeTelegram(config),
    posture: judgePosture(config, posture),
  };
}

const PASSES_OPENCLAW = { validate: [], audit: [], secrets: [], telegram: [] };

let hetzner: RenderedPosture;
beforeAll(async () => {
  requireOpenClaw();
  hetzner = await renderExample(false);
});

it(`passes the rendered config of examples/hetzner.yaml: OpenClaw ${OPENCLAW_VERSION}'s checks and ours`, () => {
  expect(gate(hetzner.config, hetzner.posture)).toEqual({ ...PASSES_OPENCLAW, posture: [] });
});

describe.each(VARIANTS.map((v) => [v.name, v] as const))("the held variant %s", (_name, v) => {
  const openclawSays = v.audit ? `is refused by OpenClaw ${OPENCLAW_VERSION}'s security audit (${v.audit.join("; ")})` : `passes OpenClaw ${OPENCLAW_VERSION}'s config validate, security audit and secrets audit, and the Telegram check`;
  it(`${openclawSays}; the posture check refuses it, naming the keys`, () => {
    const result = gate(weakened(hetzner.config, v), hetzner.posture);
    process.stdout.write(`${v.name} (${v.what}): ${JSON.stringify(result)}\n`);
    expect(result).toEqual({ ...PASSES_OPENCLAW, audit: v.audit ?? [], posture: v.problems });
  });
});
