/**
 * The drift check (gateway/scripts/drift.js, run as root on the server by verify.sh and over
 * SSH before every plan): its checks on temporary files, and the command itself against a
 * manifest whose files point into a temporary directory, with stand-ins for `ufw`,
 * `iptables` and `systemctl` first on PATH that print what the real tools print. This test
 * runs as root (the files' owner is checked against uid 0).
 */
import { execFile } from "child_process";
import { createHash } from "crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { hostFiles } from "../../cloud-init";
import { GatewaySettings, gatewayFiles } from "../../gateway";
import { CARRIED_CONFIG_KEYS, MANIFEST_FILE, Manifest, dockerUserRules, renderManifest, ufwDefaults, ufwRules } from "../../gateway/manifest";
import { VARIANTS, weakened } from "./posture/variants";
import { limitMs } from "../limits";

interface FileEntry {
  path: string;
  mode: string;
  sha256: string;
}
interface ConfigCheck {
  live: string;
  rendered: string;
  carried: readonly (readonly string[])[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const drift = require("../../gateway/scripts/drift.js") as {
  MANIFEST_VERSION: number;
  checkFiles: (files: readonly FileEntry[]) => string[];
  checkConfig: (config: ConfigCheck) => string[];
  checkEnv: (env: { file: string; names: string }) => string[];
  carry: (renderedText: string, liveText: string, carried: readonly (readonly string[])[]) => string;
  differences: (a: unknown, b: unknown) => string[];
};

describe("differences", () => {
  it("compares objects inside arrays key by key, in any order, and names the element", () => {
    const rendered = { bindings: [{ agentId: "coder", match: { accountId: "coder", channel: "telegram" } }] };
    const reordered = { bindings: [{ match: { channel: "telegram", accountId: "coder" }, agentId: "coder" }] };
    expect(drift.differences(rendered, reordered)).toEqual([]);
    const changed = { bindings: [{ agentId: "main", match: { accountId: "coder", channel: "telegram" } }] };
    expect(drift.differences(rendered, changed)).toEqual(["bindings.0.agentId"]);
    // A longer or shorter list is a difference of the whole list.
    expect(drift.differences({ allowFrom: ["1"] }, { allowFrom: ["1", "666"] })).toEqual(["allowFrom"]);
  });
});

const SCRIPT = join(__dirname, "../../gateway/scripts/drift.js");
const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");
type Json = Record<string, unknown>;

const settings: GatewaySettings = { tailnetHost: "claw.tail1234.ts.net", telegram: { dmPolicy: "pairing" }, models: { anthropic: true, openai: false }, sandboxImage: "img", sandboxNetwork: "none" };
const RENDERED = gatewayFiles(settings).find((f) => f.path === "/etc/openclaw-vps/openclaw.json")?.content ?? "";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "drift-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a file with exactly this mode (the umask aside) and returns its manifest entry. */
function put(name: string, content: string, mode = 0o644): FileEntry {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
  return { path, mode: `0${mode.toString(8)}`, sha256: sha256(content) };
}

describe("checkFiles", () => {
  it("is clean when each file has the rendered content, mode and owner", () => {
    expect(process.getuid?.()).toBe(0);
    const files = [put("a.sh", "#!/bin/sh\necho a\n", 0o755), put("b.conf", "b = 1\n")];
    expect(drift.checkFiles(files)).toEqual([]);
  });

  it("names a file whose content changed since the deploy", () => {
    const f = put("b.conf", "b = 1\n");
    writeFileSync(f.path, "b = 2\n");
    expect(drift.checkFiles([f])).toEqual([`drift: ${f.path}: changed since the deploy`]);
  });

  it("names a file whose mode changed, with the mode found and the mode expected", () => {
    const f = put("b.conf", "b = 1\n");
    chmodSync(f.path, 0o666);
    expect(drift.checkFiles([f])).toEqual([`drift: ${f.path}: mode 0666, expected 0644`]);
    const script = put("a.sh", "#!/bin/sh\n", 0o755);
    chmodSync(script.path, 0o4755);
    expect(drift.checkFiles([script])).toEqual([`drift: ${script.path}: mode 04755, expected 0755`]);
  });

  it("names a missing file", () => {
    const f = put("b.conf", "b = 1\n");
    rmSync(f.path);
    expect(drift.checkFiles([f])).toEqual([`drift: ${f.path}: missing`]);
  });

  it("names a file no longer root's", () => {
    const f = put("b.conf", "b = 1\n");
    chownSync(f.path, 1000, 1000);
    expect(drift.checkFiles([f])).toEqual([`drift: ${f.path}: owned by uid 1000, expected root`]);
  });

  it("names a symlink or a directory where the file was, even a link to the right content", () => {
    const real = put("real.conf", "b = 1\n");
    const link = { ...real, path: join(dir, "link.conf") };
    symlinkSync(real.path, link.path);
    const asDir = { ...real, path: join(dir, "d") };
    mkdirSync(asDir.path);
    expect(drift.checkFiles([link, asDir])).toEqual([`drift: ${link.path}: is not a regular file`, `drift: ${asDir.path}: is not a regular file`]);
  });

  it("names every problem of every file, each on its own", () => {
    const a = put("a.conf", "a\n");
    const b = put("b.conf", "b\n");
    writeFileSync(a.path, "A\n");
    chmodSync(a.path, 0o600);
    chownSync(b.path, 1000, 0);
    expect(drift.checkFiles([a, b])).toEqual([
      `drift: ${a.path}: changed since the deploy`,
      `drift: ${a.path}: mode 0600, expected 0644`,
      `drift: ${b.path}: owned by uid 1000, expected root`,
    ]);
  });
});

describe("checkConfig", () => {
  const config = (live: string): ConfigCheck => ({ live: put("live.json", live).path, rendered: put("rendered.json", RENDERED).path, carried: CARRIED_CONFIG_KEYS });
  const edited = (edit: (c: Json) => void) => {
    const c = JSON.parse(RENDERED) as Json;
    edit(c);
    return `${JSON.stringify(c, null, 2)}\n`;
  };

  it("is clean when the live config is the rendered one", () => {
    expect(drift.checkConfig(config(RENDERED))).toEqual([]);
  });

  it("leaves out the keys OpenClaw writes itself: the command owner, meta, wizard", () => {
    const live = edited((c) => {
      (c.commands as Json).ownerAllowFrom = ["telegram:123456789"];
      c.meta = { lastTouchedVersion: "2026.9.6", lastTouchedAt: "2026-12-01T10:00:00.000Z" };
      c.wizard = { lastRunAt: "2026-12-01T10:00:00.000Z", lastRunCommand: "onboard" };
    });
    expect(drift.checkConfig(config(live))).toEqual([]);
  });

  it("ignores key order and formatting, at every level", () => {
    const reorder = (v: unknown): unknown =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Json)
              .reverse()
              .map(([k, x]) => [k, reorder(x)]),
          )
        : v;
    const live = JSON.stringify(reorder(JSON.parse(RENDERED)));
    expect(live).not.toBe(RENDERED.trim());
    expect(drift.checkConfig(config(live))).toEqual([]);
  });

  it("names the key path of a held weakened variant, and the live file", () => {
    const v = VARIANTS.find((x) => x.name === "sandbox-network-bridge");
    if (!v) throw new Error("no variant sandbox-network-bridge");
    const c = config(weakened(RENDERED, v));
    expect(drift.checkConfig(c)).toEqual([`drift: ${c.live}: differs from the rendered config (${c.rendered}) at agents.defaults.sandbox.docker.network`]);
  });

  it("names up to three key paths of a variant that changes more, and how many more", () => {
    const v = VARIANTS.find((x) => x.name === "sandbox-weakened");
    if (!v) throw new Error("no variant sandbox-weakened");
    const c = config(weakened(RENDERED, v));
    const D = "agents.defaults.sandbox.docker";
    expect(drift.checkConfig(c)).toEqual([`drift: ${c.live}: differs from the rendered config (${c.rendered}) at ${D}.capDrop, ${D}.memory, ${D}.network (and 3 more)`]);
  });

  it("refuses every held variant of the posture check, whichever keys it changes", () => {
    for (const v of VARIANTS) {
      const c = config(weakened(RENDERED, v));
      const problems = drift.checkConfig(c);
      expect({ name: v.name, problems }).toEqual({ name: v.name, problems: [expect.stringContaining(`drift: ${c.live}: differs from the rendered config (${c.rendered}) at `)] });
    }
  });

  it("a carried key does not hide a change beside it: commands.bash turned on is drift", () => {
    const live = edited((c) => {
      (c.commands as Json).ownerAllowFrom = ["telegram:123456789"];
      (c.commands as Json).bash = true;
    });
    const c = config(live);
    expect(drift.checkConfig(c)).toEqual([`drift: ${c.live}: differs from the rendered config (${c.rendered}) at commands.bash`]);
  });

  it("names a missing live config, a live config that is not JSON, and a missing rendered copy", () => {
    const c = config(RENDERED);
    writeFileSync(c.live, "{ not json");
    expect(drift.checkConfig(c)).toEqual([`drift: ${c.live}: is not JSON`]);
    rmSync(c.live);
    expect(drift.checkConfig(c)).toEqual([`drift: ${c.live}: missing`]);
    writeFileSync(c.live, RENDERED);
    rmSync(c.rendered);
    expect(drift.checkConfig(c)).toEqual([`drift: ${c.rendered}: missing`]);
  });
});

describe("checkEnv", () => {
  const SECRETS = ["tok-0123456789abcdef", "123456:AAH-telegram-secret", "sk-ant-leaked-value"];
  const env = (text: string, names: string) => ({ file: put(".env", text, 0o600).path, names: put("env-keys", names).path });

  it("is clean when .env holds exactly the keys the configure step put there, whatever their values", () => {
    const e = env(`OPENCLAW_GATEWAY_TOKEN=${SECRETS[0]}\n# a comment\n\nTELEGRAM_BOT_TOKEN=${SECRETS[1]}\n`, "OPENCLAW_GATEWAY_TOKEN\nTELEGRAM_BOT_TOKEN\n");
    expect(drift.checkEnv(e)).toEqual([]);
    writeFileSync(e.file, `TELEGRAM_BOT_TOKEN=changed\nOPENCLAW_GATEWAY_TOKEN=changed-too\n`);
    expect(drift.checkEnv(e)).toEqual([]);
  });

  it("names a key added and a key removed, by name only: no value appears in any problem", () => {
    const e = env(`OPENCLAW_GATEWAY_TOKEN=${SECRETS[0]}\nANTHROPIC_API_KEY=${SECRETS[2]}\n`, "OPENCLAW_GATEWAY_TOKEN\nTELEGRAM_BOT_TOKEN\n");
    const problems = drift.checkEnv(e);
    expect(problems).toEqual([
      `drift: ${e.file}: holds ANTHROPIC_API_KEY, which the deploy did not put there`,
      `drift: ${e.file}: lacks TELEGRAM_BOT_TOKEN, which the deploy put there`,
    ]);
    for (const secret of SECRETS) expect(problems.join("\n")).not.toContain(secret);
  });

  it("names a missing .env and a missing names file", () => {
    const e = env("A=1\n", "A\n");
    rmSync(e.names);
    expect(drift.checkEnv(e)).toEqual([`drift: ${e.names}: missing (the configure step writes it)`]);
    rmSync(e.file);
    expect(drift.checkEnv(e)).toEqual([`drift: ${e.file}: missing`]);
  });
});

describe("carry", () => {
  const withOwner = (text: string, owner: unknown) => {
    const c = JSON.parse(text) as Json;
    (c.commands as Json).ownerAllowFrom = owner;
    return `${JSON.stringify(c, null, 2)}\n`;
  };

  it("takes the command owner a pairing approval wrote from the live config, and nothing else of it", () => {
    const v = VARIANTS.find((x) => x.name === "sandbox-network-bridge");
    if (!v) throw new Error("no variant sandbox-network-bridge");
    // The live config: paired (an owner) and weakened (bridge): only the owner is carried.
    const live = withOwner(weakened(RENDERED, v), ["telegram:123456789"]);
    const out = drift.carry(RENDERED, live, CARRIED_CONFIG_KEYS);
    expect(out).toBe(withOwner(RENDERED, ["telegram:123456789"]));
    const c = JSON.parse(out) as { agents: { defaults: { sandbox: { docker: { network: string } } } } };
    expect(c.agents.defaults.sandbox.docker.network).toBe("none");
    // What configure.sh installs passes the drift check against the rendered copy.
    expect(drift.checkConfig({ live: put("live.json", out).path, rendered: put("rendered.json", RENDERED).path, carried: CARRIED_CONFIG_KEYS })).toEqual([]);
  });

  it("carries meta and wizard too, creating what the rendered config lacks", () => {
    const live = JSON.parse(RENDERED) as Json;
    live.meta = { lastTouchedVersion: "2026.9.6" };
    live.wizard = { lastRunAt: "2026-12-01T10:00:00.000Z" };
    const out = JSON.parse(drift.carry(RENDERED, JSON.stringify(live), CARRIED_CONFIG_KEYS)) as Json;
    expect(out).toEqual({ ...(JSON.parse(RENDERED) as Json), meta: { lastTouchedVersion: "2026.9.6" }, wizard: { lastRunAt: "2026-12-01T10:00:00.000Z" } });
  });

  it("with nothing to carry returns the rendered text byte for byte", () => {
    // The live config without the carried keys, differing elsewhere; none at all; not JSON.
    const differentElsewhere = `${JSON.stringify({ ...(JSON.parse(RENDERED) as Json), gateway: { port: 1 } })}\n`;
    for (const live of [RENDERED, differentElsewhere, "", "{ not json"]) expect(drift.carry(RENDERED, live, CARRIED_CONFIG_KEYS)).toBe(RENDERED);
  });

  it("is idempotent: carrying into what it carried into changes nothing", () => {
    const live = withOwner(RENDERED, ["telegram:123456789"]);
    const once = drift.carry(RENDERED, live, CARRIED_CONFIG_KEYS);
    expect(once).not.toBe(RENDERED);
    expect(drift.carry(once, live, CARRIED_CONFIG_KEYS)).toBe(once);
    // And what it installed, read back as the live config next time, gives the same again.
    expect(drift.carry(RENDERED, once, CARRIED_CONFIG_KEYS)).toBe(once);
  });

  it("as the command configure.sh runs: `drift.js carry RENDERED LIVE MANIFEST`, the carried keys from the manifest", async () => {
    const rendered = put("rendered.json", RENDERED).path;
    const live = put("live.json", withOwner(RENDERED, ["telegram:42"])).path;
    const manifest = put("manifest.json", JSON.stringify({ version: 1, files: [], config: { live, rendered, carried: CARRIED_CONFIG_KEYS } })).path;
    expect(await run(["carry", rendered, live, manifest])).toEqual({ code: 0, stdout: withOwner(RENDERED, ["telegram:42"]), stderr: "" });
    // A first deploy: no live config yet.
    expect(await run(["carry", rendered, join(dir, "none.json"), manifest])).toEqual({ code: 0, stdout: RENDERED, stderr: "" });
  });
});

/** Runs drift.js with the stand-ins first on PATH. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { env: { PATH: `${dir}/bin:/usr/bin:/bin` }, timeout: limitMs(10) }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    );
  });
}

describe("drift.js check MANIFEST", () => {
  const TIMERS = ["openclaw-backup.timer", "openclaw-selfcheck.timer", "openclaw-health.timer"];
  const RULE = "ufw allow in on tailscale0 comment 'tailnet only'";
  const ADDED_HEADER = "Added user rules (see 'ufw status' for running firewall):";
  const UFW_DEFAULTS = `# /etc/default/ufw
#

# Set to yes to apply rules to support IPv6 (no means only IPv6 on loopback
# accepted). You will need to 'disable' and then 'enable' the firewall for
# the changes to take affect.
IPV6=yes

# Set the default input policy to ACCEPT, DROP, or REJECT.
DEFAULT_INPUT_POLICY="DROP"
DEFAULT_OUTPUT_POLICY="ACCEPT"
DEFAULT_FORWARD_POLICY="DROP"
DEFAULT_APPLICATION_POLICY="SKIP"
MANAGE_BUILTINS=no
IPT_SYSCTL=/etc/ufw/sysctl.conf
IPT_MODULES=""
`;
  let manifestPath = "";
  let manifest: Manifest;
  /** What each stand-in prints, switched per case. */
  const state = (name: string, text: string) => writeFileSync(join(dir, "state", name), text);

  beforeEach(() => {
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "state"));
    const S = join(dir, "state");
    writeFileSync(
      join(dir, "bin", "ufw"),
      `#!/bin/bash
case "$*" in
  status) cat "${S}/ufw-status" ;;
  "show added") cat "${S}/ufw-added" ;;
  *) echo "ufw stand-in: unexpected $*" >&2; exit 9 ;;
esac
`,
      { mode: 0o755 },
    );
    writeFileSync(
      join(dir, "bin", "iptables"),
      `#!/bin/bash
if [ "$*" != "-S DOCKER-USER" ]; then echo "iptables stand-in: unexpected $*" >&2; exit 9; fi
if [ -f "${S}/iptables-fails" ]; then echo "iptables: No chain/target/match by that name." >&2; exit 1; fi
cat "${S}/iptables"
`,
      { mode: 0o755 },
    );
    writeFileSync(
      join(dir, "bin", "systemctl"),
      `#!/bin/bash
case "$1" in
  is-enabled) if [ -f "${S}/disabled-$2" ]; then echo disabled; exit 1; fi; echo enabled ;;
  is-active) if [ -f "${S}/inactive-$2" ]; then echo inactive; exit 3; fi; echo active ;;
  *) echo "systemctl stand-in: unexpected $*" >&2; exit 9 ;;
esac
`,
      { mode: 0o755 },
    );
    state("ufw-status", "Status: active\n\nTo                         Action      From\n--                         ------      ----\nAnywhere on tailscale0     ALLOW       Anywhere                   # tailnet only\n");
    state("ufw-added", `${ADDED_HEADER}\n${RULE}\n`);
    state("iptables", ["-N DOCKER-USER", ...dockerUserRules(false)].join("\n") + "\n");

    // The deployment's own manifest, every path moved into the temporary directory: the
    // gateway's and the host's files as rendered, the config, .env and UFW's defaults.
    const files = gatewayFiles(settings).filter((f) => f.path !== MANIFEST_FILE);
    const rendered = renderManifest(files, false);
    const content = new Map([...files.map((f) => [f.path, f.content] as const), ...hostFiles().map((f) => [f.path, f.content] as const)]);
    const moved = rendered.files.map((f) => put(`root${f.path}`, content.get(f.path) ?? "", parseInt(f.mode, 8)));
    expect(moved.map((f) => f.sha256)).toEqual(rendered.files.map((f) => f.sha256));
    const live = put("live.json", RENDERED, 0o600).path;
    put("env-keys", "OPENCLAW_GATEWAY_TOKEN\nTELEGRAM_BOT_TOKEN\n");
    put(".env", "OPENCLAW_GATEWAY_TOKEN=t\nTELEGRAM_BOT_TOKEN=b\n", 0o600);
    put("default-ufw", UFW_DEFAULTS);
    manifest = {
      ...rendered,
      files: moved,
      config: { ...rendered.config, live, rendered: join(dir, "root", rendered.config.rendered) },
      env: { file: join(dir, ".env"), names: join(dir, "env-keys") },
      // checkUnits reads the absolute /etc/systemd and /run/systemd paths of the machine it
      // runs on, which this test does not own: no units here.
      units: [],
      ufw: { ...rendered.ufw, defaultsFile: join(dir, "default-ufw") },
    };
    expect(manifest.ufw.rules).toEqual(ufwRules());
    expect(manifest.ufw.defaults).toEqual(ufwDefaults());
    expect(manifest.timers).toEqual(TIMERS);
    manifestPath = put("manifest.json", JSON.stringify(manifest, null, 2)).path;
  });

  it("is clean, exit 0 and no output, on the host as deployed", async () => {
    expect(await run(["check", manifestPath])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("names a UFW rule added by hand, exit 1", async () => {
    state("ufw-added", `${ADDED_HEADER}\n${RULE}\nufw allow 2222/tcp\n`);
    expect(await run(["check", manifestPath])).toEqual({ code: 1, stdout: "drift: /etc/ufw/user.rules: a rule the deploy did not add: ufw allow 2222/tcp\n", stderr: "" });
  });

  it("names the tailnet rule removed, UFW off, and a default changed", async () => {
    state("ufw-added", `${ADDED_HEADER}\n(None)\n`);
    state("ufw-status", "Status: inactive\n");
    writeFileSync(join(dir, "default-ufw"), UFW_DEFAULTS.replace('DEFAULT_INPUT_POLICY="DROP"', 'DEFAULT_INPUT_POLICY="ACCEPT"').replace("IPV6=yes", "IPV6=no"));
    const r = await run(["check", manifestPath]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n").filter(Boolean)).toEqual([
      "drift: UFW: Status: inactive, expected Status: active",
      `drift: ${join(dir, "default-ufw")}: IPV6 is no, expected yes`,
      `drift: ${join(dir, "default-ufw")}: DEFAULT_INPUT_POLICY is ACCEPT, expected DROP`,
      `drift: /etc/ufw/user.rules: missing a rule: ${RULE}`,
    ]);
  });

  it("names an extra DOCKER-USER rule and a missing one, and not Docker's own RETURN", async () => {
    const [first, ...rest] = dockerUserRules(false);
    state("iptables", ["-N DOCKER-USER", "-A DOCKER-USER -j ACCEPT", ...rest, "-A DOCKER-USER -j RETURN"].join("\n") + "\n");
    const r = await run(["check", manifestPath]);
    expect(r).toEqual({
      code: 1,
      stdout: `drift: iptables DOCKER-USER: a rule the deploy did not add: -A DOCKER-USER -j ACCEPT\ndrift: iptables DOCKER-USER: missing a rule: ${first}\n`,
      stderr: "",
    });
  });

  it("names DOCKER-USER unreadable when iptables fails", async () => {
    state("iptables-fails", "");
    const r = await run(["check", manifestPath]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("drift: iptables DOCKER-USER: cannot be read (iptables -S exited 1: iptables: No chain/target/match by that name.)\n");
  });

  it("names a disabled timer and a stopped one", async () => {
    state("disabled-openclaw-health.timer", "");
    state("inactive-openclaw-backup.timer", "");
    const r = await run(["check", manifestPath]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n").filter(Boolean)).toEqual([
      "drift: /etc/systemd/system/openclaw-backup.timer: is enabled and inactive, expected enabled and active",
      "drift: /etc/systemd/system/openclaw-health.timer: is disabled and active, expected enabled and active",
    ]);
  });

  it("names each drifted thing at once: a changed script, the live config, an .env key", async () => {
    const script = manifest.files.find((f) => f.path.endsWith("/usr/local/lib/openclaw-vps/verify.sh"));
    if (!script) throw new Error("verify.sh is not in the manifest");
    writeFileSync(script.path, "#!/bin/bash\nexit 0\n");
    const live = JSON.parse(RENDERED) as { gateway: Json };
    live.gateway.bind = "lan";
    writeFileSync(manifest.config.live, JSON.stringify(live));
    writeFileSync(manifest.env.file, "OPENCLAW_GATEWAY_TOKEN=t\nTELEGRAM_BOT_TOKEN=b\nOPENAI_API_KEY=sk-value\n");
    const r = await run(["check", manifestPath]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n").filter(Boolean)).toEqual([
      `drift: ${script.path}: changed since the deploy`,
      `drift: ${manifest.config.live}: differs from the rendered config (${manifest.config.rendered}) at gateway.bind`,
      `drift: ${manifest.env.file}: holds OPENAI_API_KEY, which the deploy did not put there`,
    ]);
    expect(r.stdout).not.toContain("sk-value");
  });

  it("refuses a manifest of an unknown version or shape (exit 1: it is drift)", async () => {
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, version: 2 }));
    const unknown = "drift: the manifest is not version 1 with a list of files (unknown shape)\n";
    expect(await run(["check", manifestPath])).toEqual({ code: 1, stdout: unknown, stderr: "" });
    writeFileSync(manifestPath, JSON.stringify({ version: 1 }));
    expect(await run(["check", manifestPath])).toEqual({ code: 1, stdout: unknown, stderr: "" });
    writeFileSync(manifestPath, "[]");
    expect(await run(["check", manifestPath])).toEqual({ code: 1, stdout: unknown, stderr: "" });
  });

  it("fails closed, exit 2, on a manifest that is missing or not JSON", async () => {
    const missing = join(dir, "no-manifest.json");
    expect(await run(["check", missing])).toEqual({ code: 2, stdout: `drift: ${missing}: missing\n`, stderr: "" });
    writeFileSync(manifestPath, "{ half");
    expect(await run(["check", manifestPath])).toEqual({ code: 2, stdout: `drift: ${manifestPath}: is not JSON\n`, stderr: "" });
  });

  it("refuses a wrong usage, exit 2", async () => {
    const r = await run(["check"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("usage: drift.js check MANIFEST");
  });
});
