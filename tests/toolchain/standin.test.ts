/**
 * The provider stand-ins on their own (toolchain/providers): the rules they keep of the real
 * providers and clouds, each with a case that passes and one that is refused, and the
 * harness's reading of the engine's event log.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHECKS, KEEPS_RECORD, SECRET_OUTPUTS, standIn } from "../../toolchain/providers/standin";
import { CloudRefusal, LocalCloud } from "../../toolchain/providers/local-cloud";
import { stepsOfEvents } from "../../tools/lib/realEngine";
import { isSecretValue, wrapSecret } from "../../commands/lib/mockRuntime";

const URN = (type: string, name: string) => `urn:pulumi:dev::openclaw-vps::openclaw-vps:index:OpenClawGateway$${type}::${name}`;
const SERVER = "hcloud:index/server:Server";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-standin-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the checks the real providers make before the API", () => {
  it("Hetzner: delete and rebuild protection must be equal", () => {
    expect(CHECKS[SERVER]({ deleteProtection: true, rebuildProtection: true })).toEqual([]);
    expect(CHECKS[SERVER]({ deleteProtection: true, rebuildProtection: false })).toEqual([
      { property: "rebuildProtection", reason: "delete_protection and rebuild_protection must be equal" },
    ]);
  });
  it("Hetzner: user data of at most 32 KiB, counted in bytes", () => {
    expect(CHECKS[SERVER]({ userData: "x".repeat(32 * 1024) })).toEqual([]);
    expect(CHECKS[SERVER]({ userData: wrapSecret("é".repeat(16 * 1024 + 1)) })[0].property).toBe("userData");
  });
  it("Hetzner: a token of exactly 64 characters", () => {
    expect(CHECKS["pulumi:providers:hcloud"]({ token: wrapSecret("a".repeat(64)) })).toEqual([]);
    expect(CHECKS["pulumi:providers:hcloud"]({ token: "a".repeat(63) })[0].property).toBe("token");
  });
  it("DigitalOcean: a firewall with no rule at all is refused", () => {
    expect(CHECKS["digitalocean:index/firewall:Firewall"]({ inboundRules: [], outboundRules: [{ protocol: "tcp" }] })).toEqual([]);
    expect(CHECKS["digitalocean:index/firewall:Firewall"]({ inboundRules: [], outboundRules: [] })[0].reason).toBe("At least one rule must be specified");
  });
});

describe("a stand-in provider", () => {
  const hcloud = () => standIn("hcloud", "1.41.0", { OPENCLAW_VPS_LOCAL_CLOUD: dir });

  it("refuses a resource type of another package", () => {
    expect(() => hcloud().check?.(URN("tls:index/privateKey:PrivateKey", "k"), {}, {})).toThrow("unknown resource type");
  });

  it("diffs by the provider's replace rules: user data replaces a server, its type changes in place", async () => {
    const p = hcloud();
    const olds = { image: "ubuntu-24.04", serverType: "cx23", userData: "a", ipv4Address: "203.0.113.10", id: "1" };
    expect(await p.diff?.("1", URN(SERVER, "s"), olds, { image: "ubuntu-24.04", serverType: "cx33", userData: "a" })).toEqual({ changes: true, replaces: [] });
    expect(await p.diff?.("1", URN(SERVER, "s"), olds, { image: "ubuntu-24.04", serverType: "cx23", userData: "b" })).toEqual({ changes: true, replaces: ["userData"] });
    // Computed outputs and the id take no part.
    expect(await p.diff?.("1", URN(SERVER, "s"), olds, { image: "ubuntu-24.04", serverType: "cx23", userData: "a" })).toEqual({ changes: false, replaces: [] });
  });

  it("returns the outputs the real schema marks secret as secrets, and a new id for each creation", async () => {
    const random = standIn("random", "4.21.2", { OPENCLAW_VPS_LOCAL_CLOUD: dir });
    const urn = URN("random:index/randomBytes:RandomBytes", "token");
    const a = await random.create?.(urn, { length: 32 });
    const b = await random.create?.(urn, { length: 32 });
    const hex = (r: typeof a) => (r?.outs as Record<string, unknown> | undefined)?.hex;
    expect(SECRET_OUTPUTS["random:index/randomBytes:RandomBytes"]).toContain("hex");
    expect(isSecretValue(hex(a))).toBe(true);
    expect(a?.id).not.toBe(b?.id);
    expect(hex(a)).not.toEqual(hex(b));
  });

  it("logs the command text pulumi-command runs: create, update (or create without one), delete", async () => {
    const log = path.join(dir, "commands.jsonl");
    const command = standIn("command", "1.2.1", { OPENCLAW_VPS_LOCAL_CLOUD: dir, OPENCLAW_VPS_COMMAND_LOG: log });
    const urn = URN("command:remote:Command", "step");
    const made = await command.create?.(urn, { create: "a", delete: "d" });
    await command.update?.(made?.id ?? "", urn, { create: "a" }, { create: "b" });
    await command.update?.(made?.id ?? "", urn, { create: "b" }, { create: "b", update: "u" });
    await command.delete?.(made?.id ?? "", urn, { create: "b", delete: "d" });
    const runs = fs.readFileSync(log, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { runs: string }).runs);
    expect(runs).toEqual(["create", "create", "update", "delete"]);
  });

  it("models a helper's `recorded` update as printing the record again, and a re-run create as a new device", async () => {
    const command = standIn("command", "1.2.1", { OPENCLAW_VPS_LOCAL_CLOUD: dir });
    const urn = URN("command:local:Command", "openclaw-tailnet-device-node");
    const inputs = { create: "node components/local/tailscale-device.js adopt openclaw tag:openclaw 900", delete: "node components/local/tailscale-device.js delete-recorded" };
    const made = await command.create?.(urn, inputs);
    const stdout = (r: { outs?: Record<string, unknown> } | undefined) => r?.outs?.stdout;
    expect(String(stdout(made))).toMatch(/^\{"id":"mock-device/);
    const kept = await command.update?.(made?.id ?? "", urn, made?.outs ?? {}, { ...inputs, update: "node components/local/tailscale-device.js recorded openclaw tag:openclaw" });
    expect(stdout(kept)).toBe(stdout(made));
    const readopted = await command.update?.(made?.id ?? "", urn, made?.outs ?? {}, { ...inputs, create: `${inputs.create} ` });
    expect(stdout(readopted)).not.toBe(stdout(made));
    expect(KEEPS_RECORD.test("node components/local/tailnet-policy.js recorded")).toBe(true);
    expect(KEEPS_RECORD.test("node components/local/tailnet-policy.js apply")).toBe(false);
  });
});

describe("the local cloud", () => {
  it("refuses to delete a Hetzner firewall still applied to a server, and a protected server", () => {
    const cloud = new LocalCloud(dir, "hcloud");
    cloud.add("hcloud:index/firewall:Firewall", "7", { rules: [] });
    cloud.add(SERVER, "9", { firewallIds: [7], deleteProtection: true });
    expect(() => cloud.remove("hcloud:index/firewall:Firewall", "7")).toThrow(CloudRefusal);
    expect(() => cloud.remove(SERVER, "9")).toThrow("protected");
    cloud.replaceInputs(SERVER, "9", { firewallIds: [7], deleteProtection: false });
    cloud.remove(SERVER, "9");
    cloud.remove("hcloud:index/firewall:Firewall", "7");
    expect(LocalCloud.counts(dir)).toEqual({ "hcloud:index/firewall:Firewall": 0, [SERVER]: 0 });
  });

  it("refuses to delete a DigitalOcean tag still on a droplet", () => {
    const cloud = new LocalCloud(dir, "digitalocean");
    cloud.add("digitalocean:index/tag:Tag", "openclaw-ab12", { name: "openclaw-ab12" });
    cloud.add("digitalocean:index/droplet:Droplet", "5", { tags: ["openclaw-ab12"] });
    expect(() => cloud.remove("digitalocean:index/tag:Tag", "openclaw-ab12")).toThrow("still on a droplet");
  });
});

describe("the engine's event log, read back", () => {
  const pre = (op: string, name: string, type = SERVER) => JSON.stringify({ resourcePreEvent: { metadata: { op, urn: URN(type, name), type } } });
  it("collapses a replacement's three steps into one, and keeps the first-seen order", () => {
    const steps = stepsOfEvents([pre("same", "a"), pre("create-replacement", "b"), pre("replace", "b"), pre("delete-replaced", "b"), pre("update", "c"), JSON.stringify({ summaryEvent: {} })]);
    expect(steps.map((s) => `${s.name}: ${s.op}`)).toEqual(["a: same", "b: replace", "c: update"]);
  });
});
