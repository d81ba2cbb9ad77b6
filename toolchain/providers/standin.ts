/**
 * A resource provider plugin standing in for one of the real ones (hcloud, digitalocean,
 * tailscale, random, tls, command), which the Go module proxy these machines reach does not
 * serve (docs/toolchain.md). The real Pulumi CLI starts it as `pulumi-resource-<package>`
 * and talks to it over the provider protocol, through the real @pulumi/pulumi provider server.
 *
 * It keeps, of each real provider, what decides an engine's plan and what the providers refuse:
 * - Diff: the inputs that differ, and the replace-on-change ones among them (REPLACE_ON in
 *   tools/lib/engine.ts, each with its source in the provider's code);
 * - outputs: the inputs plus the computed values the program reads (commands/lib/mockState.ts),
 *   with the outputs the real schemas mark secret returned as secrets (SECRET_OUTPUTS);
 * - the checks the real providers make before the cloud is called (CHECKS) and the cloud's
 *   own refusals (a firewall in use, a protected server: local-cloud.ts);
 * - command: every run of `create`, `update` or `delete` is appended to a log, in the order
 *   the engine asks for it (pulumi-command 1.2.1's rules: commandController.go). Nothing is
 *   executed, unless OPENCLAW_VPS_RUN_COMMANDS is set: then each runs as pulumi-command runs
 *   it (commands.ts), its real stdout and stderr become the outputs and a failure fails the
 *   step, in the network namespace OPENCLAW_VPS_OPERATOR_NETNS names, if any;
 * - servers: with OPENCLAW_VPS_HOSTS set, an hcloud server or a DigitalOcean droplet is a
 *   booted host given the user data the provider was sent (hosts.ts), powered off and
 *   removed when the server is deleted;
 * - auth keys: with OPENCLAW_VPS_TAILNET set (the rehearsal's tailnet, rehearsal/standins/
 *   tailnet.py), a TailnetKey is minted there, with its tags, expiry and reusability, so the
 *   key the provider returns is the one the host can join with; deleting it deletes the key.
 * What it leaves out: the real APIs' wire shapes, retries and waits, Terraform's schemas.
 */
import * as fs from "fs";
import * as path from "path";
import * as provider from "@pulumi/pulumi/provider";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { REPLACE_ON } from "../../tools/lib/engine";
import { DEFAULT_INVOKES, defaultMockState } from "../../commands/lib/mockState";
import { isSecretValue, unwrap, wrapSecret } from "../../commands/lib/mockRuntime";
import { LocalCloud } from "./local-cloud";
import { CommandOutputs, CommandSpec, connectionOf, runCommand } from "./commands";
import { Hosts } from "./hosts";
import { TailnetKeys } from "./tailnet-keys";

/** The engine's marker for a value not known during a preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Outputs the real providers' schemas mark secret (`"secret": true`). */
export const SECRET_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  "random:index/randomBytes:RandomBytes": ["base64", "hex"],
  "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
  "tls:index/privateKey:PrivateKey": ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"],
  "tailscale:index/tailnetKey:TailnetKey": ["key"],
};

type Inputs = Record<string, unknown>;

/**
 * The real providers support previews (Configure answers supportsPreview): in a preview the
 * engine still calls Create and Update, with `preview` set, and a create's outputs carry
 * every computed value, `id` among them, as unknown. @pulumi/pulumi's provider server answers
 * Configure without that flag and does not pass `preview` on, so both are added to the
 * request and response messages it uses (the SDK is pinned; tests/engine would fail if this
 * stopped taking effect: the policy pack's first preview reads the firewall's unknown id).
 */
let previewing = false;
function supportPreviews(): void {
  type Proto = { prototype: Record<string, unknown> };
  const configure = (providerProto as unknown as { ConfigureResponse: Proto }).ConfigureResponse.prototype;
  const accept = configure.setAcceptsecrets as (this: Record<string, (v: boolean) => unknown>, v: boolean) => unknown;
  configure.setAcceptsecrets = function (this: Record<string, (v: boolean) => unknown>, v: boolean) {
    this.setSupportspreview(true);
    return accept.call(this, v);
  };
  for (const [message, getter] of [["CreateRequest", "getProperties"], ["UpdateRequest", "getNews"]] as const) {
    const proto = (providerProto as unknown as Record<string, Proto>)[message].prototype;
    const original = proto[getter] as (this: { getPreview(): boolean }) => unknown;
    // The server reads these right before it calls create or update, in the same tick.
    proto[getter] = function (this: { getPreview(): boolean }) {
      previewing = this.getPreview();
      return original.call(this);
    };
  }
}

type Failure = { property: string; reason: string };

/** What the real providers refuse before any API call (their schema validation and CustomizeDiff). */
export const CHECKS: Readonly<Record<string, (inputs: Inputs) => Failure[]>> = {
  // hetznercloud/terraform-provider-hcloud internal/server/resource.go: "delete_protection and
  // rebuild_protection must be equal"; the API takes at most 32 KiB of user data.
  "hcloud:index/server:Server": (i) => [
    ...(known(i.deleteProtection) && known(i.rebuildProtection) && Boolean(unwrap(i.deleteProtection)) !== Boolean(unwrap(i.rebuildProtection))
      ? [{ property: "rebuildProtection", reason: "delete_protection and rebuild_protection must be equal" }]
      : []),
    ...(typeof unwrap(i.userData) === "string" && Buffer.byteLength(String(unwrap(i.userData))) > 32 * 1024
      ? [{ property: "userData", reason: `user data is ${Buffer.byteLength(String(unwrap(i.userData)))} bytes; Hetzner takes at most 32768` }]
      : []),
  ],
  // digitalocean/terraform-provider-digitalocean digitalocean/firewall: "At least one rule must be specified".
  "digitalocean:index/firewall:Firewall": (i) => {
    const rules = [...asArray(i.inboundRules), ...asArray(i.outboundRules)];
    return known(i.inboundRules) && known(i.outboundRules) && rules.length === 0 ? [{ property: "outboundRules", reason: "At least one rule must be specified" }] : [];
  },
  // The real provider's token check: an hcloud token is exactly 64 characters.
  "pulumi:providers:hcloud": (i) => {
    const token = unwrap(i.token);
    return typeof token === "string" && token !== UNKNOWN && token.length !== 64 ? [{ property: "token", reason: "entered token is invalid (must be exactly 64 characters long)" }] : [];
  },
};

function known(v: unknown): boolean {
  return v !== undefined && JSON.stringify(v).indexOf(UNKNOWN) < 0;
}
function asArray(v: unknown): unknown[] {
  const u = unwrap(v);
  return Array.isArray(u) ? u : [];
}
function typeOf(urn: string): string {
  // urn:pulumi:stack::project::parent$type::name
  const qualified = urn.split("::")[2];
  const parts = qualified.split("$");
  return parts[parts.length - 1];
}
function nameOf(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/** Outputs the provider computes (not inputs): these never take part in a diff. */
function computedKeys(type: string): Set<string> {
  return new Set(Object.keys(defaultMockState(type, "x", {}).state));
}

function differing(olds: Inputs, news: Inputs, type: string): string[] {
  const computed = computedKeys(type);
  const keys = new Set([...Object.keys(news), ...Object.keys(olds).filter((k) => !computed.has(k) && k !== "id")]);
  return [...keys]
    .filter((k) => JSON.stringify(unwrap(olds[k]) ?? null) !== JSON.stringify(unwrap(news[k]) ?? null))
    .sort();
}

function withSecretOutputs(type: string, outs: Inputs): Inputs {
  const secret = SECRET_OUTPUTS[type] ?? [];
  return Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, secret.includes(k) && !isSecretValue(v) ? wrapSecret(v) : v]));
}

/** Appends one command run to the log the tests read. */
function logRun(file: string | undefined, entry: Record<string, unknown>): void {
  if (file) fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** The inputs of a command resource that decide how it runs (secrets unwrapped: the engine decrypts them for the provider). */
function commandSpec(type: string, name: string, inputs: Inputs): CommandSpec {
  const i = unwrap(inputs) as Inputs;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    kind: type === "command:remote:Command" ? "remote" : "local",
    stdin: str(i.stdin),
    environment: i.environment as Record<string, string> | undefined,
    dir: str(i.dir),
    interpreter: Array.isArray(i.interpreter) ? (i.interpreter as string[]) : undefined,
    addPreviousOutputInEnv: typeof i.addPreviousOutputInEnv === "boolean" ? i.addPreviousOutputInEnv : undefined,
    connection: type === "command:remote:Command" ? connectionOf(i.connection as Inputs, name) : undefined,
  };
}

/** A string input or output, secrets unwrapped; anything else is `fallback`. */
function text(v: unknown, fallback = ""): string {
  const u = unwrap(v);
  return typeof u === "string" ? u : fallback;
}

const TAILNET_KEY = "tailscale:index/tailnetKey:TailnetKey";
/** A local helper's update that prints its recorded output again (components/local/index.ts). */
export const KEEPS_RECORD = /^node \S*(tailscale-device|tailnet-policy)\.js recorded\b/;
const SERVER_TYPES = new Set(["hcloud:index/server:Server", "digitalocean:index/droplet:Droplet"]);

export function standIn(pkg: string, version: string, env: NodeJS.ProcessEnv): provider.Provider {
  const cloud = new LocalCloud(env.OPENCLAW_VPS_LOCAL_CLOUD, pkg);
  const commandLog = env.OPENCLAW_VPS_COMMAND_LOG;
  const runCommands = Boolean(env.OPENCLAW_VPS_RUN_COMMANDS);
  const hosts = Hosts.fromEnv(env);
  const tailnetKeys = TailnetKeys.fromEnv(env);
  const isCommand = (type: string) => type === "command:local:Command" || type === "command:remote:Command";

  /** Runs a command's text when commands run (the real outputs), or answers from the model. */
  const execute = async (type: string, name: string, op: string, runs: string, text: string | undefined, inputs: Inputs, previous: CommandOutputs | undefined): Promise<CommandOutputs | undefined> => {
    logRun(commandLog, { name, op, runs });
    if (!runCommands || text === undefined) return undefined;
    const started = Date.now();
    try {
      const out = await runCommand(text, commandSpec(type, name, inputs), previous, { netns: env.OPENCLAW_VPS_OPERATOR_NETNS });
      logRun(commandLog, { name, op, done: 0, seconds: (Date.now() - started) / 1000, stdout: out.stdout, stderr: out.stderr });
      return out;
    } catch (err) {
      logRun(commandLog, { name, op, done: 1, seconds: (Date.now() - started) / 1000, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  };

  return {
    version,
    check(urn: string, _olds: Inputs, news: Inputs): Promise<provider.CheckResult> {
      const type = typeOf(urn);
      if (!type.startsWith(`${pkg}:`) && type !== `pulumi:providers:${pkg}`) throw new Error(`${pkg} stand-in: unknown resource type ${type}`);
      const failures = CHECKS[type]?.(news) ?? [];
      return Promise.resolve({ inputs: news, failures });
    },
    diff(_id: string, urn: string, olds: Inputs, news: Inputs): Promise<provider.DiffResult> {
      const type = typeOf(urn);
      const rule = REPLACE_ON[type];
      if (rule === undefined) throw new Error(`${pkg} stand-in: no replace rule for ${type}`);
      const changed = differing(olds, news, type);
      const replaces = rule === "all" ? changed : changed.filter((k) => rule.includes(k));
      return Promise.resolve({ changes: changed.length > 0, replaces });
    },
    async create(urn: string, inputs: Inputs): Promise<provider.CreateResult> {
      const type = typeOf(urn);
      const name = nameOf(urn);
      if (previewing) {
        // Nothing is created: what the provider will compute is unknown, its id too.
        const computed = Object.fromEntries([...computedKeys(type), ...(isCommand(type) ? [] : ["id"])].map((key) => [key, UNKNOWN]));
        return { id: "", outs: { ...computed, ...inputs } };
      }
      // Each creation is a new generation: a new id and new random values.
      let model = defaultMockState(type, name, unwrap(inputs) as Inputs, `#${cloud.nextSerial()}`);
      let state: Inputs = model.state;
      if (isCommand(type)) {
        const ran = await execute(type, name, "create", "create", unwrap(inputs.create) as string | undefined, inputs, undefined);
        if (ran) state = { ...state, ...ran };
      } else if (tailnetKeys && type === TAILNET_KEY) {
        const minted = await tailnetKeys.mint(unwrap(inputs) as Inputs);
        model = { id: minted.id, state: { ...state, key: minted.key } };
        state = model.state;
      } else if (hosts && SERVER_TYPES.has(type)) {
        const i = inputs;
        const addresses = await hosts.boot(model.id, text(i.name, name), text(i.userData));
        state = { ...state, ipv4Address: addresses.ipv4, ipv6Address: addresses.ipv6 };
      }
      cloud.add(type, model.id, inputs);
      // Inputs keep their secret markers; computed values come from the model. A bridged
      // provider's outputs carry the id too (Terraform's state has it); the command one's do not.
      const id = isCommand(type) ? {} : { id: model.id };
      return { id: model.id, outs: withSecretOutputs(type, { ...state, ...id, ...inputs }) };
    },
    async update(id: string, urn: string, olds: Inputs, news: Inputs): Promise<provider.UpdateResult> {
      const type = typeOf(urn);
      const name = nameOf(urn);
      const computed = computedKeys(type);
      if (previewing) {
        // Nothing changes: a command's output is unknown until it runs; the rest is kept.
        const kept = Object.fromEntries(Object.entries(olds).filter(([k]) => computed.has(k) || k === "id").map(([k, v]) => [k, isCommand(type) ? UNKNOWN : v]));
        return { outs: { ...kept, ...news } };
      }
      const kept = Object.fromEntries(Object.entries(olds).filter(([k]) => computed.has(k) || k === "id"));
      let fresh: Inputs = {};
      if (isCommand(type)) {
        const command = (unwrap(news.update) ?? unwrap(news.create)) as string | undefined;
        const previous = { stdout: text(olds.stdout), stderr: text(olds.stderr) };
        // A failed run leaves the resource as it was: the engine keeps the old state.
        const ran = await execute(type, name, "update", unwrap(news.update) === undefined ? "create" : "update", command, news, previous);
        // Without running it, the model answers: a helper's `recorded` prints the record it
        // was given again (components/local/tailscale-device.js, tailnet-policy.js), so the
        // output is the previous one; any other text gets the model's fresh output.
        const keepsRecord = typeof command === "string" && KEEPS_RECORD.test(command);
        fresh = ran ? { ...ran } : keepsRecord ? previous : defaultMockState(type, name, unwrap(news) as Inputs, `#${id}`).state;
      }
      cloud.replaceInputs(type, id, news);
      return { outs: withSecretOutputs(type, { ...kept, ...fresh, ...news }) };
    },
    async delete(id: string, urn: string, props: Inputs): Promise<void> {
      const type = typeOf(urn);
      const name = nameOf(urn);
      if (isCommand(type) && unwrap(props.delete) !== undefined) {
        await execute(type, name, "delete", "delete", unwrap(props.delete) as string, props, { stdout: text(props.stdout), stderr: text(props.stderr) });
      }
      // The cloud refuses first (a protected server, a firewall in use); then the host goes.
      cloud.remove(type, id);
      if (hosts && SERVER_TYPES.has(type)) await hosts.remove(id);
      if (tailnetKeys && type === TAILNET_KEY) await tailnetKeys.remove(id);
    },
    invoke(token: string, inputs: Inputs): Promise<provider.InvokeResult> {
      const answer = DEFAULT_INVOKES[token];
      if (!answer) throw new Error(`${pkg} stand-in: unknown function ${token}`);
      return Promise.resolve({ outputs: answer(inputs) });
    },
  };
}

function main(): void {
  const pkg = process.argv[2];
  const sdk = JSON.parse(fs.readFileSync(require.resolve(`@pulumi/${pkg}/package.json`, { paths: [path.join(__dirname, "..", "..")] }), "utf8")) as { pulumi: { version: string } };
  supportPreviews();
  // The plugin's version is its SDK's: never a plugin of another version than the SDK's.
  void provider.main(standIn(pkg, sdk.pulumi.version, process.env), process.argv.slice(3));
}

if (require.main === module) main();
