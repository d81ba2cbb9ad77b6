/**
 * The deployment's manifest (gateway/manifest.ts), shipped as /etc/openclaw-vps/manifest.json
 * and checked on the server by drift.js: every file the deploy writes with fixed content, the
 * gateway's and the host's, with the SHA-256 of its content and its mode; UFW's rules and
 * defaults from the host firewall's commands; DOCKER-USER as the guard (and, with coding, the
 * coder's egress) leaves it; the units that must have no drop-in; the timers that must run.
 * Checked on what `npm run plan -- --out` renders for examples/hetzner.yaml and for that
 * stack with coding on (the fixtures of tests/gateway/posture.test.ts), and in-process on the
 * settings tests/gateway/coding.test.ts uses.
 */
import { createHash } from "crypto";
import { readFileSync, readdirSync, statSync } from "fs";
import { join } from "path";
import { hostFiles } from "../../cloud-init";
import { GatewaySettings, gatewayFiles } from "../../gateway";
import { CARRIED_CONFIG_KEYS, MANIFEST_FILE, Manifest, dockerUserRules, renderManifest, ufwDefaults, ufwRuleLine, ufwRules } from "../../gateway/manifest";
import { RenderedPosture, renderExample } from "./posture/variants";

const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

const off: GatewaySettings = { tailnetHost: "claw.tail1234.ts.net", telegram: { dmPolicy: "allowlist", ownerId: "123456789" }, models: { anthropic: true, openai: false }, sandboxImage: "img", sandboxNetwork: "none" };
const on: GatewaySettings = { ...off, coding: { ownerId: "123456789", gitAuthorName: "Ada", gitAuthorEmail: "ada@example.com", repositories: ["me/app"], readToken: true, approvalTimeoutSeconds: 600 } };

/** The manifest a deployment ships: manifest.json of its gateway files, parsed. */
function shipped(s: GatewaySettings): Manifest {
  const files = gatewayFiles(s);
  const last = files[files.length - 1];
  expect(last).toMatchObject({ artifact: "manifest.json", path: MANIFEST_FILE, mode: "0644" });
  return JSON.parse(last.content) as Manifest;
}

/** What the manifest must list: each gateway file but the manifest, then each host file. */
function expectedFiles(s: GatewaySettings) {
  return [
    ...gatewayFiles(s)
      .filter((f) => f.path !== MANIFEST_FILE)
      .map((f) => ({ path: f.path, mode: f.mode, sha256: sha256(f.content) })),
    ...hostFiles().map((f) => ({ path: f.path, mode: f.permissions, sha256: sha256(f.content) })),
  ];
}

const GUARD = [
  "-A DOCKER-USER -d 169.254.0.0/16 -i docker0 -j REJECT --reject-with icmp-admin-prohibited",
  "-A DOCKER-USER -d 100.64.0.0/10 -i docker0 -j REJECT --reject-with icmp-admin-prohibited",
  "-A DOCKER-USER -d 169.254.0.0/16 -i br-+ -j REJECT --reject-with icmp-admin-prohibited",
  "-A DOCKER-USER -d 100.64.0.0/10 -i br-+ -j REJECT --reject-with icmp-admin-prohibited",
];
const CODER_REJECT = "-A DOCKER-USER -i br-oc-coder -j REJECT --reject-with icmp-port-unreachable";

describe("the host firewall and the Docker guard, as the manifest states them", () => {
  it("UFW: exactly the tailnet rule, as `ufw show added` prints it (the comment in single quotes)", () => {
    expect(ufwRules()).toEqual(["ufw allow in on tailscale0 comment 'tailnet only'"]);
    expect(ufwRuleLine(["ufw", "allow", "22/tcp"])).toBe("ufw allow 22/tcp");
    expect(ufwRuleLine(["ufw", "deny", "in", "on", "eth0", "comment", "a b"])).toBe("ufw deny in on eth0 comment 'a b'");
  });

  it("UFW's defaults: IPv6 filtered too, inbound and routed dropped, outbound accepted", () => {
    expect(ufwDefaults()).toEqual({ IPV6: "yes", DEFAULT_INPUT_POLICY: "DROP", DEFAULT_FORWARD_POLICY: "DROP", DEFAULT_OUTPUT_POLICY: "ACCEPT" });
  });

  it("DOCKER-USER: the guard's four rules in `iptables -S` form; with coding, the coder's bridge rejected first", () => {
    expect(dockerUserRules(false)).toEqual(GUARD);
    expect(dockerUserRules(true)).toEqual([CODER_REJECT, ...GUARD]);
  });
});

describe.each([
  ["coding off", off, false],
  ["coding on", on, true],
] as const)("the manifest of a deployment with %s", (_name, s, coding) => {
  const m = shipped(s);

  it("lists every gateway file but itself and every host file, with the SHA-256 of its content and its mode, in order", () => {
    expect(m.version).toBe(1);
    expect(m.files).toEqual(expectedFiles(s));
    expect(m.files.map((f) => f.path)).not.toContain(MANIFEST_FILE);
    // The drift check itself ships, and is checked like every other file.
    const drift = gatewayFiles(s).find((f) => f.artifact === "scripts/gateway-drift.js");
    expect(drift).toMatchObject({ path: "/usr/local/lib/openclaw-vps/drift.js", mode: "0755", content: readFileSync(join(__dirname, "../../gateway/scripts/drift.js"), "utf8") });
    expect(m.files).toContainEqual({ path: "/usr/local/lib/openclaw-vps/drift.js", mode: "0755", sha256: sha256(readFileSync(join(__dirname, "../../gateway/scripts/drift.js"))) });
    // No path twice: each file has one expected state.
    expect(new Set(m.files.map((f) => f.path)).size).toBe(m.files.length);
  });

  it("names the units that must have no drop-in (the gateway's, the timers', the Docker guard's) and the timers that must run", () => {
    expect(m.units).toEqual(expect.arrayContaining(["openclaw-gateway.service", "openclaw-backup.timer", "openclaw-selfcheck.timer", "openclaw-health.timer", "openclaw-vps-docker-guard.service"]));
    expect(m.units).toEqual([...m.units].sort());
    // Every unit is a file the manifest lists, under /etc/systemd/system.
    for (const u of m.units) expect(m.files.map((f) => f.path)).toContain(`/etc/systemd/system/${u}`);
    const coderUnits = ["openclaw-vps-coder-egress.service", "openclaw-vps-coder-proxy.service"];
    if (coding) expect(m.units).toEqual(expect.arrayContaining(coderUnits));
    else for (const u of coderUnits) expect(m.units).not.toContain(u);
    expect(m.timers).toEqual(["openclaw-backup.timer", "openclaw-selfcheck.timer", "openclaw-health.timer"]);
  });

  it("states the config, .env, UFW and DOCKER-USER checks", () => {
    expect(m.config).toEqual({
      live: "/home/openclaw/.openclaw/openclaw.json",
      rendered: "/etc/openclaw-vps/openclaw.json",
      carried: [["commands", "ownerAllowFrom"], ["meta"], ["wizard"]],
    });
    expect(CARRIED_CONFIG_KEYS).toEqual(m.config.carried);
    expect(m.env).toEqual({ file: "/home/openclaw/.openclaw/.env", names: "/etc/openclaw-vps/env-keys" });
    expect(m.ufw).toEqual({ status: "active", defaultsFile: "/etc/default/ufw", defaults: ufwDefaults(), rulesFile: "/etc/ufw/user.rules", rules: ["ufw allow in on tailscale0 comment 'tailnet only'"] });
    expect(m.dockerUser).toEqual(coding ? [CODER_REJECT, ...GUARD] : GUARD);
  });
});

describe("a changed rendered file", () => {
  it("changes the manifest: that file's hash, and nothing else", () => {
    const before = shipped(off);
    const after = shipped({ ...off, tailnetHost: "other.tail1234.ts.net" });
    const changed = after.files.filter((f, i) => f.sha256 !== before.files[i].sha256).map((f) => f.path);
    // Exactly the files whose rendered text differs: the config names the tailnet host.
    const other = gatewayFiles({ ...off, tailnetHost: "other.tail1234.ts.net" });
    const differs = gatewayFiles(off)
      .filter((f, i) => f.path !== MANIFEST_FILE && f.content !== other[i].content)
      .map((f) => f.path);
    expect(changed).toEqual(differs);
    expect(changed).toContain("/etc/openclaw-vps/openclaw.json");
    expect(changed).not.toContain("/usr/local/lib/openclaw-vps/drift.js");
    expect(after.files.map((f) => f.path)).toEqual(before.files.map((f) => f.path));
    const config = other.find((f) => f.path === "/etc/openclaw-vps/openclaw.json");
    expect(after.files.find((f) => f.path === "/etc/openclaw-vps/openclaw.json")?.sha256).toBe(sha256(config?.content ?? ""));
    // So the manifest.json the files step installs changes with it.
    expect(gatewayFiles(off).find((f) => f.path === MANIFEST_FILE)?.content).not.toBe(other.find((f) => f.path === MANIFEST_FILE)?.content);
  });

  it("in renderManifest: one byte or the mode of one file changes exactly that entry", () => {
    const files = [
      { path: "/a", mode: "0644", content: "one\n" },
      { path: "/b", mode: "0755", content: "two\n" },
    ];
    const base = renderManifest(files, false);
    const edited = renderManifest([files[0], { ...files[1], content: "two!\n" }], false);
    const remoded = renderManifest([{ ...files[0], mode: "0600" }, files[1]], false);
    expect(base.files.slice(0, 2)).toEqual([
      { path: "/a", mode: "0644", sha256: sha256("one\n") },
      { path: "/b", mode: "0755", sha256: sha256("two\n") },
    ]);
    expect(edited.files[1]).toEqual({ path: "/b", mode: "0755", sha256: sha256("two!\n") });
    expect(edited.files.filter((f, i) => JSON.stringify(f) !== JSON.stringify(base.files[i]))).toEqual([edited.files[1]]);
    expect(remoded.files.filter((f, i) => JSON.stringify(f) !== JSON.stringify(base.files[i]))).toEqual([{ path: "/a", mode: "0600", sha256: sha256("one\n") }]);
    // The host's files follow, the same for every deployment.
    expect(base.files.slice(2).map((f) => f.path)).toEqual(hostFiles().map((f) => f.path));
  });
});

/** Every file under `dir`, relative to it. */
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p).map((q) => join(name, q)) : [name];
  });
}

describe("the manifest `npm run plan -- --out` renders", () => {
  let hetzner: RenderedPosture;
  let coding: RenderedPosture;
  beforeAll(async () => {
    [hetzner, coding] = await Promise.all([renderExample(false), renderExample(true)]);
  });

  // Which path each artifact is installed at (the same for every deployment).
  const byArtifact = new Map<string, { path: string; mode: string }>([
    ...[...gatewayFiles(off), ...gatewayFiles(on)].map((f) => [f.artifact, { path: f.path, mode: f.mode }] as const),
    ...hostFiles().map((f) => [f.artifact, { path: f.path, mode: f.permissions }] as const),
  ]);

  it.each([
    ["examples/hetzner.yaml", false],
    ["the same stack with coding on", true],
  ] as const)("for %s lists every rendered file with the hash of the bytes rendered, and nothing else", (_name, withCoding) => {
    const r = withCoding ? coding : hetzner;
    const m = JSON.parse(readFileSync(join(r.dir, "manifest.json"), "utf8")) as Manifest;
    // The user data and the files step's bundle carry the files; the manifest does not list itself.
    const artifacts = walk(r.dir).filter((a) => !["cloud-init.yaml", "scripts/gateway-files.sh", "scripts/host-step.sh", "manifest.json"].includes(a));
    expect(artifacts.length).toBeGreaterThan(35);
    const want = artifacts.map((a) => {
      const at = byArtifact.get(a);
      if (!at) throw new Error(`no installed path known for the rendered artifact ${a}`);
      return { path: at.path, mode: at.mode, sha256: sha256(readFileSync(join(r.dir, a))) };
    });
    expect([...m.files].sort((a, b) => a.path.localeCompare(b.path))).toEqual(want.sort((a, b) => a.path.localeCompare(b.path)));
    expect(m.dockerUser).toEqual(withCoding ? [CODER_REJECT, ...GUARD] : GUARD);
    expect(m.units.includes("openclaw-vps-coder-egress.service")).toBe(withCoding);
  });
});
