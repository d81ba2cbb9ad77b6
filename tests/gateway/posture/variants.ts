/**
 * The held cases of issue 22: openclaw.json weakened after the deploy, one change at a time,
 * from the config rendered for examples/hetzner.yaml (and for the same stack with coding on).
 * Each but `home-bound` passes all four of the checks verify.sh had before the posture check
 * (OpenClaw 2026.9.6's `config validate`, `security audit` and `secrets audit`, and our
 * Telegram check) on the server's layout: tests/conformance/posture.test.ts shows it with the
 * real CLI. Our posture check
 * (judge.js `posture`, against the shipped posture.json) must refuse each, naming every key
 * it changed: tests/gateway/posture.test.ts.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { ROOT, plan, tempDir, writeStackFile } from "../../helpers/planCli";

/** The owner id examples/hetzner.yaml (and the coding stack below) configure. */
export const OWNER = "123456789";
/** The sender added as a second owner. */
export const INTRUDER = "666666666";

type Json = Record<string, unknown>;

export interface Variant {
  /** A name for the test and the held file. */
  readonly name: string;
  /** What the change is, in words. */
  readonly what: string;
  /** Applies the change to a parsed openclaw.json, in place. */
  readonly weaken: (config: Json) => void;
  /** What the posture check prints for it, on either rendered config. */
  readonly problems: readonly string[];
  /**
   * What verify.sh's judgement of OpenClaw's security audit prints for it, on the server's
   * layout (HOME=/home/openclaw); none for every variant but one.
   */
  readonly audit?: readonly string[];
}

const obj = (v: unknown, path: string): Json => {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`${path} is not an object in the rendered config`);
  return v as Json;
};
const docker = (c: Json) => obj(obj(obj(obj(c.agents, "agents").defaults, "agents.defaults").sandbox, "agents.defaults.sandbox").docker, "agents.defaults.sandbox.docker");
const defaultsSandbox = (c: Json) => obj(obj(obj(c.agents, "agents").defaults, "agents.defaults").sandbox, "agents.defaults.sandbox");
const chat = (c: Json) => obj(obj(obj(c.agents, "agents").entries, "agents.entries").main, "agents.entries.main");
const telegram = (c: Json) => obj(obj(c.channels, "channels").telegram, "channels.telegram");

const D = "agents.defaults.sandbox.docker";

/** The sandbox weakened, one key at a time. */
const SANDBOX_PARTS: readonly Variant[] = [
  { name: "sandbox-network-bridge", what: `${D}.network: "bridge"`, weaken: (c) => void (docker(c).network = "bridge"), problems: [`posture: ${D}.network is "bridge", expected "none"`] },
  { name: "sandbox-capdrop-empty", what: `${D}.capDrop: []`, weaken: (c) => void (docker(c).capDrop = []), problems: [`posture: ${D}.capDrop is [], expected ["ALL"]`] },
  { name: "sandbox-root-writable", what: `${D}.readOnlyRoot: false`, weaken: (c) => void (docker(c).readOnlyRoot = false), problems: [`posture: ${D}.readOnlyRoot is false, expected true`] },
  { name: "sandbox-user-root", what: `${D}.user: "0:0"`, weaken: (c) => void (docker(c).user = "0:0"), problems: [`posture: ${D}.user is "0:0", expected "1000:1000"`] },
  { name: "sandbox-no-memory-limit", what: `${D}.memory removed`, weaken: (c) => void delete docker(c).memory, problems: [`posture: ${D}.memory is not set, expected "1g"`] },
  { name: "sandbox-no-pids-limit", what: `${D}.pidsLimit removed`, weaken: (c) => void delete docker(c).pidsLimit, problems: [`posture: ${D}.pidsLimit is not set, expected 256`] },
];

export const VARIANTS: readonly Variant[] = [
  ...SANDBOX_PARTS,
  {
    name: "sandbox-weakened",
    what: "all of the sandbox changes above at once",
    weaken: (c) => SANDBOX_PARTS.forEach((v) => v.weaken(c)),
    // judge.js names the keys of one object in sorted order.
    problems: [
      `posture: ${D}.capDrop is [], expected ["ALL"]`,
      `posture: ${D}.memory is not set, expected "1g"`,
      `posture: ${D}.network is "bridge", expected "none"`,
      `posture: ${D}.pidsLimit is not set, expected 256`,
      `posture: ${D}.readOnlyRoot is false, expected true`,
      `posture: ${D}.user is "0:0", expected "1000:1000"`,
    ],
  },
  {
    name: "chat-agent-unsandboxed",
    what: 'agents.entries.main.sandbox.mode: "off", with the coding tool profile',
    weaken: (c) => {
      chat(c).sandbox = { mode: "off" };
      obj(chat(c).tools, "agents.entries.main.tools").profile = "coding";
    },
    problems: ['posture: agents.entries.main.sandbox.mode is "off", expected not set', 'posture: agents.entries.main.tools.profile is "coding", expected "messaging"'],
  },
  {
    name: "telegram-second-owner",
    what: `channels.telegram.allowFrom: ["${INTRUDER}", "${OWNER}"]`,
    weaken: (c) => void (telegram(c).allowFrom = [INTRUDER, OWNER]),
    problems: [`posture: channels.telegram.allowFrom is ["${INTRUDER}","${OWNER}"], expected ["${OWNER}"]`],
  },
  {
    name: "workspace-opened",
    what: `agents.defaults.sandbox.workspaceAccess: "rw" and ${D}.binds: ["/home/openclaw/.openclaw:/host-state:ro"] (the gateway's state and .env in the sandbox)`,
    weaken: (c) => {
      defaultsSandbox(c).workspaceAccess = "rw";
      docker(c).binds = ["/home/openclaw/.openclaw:/host-state:ro"];
    },
    problems: [`posture: ${D}.binds is ["/home/openclaw/.openclaw:/host-state:ro"], expected not set`, 'posture: agents.defaults.sandbox.workspaceAccess is "rw", expected "none"'],
  },
  {
    // The bind the issue names. With HOME=/home/openclaw, as on the server, it covers ~/.ssh
    // and ~/.config, which OpenClaw's audit blocks (critical); with any other HOME it passes.
    // The state directory itself (above) is not on OpenClaw's list.
    name: "home-bound",
    what: `agents.defaults.sandbox.workspaceAccess: "rw" and ${D}.binds: ["/home/openclaw:/host-home:rw"]`,
    weaken: (c) => {
      defaultsSandbox(c).workspaceAccess = "rw";
      docker(c).binds = ["/home/openclaw:/host-home:rw"];
    },
    problems: [`posture: ${D}.binds is ["/home/openclaw:/host-home:rw"], expected not set`, 'posture: agents.defaults.sandbox.workspaceAccess is "rw", expected "none"'],
    audit: ["openclaw security audit: 1 critical", "critical sandbox.dangerous_bind_mount: Dangerous bind mount in sandbox config"],
  },
];

/** The variant's openclaw.json text, from the rendered one. */
export function weakened(rendered: string, v: Variant): string {
  const config = JSON.parse(rendered) as Json;
  v.weaken(config);
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** examples/hetzner.yaml with coding on: the coder agent, two bots, the gate. */
const CODING_KEYS: Readonly<Record<string, string>> = {
  "openclaw-vps:tailnet": "tail1234.ts.net",
  "openclaw-vps:tailscaleAuthKey": "\n    secure: v1:posture:placeholder",
  "openclaw-vps:telegramBotToken": "\n    secure: v1:posture:placeholder",
  "openclaw-vps:telegramCoderBotToken": "\n    secure: v1:posture:placeholder",
  "openclaw-vps:telegramOwnerId": `"${OWNER}"`,
  "openclaw-vps:anthropicApiKey": "\n    secure: v1:posture:placeholder",
  "openclaw-vps:coding": "true",
  "openclaw-vps:githubToken": "\n    secure: v1:posture:placeholder",
  "openclaw-vps:gitAuthorName": "Ada Lovelace",
  "openclaw-vps:gitAuthorEmail": "ada@example.com",
  "openclaw-vps:codingRepositories": "\n    - me/app",
};

export interface RenderedPosture {
  readonly config: string;
  readonly posture: string;
  readonly dir: string;
}

/**
 * What `npm run plan -- --out` renders (the files the deployment ships) for
 * examples/hetzner.yaml, or for that stack with coding on.
 */
export async function renderExample(coding: boolean): Promise<RenderedPosture> {
  const dir = join(tempDir("openclaw-vps-posture-"), coding ? "coding" : "hetzner");
  const stack = coding ? writeStackFile(CODING_KEYS) : join(ROOT, "examples/hetzner.yaml");
  const r = await plan("--config", stack, "--out", dir);
  if (r.code !== 0) throw new Error(`plan failed (${r.code}):\n${r.stderr}`);
  return { dir, config: readFileSync(join(dir, "openclaw.json"), "utf8"), posture: readFileSync(join(dir, "posture.json"), "utf8") };
}
