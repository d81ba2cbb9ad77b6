/**
 * The host step (gateway/hostStep.ts): the script `pulumi up` pipes to `sudo bash -s` to put
 * the host's own settings back as rendered. It passes shellcheck and `bash -n`; it writes every
 * host file; and, run whole with every absolute path it writes moved under a temporary root
 * and stand-ins for `ufw`, `iptables`, `systemctl`, `sshd` and the two host scripts it runs
 * that record their calls, it writes the files (and reloads what reads them) only when they
 * differ, deletes exactly the UFW and DOCKER-USER rules the manifest does not list, removes
 * the drop-ins of our units, and a second run changes nothing. This test runs as root (the
 * files are installed root's).
 */
import { execFile, spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { hostFiles } from "../../cloud-init";
import { GatewaySettings, gatewayFiles } from "../../gateway";
import { renderHostStep } from "../../gateway/hostStep";
import { MANIFEST_FILE, Manifest, dockerUserRules, renderManifest } from "../../gateway/manifest";
import { limitMs } from "../limits";

const off: GatewaySettings = { tailnetHost: "claw.tail1234.ts.net", telegram: { dmPolicy: "allowlist", ownerId: "123456789" }, models: { anthropic: true, openai: false }, sandboxImage: "img", sandboxNetwork: "none" };
const on: GatewaySettings = { ...off, coding: { ownerId: "123456789", gitAuthorName: "Ada", gitAuthorEmail: "ada@example.com", repositories: ["me/app"], readToken: true, approvalTimeoutSeconds: 600 } };

/** The manifest and the host step a deployment with these settings renders. */
function rendered(s: GatewaySettings): { manifest: Manifest; script: string } {
  const coding = s.coding !== undefined;
  const manifest = renderManifest(
    gatewayFiles(s).filter((f) => f.path !== MANIFEST_FILE),
    coding,
  );
  return { manifest, script: renderHostStep(manifest, coding) };
}

const RULE = "ufw allow in on tailscale0 comment 'tailnet only'";
const ADDED_HEADER = "Added user rules (see 'ufw status' for running firewall):";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "host-step-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ["coding off", off],
  ["coding on", on],
] as const)("the host step with %s", (_name, s) => {
  it("passes shellcheck and bash -n", () => {
    const path = join(dir, "host.sh");
    writeFileSync(path, rendered(s).script);
    const sc = spawnSync("shellcheck", ["--severity=style", path], { encoding: "utf8", timeout: limitMs(20) });
    expect({ code: sc.status, out: sc.stdout, err: sc.stderr }).toEqual({ code: 0, out: "", err: "" });
    const n = spawnSync("bash", ["-n", path], { encoding: "utf8" });
    expect({ code: n.status, err: n.stderr }).toEqual({ code: 0, err: "" });
  });

  it("writes every host file, with its mode, in order", () => {
    const { script } = rendered(s);
    const puts = script
      .split("\n")
      .filter((l) => l.startsWith("  put "))
      .map((l) => l.split(" ").slice(3, 5).join(" "));
    expect(puts).toEqual(hostFiles().map((f) => `${f.permissions} ${f.path}`));
  });

  it("lists the manifest's UFW rules, DOCKER-USER rules and units as its own", () => {
    const { manifest, script } = rendered(s);
    expect(manifest.dockerUser).toEqual(dockerUserRules(s.coding !== undefined));
    // The coder's egress is restarted (its rule put back) only with coding.
    expect(script.includes("systemctl try-restart openclaw-vps-coder-egress.service")).toBe(s.coding !== undefined);
    expect(script).toContain("ufw_rules=(\n  'ufw allow in on tailscale0 comment '\\''tailnet only'\\'''\n)");
    for (const unit of manifest.units) expect(script).toContain(`\n  ${unit}\n`);
  });
});

/** The script with every absolute path it writes or runs moved under $HOST_ROOT or to $STANDIN. */
function relocated(script: string): string {
  const replace = (text: string, from: string | RegExp, to: string) => {
    const out = text.replace(from, to);
    if (out === text) throw new Error(`relocating the host step: ${String(from)} not found`);
    return out;
  };
  const mainAt = script.indexOf("\nmain() {\n");
  const tailAt = script.lastIndexOf("OPENCLAW_VPS_FILE_END\n");
  let head = script.slice(0, mainAt);
  const body = script.slice(mainAt, tailAt);
  let tail = script.slice(tailAt);
  head = replace(head, "  local mode=$1 path=$2 tmp\n", "  local mode=$1 path=$2 tmp\n  path=$HOST_ROOT$path\n");
  head = replace(head, '      if [ -e "$path" ]; then\n', '      path=$HOST_ROOT$path\n      if [ -e "$path" ]; then\n');
  head = replace(head, /(install -d -m 0755|touch) \/var\/lib\/openclaw-vps/g, "$1 $HOST_ROOT/var/lib/openclaw-vps");
  tail = replace(tail, "\n  /usr/local/sbin/openclaw-vps-host-firewall >/dev/null\n", '\n  "$STANDIN/host-firewall" >/dev/null\n');
  tail = replace(tail, "\n    /usr/local/sbin/openclaw-vps-docker-guard >/dev/null\n", '\n    "$STANDIN/docker-guard" >/dev/null\n');
  const out = head + body + tail;
  // Nothing else in the script's own lines (outside the files' contents) names an absolute path it would touch.
  const own = (head + tail).split("\n").filter((l) => /(^|[\s"'=])\/(etc|usr|run|var)\//.test(l) && !/^\s*for path in /.test(l) && !/^\s*#/.test(l));
  expect(own).toEqual([]);
  return out;
}

describe("the host step, run", () => {
  const log = () => (existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8").split("\n").filter(Boolean) : []);
  const state = (name: string, text: string) => writeFileSync(join(dir, "state", name), text);
  const root = () => join(dir, "root");

  beforeEach(() => {
    for (const d of ["bin", "state", "standin", "root", "tmp"]) mkdirSync(join(dir, d));
    const S = join(dir, "state");
    const C = join(dir, "calls");
    const tool = (name: string, body: string) => {
      writeFileSync(join(dir, "bin", name), `#!/bin/bash\necho "${name} $*" >>"${C}"\n${body}\n`);
      chmodSync(join(dir, "bin", name), 0o755);
    };
    tool("ufw", `case "$*" in "show added") cat "${S}/ufw-added" ;; "delete "*) ;; *) exit 9 ;; esac`);
    tool("iptables", `case "$1" in -S) cat "${S}/iptables" ;; -D) ;; *) exit 9 ;; esac`);
    tool("systemctl", `if [ "$*" = "is-active --quiet docker.service" ] && [ -f "${S}/docker-stopped" ]; then exit 3; fi; exit 0`);
    tool("sshd", "exit 0");
    for (const name of ["host-firewall", "docker-guard"]) {
      writeFileSync(join(dir, "standin", name), `#!/bin/bash\necho "${name}" >>"${C}"\n`);
      chmodSync(join(dir, "standin", name), 0o755);
    }
  });

  function run(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
    writeFileSync(join(dir, "host.sh"), relocated(script));
    return new Promise((resolve) => {
      execFile(
        "bash",
        [join(dir, "host.sh")],
        { env: { PATH: `${dir}/bin:/usr/bin:/bin`, HOST_ROOT: root(), STANDIN: join(dir, "standin"), TMPDIR: join(dir, "tmp") }, timeout: limitMs(20) },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
      );
    });
  }

  it("puts every host file back, deletes exactly the rules the manifest does not list and our units' drop-ins; a second run changes nothing", async () => {
    const { manifest, script } = rendered(on);
    state("ufw-added", [ADDED_HEADER, RULE, "ufw allow 2222/tcp", "ufw allow from 203.0.113.7 to any port 22 proto tcp comment 'temp access'", ""].join("\n"));
    state("iptables", ["-N DOCKER-USER", "-A DOCKER-USER -j ACCEPT", ...manifest.dockerUser, "-A DOCKER-USER -s 10.0.0.0/8 -j ACCEPT", "-A DOCKER-USER -j RETURN", ""].join("\n"));
    // A drop-in on the gateway's unit and a runtime copy of the guard's; one on a unit not ours stays.
    mkdirSync(join(root(), "etc/systemd/system/openclaw-gateway.service.d"), { recursive: true });
    writeFileSync(join(root(), "etc/systemd/system/openclaw-gateway.service.d/override.conf"), "[Service]\nExecStart=\nExecStart=/bin/sh\n");
    mkdirSync(join(root(), "run/systemd/system"), { recursive: true });
    writeFileSync(join(root(), "run/systemd/system/openclaw-vps-docker-guard.service"), "[Service]\nExecStart=/bin/true\n");
    mkdirSync(join(root(), "etc/systemd/system/ssh.service.d"), { recursive: true });

    const first = await run(script);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    for (const f of hostFiles()) {
      const at = join(root(), f.path);
      expect({ path: f.path, content: readFileSync(at, "utf8") }).toEqual({ path: f.path, content: f.content });
      const st = statSync(at);
      expect({ path: f.path, mode: `0${(st.mode & 0o7777).toString(8)}`, uid: st.uid }).toEqual({ path: f.path, mode: f.permissions, uid: 0 });
    }
    const lines = first.stdout.split("\n").filter(Boolean);
    expect(lines.filter((l) => l.startsWith("host: wrote "))).toEqual(hostFiles().map((f) => `host: wrote ${root()}${f.path}`));
    expect(lines.filter((l) => l.startsWith("host: removed"))).toEqual([
      "host: removed the UFW rule: ufw allow 2222/tcp",
      "host: removed the UFW rule: ufw allow from 203.0.113.7 to any port 22 proto tcp comment 'temp access'",
      "host: removed the DOCKER-USER rule: -A DOCKER-USER -j ACCEPT",
      "host: removed the DOCKER-USER rule: -A DOCKER-USER -s 10.0.0.0/8 -j ACCEPT",
      `host: removed ${root()}/etc/systemd/system/openclaw-gateway.service.d`,
      `host: removed ${root()}/run/systemd/system/openclaw-vps-docker-guard.service`,
    ]);
    expect(lines[lines.length - 1]).toBe(`host: ${hostFiles().length + 6} changed`);
    expect(existsSync(join(root(), "etc/systemd/system/openclaw-gateway.service.d"))).toBe(false);
    expect(existsSync(join(root(), "run/systemd/system/openclaw-vps-docker-guard.service"))).toBe(false);
    expect(existsSync(join(root(), "etc/systemd/system/ssh.service.d"))).toBe(true);
    // The gateway's override went: the configure step restarts it.
    expect(existsSync(join(root(), "var/lib/openclaw-vps/restart-needed"))).toBe(true);

    const calls = log();
    // Each changed file's reader reloaded once, after the units were re-read.
    expect(calls.filter((c) => !/^(ufw|iptables) /.test(c) && c !== "host-firewall" && c !== "docker-guard")).toEqual([
      "systemctl daemon-reload",
      "sshd -t",
      "systemctl try-reload-or-restart ssh.service",
      "systemctl restart systemd-journald.service",
      "systemctl try-restart systemd-resolved.service",
      "systemctl try-reload-or-restart fail2ban.service",
      "systemctl try-restart docker.service",
      "systemctl is-active --quiet docker.service",
      "systemctl try-restart openclaw-vps-coder-egress.service",
      "systemctl daemon-reload",
    ]);
    // The firewall's own commands before its rules are pruned; the guard before DOCKER-USER is.
    expect(calls.filter((c) => /^(ufw|iptables) /.test(c) || c === "host-firewall" || c === "docker-guard")).toEqual([
      "host-firewall",
      "ufw show added",
      "ufw delete allow 2222/tcp",
      "ufw delete allow from 203.0.113.7 to any port 22 proto tcp",
      "docker-guard",
      "iptables -S DOCKER-USER",
      // By number, highest first (the 7th rule, then the 1st), so no rule's text is re-parsed.
      `iptables -D DOCKER-USER ${manifest.dockerUser.length + 2}`,
      "iptables -D DOCKER-USER 1",
    ]);

    // Again, on the host it left: nothing written, deleted or reloaded.
    rmSync(join(dir, "calls"));
    state("ufw-added", [ADDED_HEADER, RULE, ""].join("\n"));
    state("iptables", ["-N DOCKER-USER", ...manifest.dockerUser, "-A DOCKER-USER -j RETURN", ""].join("\n"));
    const second = await run(script);
    expect(second).toEqual({ code: 0, stdout: "host: 0 changed\n", stderr: "" });
    expect(log()).toEqual([
      "systemctl daemon-reload",
      "host-firewall",
      "ufw show added",
      "systemctl is-active --quiet docker.service",
      "docker-guard",
      "systemctl try-restart openclaw-vps-coder-egress.service",
      "iptables -S DOCKER-USER",
    ]);
  });

  it("rewrites a file changed or re-moded since, and reloads only what reads it", async () => {
    const { script } = rendered(off);
    state("ufw-added", [ADDED_HEADER, RULE, ""].join("\n"));
    state("iptables", ["-N DOCKER-USER", ...dockerUserRules(false), ""].join("\n"));
    expect((await run(script)).code).toBe(0);
    const sshd = hostFiles().find((f) => f.path.startsWith("/etc/ssh/"));
    const daemon = hostFiles().find((f) => f.path === "/etc/docker/daemon.json");
    const guard = hostFiles().find((f) => f.path === "/usr/local/sbin/openclaw-vps-docker-guard");
    if (!sshd || !daemon || !guard) throw new Error("a host file is missing");
    writeFileSync(join(root(), sshd.path), `${sshd.content}PasswordAuthentication yes\n`);
    chmodSync(join(root(), guard.path), 0o777);
    rmSync(join(dir, "calls"));
    const again = await run(script);
    expect(again).toEqual({ code: 0, stdout: `host: wrote ${root()}${guard.path}\nhost: wrote ${root()}${sshd.path}\nhost: 2 changed\n`, stderr: "" });
    expect(readFileSync(join(root(), sshd.path), "utf8")).toBe(sshd.content);
    expect((statSync(join(root(), guard.path)).mode & 0o7777).toString(8)).toBe("755");
    expect(log().filter((c) => c.startsWith("systemctl") || c.startsWith("sshd"))).toEqual([
      "systemctl daemon-reload",
      "sshd -t",
      "systemctl try-reload-or-restart ssh.service",
      "systemctl is-active --quiet docker.service",
    ]);
    // Without coding there is no coder egress to restart.
    expect(log()).not.toContain("systemctl try-restart openclaw-vps-coder-egress.service");
  });

  it("leaves DOCKER-USER alone while Docker is not running", async () => {
    const { script } = rendered(off);
    state("ufw-added", [ADDED_HEADER, RULE, ""].join("\n"));
    state("iptables", ["-N DOCKER-USER", "-A DOCKER-USER -j ACCEPT", ""].join("\n"));
    state("docker-stopped", "");
    const r = await run(script);
    expect(r.code).toBe(0);
    expect(log().filter((c) => c.startsWith("iptables") || c === "docker-guard")).toEqual([]);
  });
});

describe("the prune functions, sourced without running main", () => {
  /** Runs `calls` in bash after the rendered script's definitions, with stand-ins recording ufw and iptables. */
  function prune(s: GatewaySettings, ufwAdded: string, iptables: string, calls: string): { code: number | null; stdout: string; log: string[] } {
    const { script } = rendered(s);
    const lines = script.split("\n");
    expect(lines.slice(-2)).toEqual(['main "$@"', ""]);
    writeFileSync(join(dir, "defs.sh"), lines.slice(0, -2).join("\n"));
    mkdirSync(join(dir, "bin"), { recursive: true });
    writeFileSync(join(dir, "ufw-added"), ufwAdded);
    writeFileSync(join(dir, "iptables-S"), iptables);
    const C = join(dir, "calls");
    rmSync(C, { force: true });
    writeFileSync(join(dir, "bin", "ufw"), `#!/bin/bash\necho "ufw $*" >>"${C}"\nif [ "$*" = "show added" ]; then cat "${dir}/ufw-added"; fi\n`, { mode: 0o755 });
    writeFileSync(join(dir, "bin", "iptables"), `#!/bin/bash\necho "iptables $*" >>"${C}"\nif [ "$1" = -S ]; then cat "${dir}/iptables-S"; fi\n`, { mode: 0o755 });
    const r = spawnSync("bash", ["-c", `source "${join(dir, "defs.sh")}"; ${calls}; echo "changed=$changed"`], {
      encoding: "utf8",
      env: { PATH: `${dir}/bin:/usr/bin:/bin` },
      timeout: limitMs(10),
    });
    return { code: r.status, stdout: r.stdout, log: existsSync(C) ? readFileSync(C, "utf8").split("\n").filter(Boolean) : [] };
  }

  it("prune_ufw deletes a rule the host firewall did not add, and not the tailnet rule", () => {
    const r = prune(off, [ADDED_HEADER, RULE, "ufw allow 2222/tcp", ""].join("\n"), "", "prune_ufw");
    expect(r.code).toBe(0);
    expect(r.log).toEqual(["ufw show added", "ufw delete allow 2222/tcp"]);
    expect(r.stdout).toBe("host: removed the UFW rule: ufw allow 2222/tcp\nchanged=1\n");
    const clean = prune(off, [ADDED_HEADER, RULE, ""].join("\n"), "", "prune_ufw");
    expect(clean.log).toEqual(["ufw show added"]);
    expect(clean.stdout).toBe("changed=0\n");
  });

  it("prune_docker_user deletes a rule the manifest does not list, and none of the guard's, the coder's or Docker's RETURN", () => {
    const expected = ["-N DOCKER-USER", ...dockerUserRules(true), "-A DOCKER-USER -j RETURN"];
    const r = prune(on, "", [...expected, "-A DOCKER-USER -j ACCEPT", ""].join("\n"), "prune_docker_user");
    expect(r.code).toBe(0);
    expect(r.log).toEqual(["iptables -S DOCKER-USER", `iptables -D DOCKER-USER ${expected.length}`]);
    expect(r.stdout).toBe("host: removed the DOCKER-USER rule: -A DOCKER-USER -j ACCEPT\nchanged=1\n");
    // A rule whose comment holds a space, as iptables -S quotes it: deleted by its number all the same.
    const commented = '-A DOCKER-USER -s 10.0.0.0/8 -m comment --comment "temp access" -j ACCEPT';
    const quoted = prune(on, "", ["-N DOCKER-USER", commented, ...dockerUserRules(true), ""].join("\n"), "prune_docker_user");
    expect(quoted.code).toBe(0);
    expect(quoted.log).toEqual(["iptables -S DOCKER-USER", "iptables -D DOCKER-USER 1"]);
    const clean = prune(on, "", [...expected, ""].join("\n"), "prune_docker_user");
    expect(clean.log).toEqual(["iptables -S DOCKER-USER"]);
    expect(clean.stdout).toBe("changed=0\n");
    // Without coding, the coder's rule is not the manifest's: it goes.
    const stale = prune(off, "", [...expected, ""].join("\n"), "prune_docker_user");
    expect(stale.log).toEqual(["iptables -S DOCKER-USER", "iptables -D DOCKER-USER 1"]);
  });
});
