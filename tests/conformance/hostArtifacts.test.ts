/**
 * The rendered host artifacts, checked by the tools the server itself uses: cloud-init's
 * schema, shellcheck, sshd and systemd.
 */
import { readFileSync, readdirSync, mkdtempSync, writeFileSync, chmodSync, mkdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { hostFiles } from "../../cloud-init";
import { gatewayArtifacts, gatewayFiles } from "../../gateway";
import { MATRIX, Rendered, renderMatrix } from "./matrix";
import { inPrivateMounts, run } from "./tools";

let rendered: Rendered[] = [];

beforeAll(async () => {
  rendered = await renderMatrix();
});

const files = (dir: string, sub: string, ext: string) =>
  readdirSync(join(dir, sub))
    .filter((f) => f.endsWith(ext))
    .map((f) => join(dir, sub, f));

describe("cloud-init accepts the user data", () => {
  it("for every configuration: `cloud-init schema` says valid", () => {
    expect(rendered.length).toBeGreaterThanOrEqual(4);
    for (const r of rendered) {
      const result = run("cloud-init", ["schema", "--config-file", join(r.dir, "cloud-init.yaml")]);
      expect({ name: r.name, code: result.code, out: result.stdout.trim(), err: result.stderr.trim() }).toEqual({
        name: r.name,
        code: 0,
        out: `Valid cloud-config: ${join(r.dir, "cloud-init.yaml")}`,
        err: "",
      });
    }
  });

  it("uses only top-level keys the installed schema knows (older cloud-init ignores unknown ones)", () => {
    const schemaPath = "/usr/lib/python3/dist-packages/cloudinit/config/schemas/schema-cloud-config-v1.json";
    const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as {
      properties?: Record<string, unknown>;
      allOf?: { $ref?: string }[];
      $defs: Record<string, { properties?: Record<string, unknown> }>;
    };
    const known = new Set(Object.keys(schema.properties ?? {}));
    for (const ref of schema.allOf ?? []) {
      const def = schema.$defs[(ref.$ref ?? "").split("/").pop() ?? ""];
      for (const k of Object.keys(def?.properties ?? {})) known.add(k);
    }
    expect(known.size).toBeGreaterThan(50);
    for (const r of rendered) {
      const doc = parse(readFileSync(join(r.dir, "cloud-init.yaml"), "utf8")) as Record<string, unknown>;
      expect(Object.keys(doc).filter((k) => !known.has(k))).toEqual([]);
    }
  });

  it("refuses a broken document, so the check above can fail", () => {
    const dir = mkdtempSync(join(tmpdir(), "ci-bad-"));
    writeFileSync(join(dir, "bad.yaml"), "#cloud-config\nwrite_files:\n  - path: /x\n    permisions: '0600'\n");
    expect(run("cloud-init", ["schema", "--config-file", join(dir, "bad.yaml")]).code).not.toBe(0);
  });
});

describe("shellcheck finds nothing in any rendered script", () => {
  it("for every configuration: the host's scripts and the gateway's", () => {
    const settings = { tailnetHost: "x", models: { anthropic: false, openai: false }, sandboxImage: "i", sandboxNetwork: "none" as const };
    for (const r of rendered) {
      // Off-site backups add their script where the configuration has them.
      const offsite = "openclaw-vps:offsiteBackupEndpoint" in (MATRIX[r.name] ?? {});
      const expected = [...hostFiles().map((f) => f.artifact), ...Object.keys(gatewayArtifacts({ ...settings, offsite }))].filter((a) => a.startsWith("scripts/"));
      const scripts = files(r.dir, "scripts", "");
      expect(scripts.map((p) => `scripts/${p.split("/").pop() as string}`).sort()).toEqual(expected.sort());
      // Each script's shebang says which shell it is written for; the one Node.js script is
      // checked by Node itself.
      const shell = scripts.filter((p) => !p.endsWith(".js"));
      const result = run("shellcheck", ["--severity=style", ...shell]);
      expect({ name: r.name, code: result.code, out: result.stdout }).toEqual({ name: r.name, code: 0, out: "" });
      for (const js of scripts.filter((p) => p.endsWith(".js"))) expect(run("node", ["--check", js]).code).toBe(0);
    }
  });

  it("and in this repository's own scripts: the checks', the rehearsal's and CI's (its stand-ins compile)", () => {
    const root = join(__dirname, "../..");
    const own = [
      ...files(join(root, "tests/conformance"), "", ".sh"),
      ...files(join(root, "rehearsal"), "", ".sh"),
      ...files(join(root, ".ci"), "", ".sh"),
      join(root, ".ci/run"),
    ];
    expect(own.length).toBeGreaterThan(10);
    const result = run("shellcheck", ["-x", "--severity=style", ...own]);
    expect({ code: result.code, out: result.stdout }).toEqual({ code: 0, out: "" });
    for (const py of files(join(root, "rehearsal/standins"), "", ".py")) {
      expect(run("python3", ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", py]).code).toBe(0);
    }
  });

  it("does flag a careless script, so the check above can fail", () => {
    const dir = mkdtempSync(join(tmpdir(), "sc-bad-"));
    writeFileSync(join(dir, "bad.sh"), "#!/bin/bash\nrm -rf $DIR/*\n");
    expect(run("shellcheck", [join(dir, "bad.sh")]).code).not.toBe(0);
  });
});

describe("sshd accepts the rendered configuration", () => {
  const hostKeyDir = mkdtempSync(join(tmpdir(), "sshd-hk-"));
  const hostKey = join(hostKeyDir, "hostkey");

  beforeAll(() => {
    expect(run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]).code).toBe(0);
  });

  // sshd -t needs its privilege separation directory: give it a private /run.
  const sshdTest = (config: string) =>
    inPrivateMounts("mount -t tmpfs tmpfs /run; mkdir -m 0755 /run/sshd", ["/usr/sbin/sshd", "-t", "-f", config, "-h", hostKey]);

  it("`sshd -t` passes for every configuration, and the effective settings are the hardened ones", () => {
    for (const r of rendered) {
      const config = join(r.dir, "sshd", "01-openclaw-vps.conf");
      const result = sshdTest(config);
      expect({ name: r.name, code: result.code, err: result.stderr }).toEqual({ name: r.name, code: 0, err: "" });
      const effective = inPrivateMounts("mount -t tmpfs tmpfs /run; mkdir -m 0755 /run/sshd", [
        "/usr/sbin/sshd", "-T", "-f", config, "-h", hostKey,
      ]).stdout.split("\n");
      for (const line of ["permitrootlogin no", "passwordauthentication no", "kbdinteractiveauthentication no", "allowusers ops", "maxauthtries 3", "logingracetime 20"]) {
        expect(effective).toContain(line);
      }
    }
  });

  it("rejects a broken configuration, so the check above can fail", () => {
    const bad = join(hostKeyDir, "bad.conf");
    writeFileSync(bad, "PermitRootLogin maybe\n");
    expect(sshdTest(bad).code).not.toBe(0);
  });
});

describe("systemd accepts every rendered unit", () => {
  /**
   * `systemd-analyze verify` wants each ExecStart binary to exist and each required unit to
   * be known. In a private mount namespace the rendered scripts are put at their paths, and
   * stub units stand in for services the test machine does not have.
   */
  function verify(dir: string, units: string[]) {
    // Every executable the units name, host and gateway, at its path under /usr/local.
    const local = mkdtempSync(join(tmpdir(), "usr-local-"));
    const settings = { tailnetHost: "x", models: { anthropic: false, openai: false }, sandboxImage: "i", sandboxNetwork: "none" as const };
    const executables = [...hostFiles(), ...gatewayFiles({ ...settings, offsite: true })]
      .map((f) => ({ path: f.path, content: f.content }))
      .filter((f) => f.path.startsWith("/usr/local/"));
    for (const f of executables) {
      const target = join(local, f.path.slice("/usr/local/".length));
      mkdirSync(join(target, ".."), { recursive: true });
      writeFileSync(target, f.content);
      chmodSync(target, 0o755);
    }
    const stubs = mkdtempSync(join(tmpdir(), "units-"));
    for (const name of ["docker.service", "tailscaled.service"]) {
      writeFileSync(join(stubs, name), "[Unit]\nDescription=stub\n[Service]\nExecStart=/bin/true\n");
    }
    return run(
      "unshare",
      ["-m", "--propagation", "private", "bash", "-c", 'set -e; mount --bind "$1" /usr/local; shift; exec systemd-analyze verify "$@"', "x", local, ...units.map((u) => join(dir, u))],
      { env: { ...process.env, SYSTEMD_UNIT_PATH: `${stubs}:${join(dir, "systemd")}:` } },
    );
  }

  it("`systemd-analyze verify` is silent for every unit of every configuration", () => {
    for (const r of rendered) {
      const units = readdirSync(join(r.dir, "systemd")).map((u) => join("systemd", u));
      expect(units.length).toBeGreaterThan(0);
      const result = verify(r.dir, units);
      // Unknown keys only warn (exit 0): any output at all is a failure.
      expect({ name: r.name, code: result.code, err: result.stderr.trim(), out: result.stdout.trim() }).toEqual({
        name: r.name,
        code: 0,
        err: "",
        out: "",
      });
    }
  });

  it("reports a unit with a mistake, so the check above can fail", () => {
    const dir = mkdtempSync(join(tmpdir(), "unit-bad-"));
    mkdirSync(join(dir, "systemd"));
    writeFileSync(join(dir, "systemd", "bad.service"), "[Service]\nExecStart=/bin/true\nRestart=sometimes\n");
    const result = verify(dir, ["systemd/bad.service"]);
    expect(result.stderr).toContain("Failed to parse service restart specifier");
  });
});
