import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse as parseIni } from "ini";
import { gatewayArtifacts, gatewayFiles, renderFilesBundle } from "../../gateway";
import { renderGatewayUnit } from "../../gateway/unit";
import { LOCK_FILES, OPENCLAW_VERSIONS } from "../../gateway/locks";
import { LOCKS_DIR } from "../../gateway/paths";
import { readGatewayScript } from "../../gateway/scripts";
import { SANDBOX_BASE_IMAGE, renderSandboxDockerfile, sandboxImageTag } from "../../gateway/sandbox";

const settings = { tailnetHost: "claw.tail1234.ts.net", models: { anthropic: false, openai: false }, sandboxImage: "img", sandboxNetwork: "none" as const };

describe("the files bundle", () => {
  it("carries every file byte for byte (checked by extracting it with a real shell)", () => {
    const files = gatewayFiles(settings);
    const bundle = renderFilesBundle(files);
    // Replace `put` with one that writes into a scratch directory, then run the bundle's main.
    const dir = mkdtempSync(join(tmpdir(), "bundle-"));
    // The first `put() {` is the bundle's own (the files' bodies come after it).
    const script = bundle.replace(/^put\(\) \{[\s\S]*?^\}$/m, `put() { mkdir -p "${dir}$(dirname "$2")"; cat >"${dir}$2"; }`);
    writeFileSync(join(dir, "bundle.sh"), script);
    writeFileSync(join(dir, "systemctl"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    execFileSync("bash", [join(dir, "bundle.sh")], { env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}` } });
    for (const f of files) expect(readFileSync(join(dir, f.path), "utf8")).toBe(f.content);
  });

  it("marks the gateway for a restart only for the unit and the config", () => {
    const bundle = renderFilesBundle(gatewayFiles(settings));
    expect(bundle).toMatch(/put 0644 \/etc\/openclaw-vps\/openclaw.json restart <</);
    expect(bundle).toMatch(/put 0644 \/etc\/systemd\/system\/openclaw-gateway.service restart <</);
    expect(bundle).toMatch(/put 0755 \/usr\/local\/lib\/openclaw-vps\/install.sh <</);
  });

  it("ships every release's lock where install.sh runs npm ci from it, byte for byte", () => {
    const files = gatewayFiles(settings);
    expect(readGatewayScript("install.sh")).toContain(`readonly LOCKS=${LOCKS_DIR}\n`);
    for (const v of OPENCLAW_VERSIONS) {
      for (const name of LOCK_FILES) {
        const shipped = files.find((f) => f.path === `${LOCKS_DIR}/${v}/${name}`);
        expect(shipped).toMatchObject({ mode: "0644", artifact: `locks/${v}/${name}` });
        expect(shipped?.content).toBe(readFileSync(join(__dirname, "../../gateway/locks", v, name), "utf8"));
      }
    }
    expect(readGatewayScript("install.sh")).toMatch(/npm ci --prefix "\$tmp" --omit=dev --ignore-scripts --no-audit --no-fund/);
    expect(readGatewayScript("install.sh")).not.toMatch(/npm install/);
  });

  it("refuses a file that contains its here-document marker", () => {
    expect(() => renderFilesBundle([{ artifact: "x", path: "/x", mode: "0644", content: "a\nOPENCLAW_VPS_FILE_END\nb" }])).toThrow(
      "/x contains the here-document marker",
    );
  });

  it("lists every artifact, the bundle included", () => {
    expect(Object.keys(gatewayArtifacts(settings)).sort()).toEqual(
      ["scripts/gateway-files.sh", "scripts/host-step.sh", ...gatewayFiles(settings).map((f) => f.artifact)].sort(),
    );
  });
});

describe("the gateway unit", () => {
  const unit = parseIni(renderGatewayUnit()) as Record<string, Record<string, string | boolean>>;
  it("runs OpenClaw as the unprivileged account, with the docker group and no secret", () => {
    expect(unit.Service).toMatchObject({ User: "openclaw", Group: "openclaw", SupplementaryGroups: "docker", Restart: "always" });
    expect(String(unit.Service.ExecStart)).toBe("/usr/bin/node /opt/openclaw/current/node_modules/openclaw/openclaw.mjs gateway run");
    expect(renderGatewayUnit()).toContain("Environment=OPENCLAW_DISABLE_BONJOUR=1");
    expect(renderGatewayUnit()).not.toMatch(/TOKEN|API_KEY/);
  });
  it.each([
    ["NoNewPrivileges", "yes"],
    ["ProtectSystem", "strict"],
    ["ProtectHome", "read-only"],
    ["ReadWritePaths", "/home/openclaw"],
    ["PrivateTmp", "yes"],
    ["MemoryHigh", "50%"],
    ["MemoryMax", "60%"],
    ["CapabilityBoundingSet", ""],
  ])("hardens with %s=%s", (key, value) => {
    expect(String(unit.Service[key])).toBe(value);
  });
  it("does not set RestrictSUIDSGID: systemd enforces it by refusing openat2(), which OpenClaw's state locks need", () => {
    expect(unit.Service.RestrictSUIDSGID).toBeUndefined();
  });
});

describe("the sandbox image", () => {
  it("builds from a pinned base, runs as uid 1000, and is tagged by its content", () => {
    const dockerfile = renderSandboxDockerfile();
    expect(dockerfile).toContain(`FROM ${SANDBOX_BASE_IMAGE}\n`);
    expect(SANDBOX_BASE_IMAGE).toMatch(/:\d+\.\d+-slim$/);
    expect(dockerfile).toContain("USER 1000:1000");
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends [^\n]*\bgit\b/);
    expect(sandboxImageTag()).toMatch(/^openclaw-sandbox:coder-[0-9a-f]{12}$/);
  });
});
