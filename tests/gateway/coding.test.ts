/**
 * What coding adds to the gateway's files (gateway/coding.ts, gateway/index.ts): nothing at
 * all when it is off, and when on the coder gate as checked in, the proxy's allowlist and
 * settings, the egress units, and GitHub's CLI in the sandbox image.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { GatewaySettings, gatewayFiles, renderFilesBundle } from "../../gateway";
import { CODER_NETWORK, GITHUB_HOSTS, PROXY_PORT, renderProxyAllow, renderProxyConf, renderProxyUnit } from "../../gateway/coding";
import { CODER_MIRRORS, CODER_PLUGIN_DIR, CODER_WORKSPACE } from "../../gateway/paths";
import { readGatewayScript } from "../../gateway/scripts";
import { renderSandboxDockerfile, sandboxImageTag } from "../../gateway/sandbox";

const off: GatewaySettings = { tailnetHost: "claw.tail1234.ts.net", telegram: { dmPolicy: "allowlist", ownerId: "123456789" }, models: { anthropic: true, openai: false }, sandboxImage: "img", sandboxNetwork: "none" };
const on: GatewaySettings = { ...off, coding: { ownerId: "123456789", gitAuthorName: "Ada", gitAuthorEmail: "ada@example.com", repositories: ["me/app"], readToken: true, approvalTimeoutSeconds: 600 } };

describe("coding off", () => {
  it("adds no file, and the sandbox image is the one it always was", () => {
    const paths = gatewayFiles(off).map((f) => f.path);
    expect(paths.filter((p) => /coder|coding/.test(p))).toEqual([]);
    expect(renderSandboxDockerfile()).not.toContain("gh=");
    // The tag existing stacks were deployed with (a change would rebuild every sandbox).
    expect(sandboxImageTag()).toBe("openclaw-sandbox:coder-43935a2f2abc");
  });
});

describe("coding on", () => {
  const files = gatewayFiles(on);
  const byPath = new Map(files.map((f) => [f.path, f]));

  it("installs the coder gate exactly as checked in, root-owned, and restarts the gateway for it", () => {
    for (const name of ["openclaw.plugin.json", "package.json", "index.mjs", "gate.cjs"]) {
      const f = byPath.get(`${CODER_PLUGIN_DIR}/${name}`);
      expect(f?.content).toBe(readFileSync(join(__dirname, "../../gateway/plugins/coder-gate", name), "utf8"));
      expect(f?.mode).toBe("0644");
    }
    expect(renderFilesBundle(files)).toContain(`put 0644 ${CODER_PLUGIN_DIR}/gate.cjs restart <<`);
  });

  it("gives the coder gate its settings: the coder, its paths, the repositories, the token's name, the wait", () => {
    const config = JSON.parse(files.find((f) => f.path.endsWith("/openclaw.json"))?.content ?? "{}") as { plugins: { entries: Record<string, { config: unknown }> } };
    expect(config.plugins.entries["openclaw-vps-coder-gate"].config).toEqual({
      agentId: "coder",
      workspace: CODER_WORKSPACE,
      mirrors: CODER_MIRRORS,
      repositories: ["me/app"],
      tokenEnv: "CODER_GITHUB_TOKEN",
      approvalTimeoutSeconds: 600,
    });
  });

  it("adds GitHub's CLI to the sandbox image, pinned, under a tag of its own", () => {
    expect(renderSandboxDockerfile(true)).toContain(" gh=2.23.0+dfsg1-1 ");
    expect(sandboxImageTag(true)).not.toBe(sandboxImageTag(false));
  });

  it("allows GitHub's hosts exactly, never as a suffix", () => {
    const allow = renderProxyAllow(GITHUB_HOSTS);
    expect(allow.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual([
      "^api\\.github\\.com$",
      "^codeload\\.github\\.com$",
      "^github\\.com$",
      "^objects\\.githubusercontent\\.com$",
      "^raw\\.githubusercontent\\.com$",
    ]);
    // The patterns as tinyproxy reads them, POSIX extended: grep -E is the same kind of engine.
    const patterns = join(mkdtempSync(join(tmpdir(), "proxy-allow-")), "allow");
    writeFileSync(patterns, allow.split("\n").filter((l) => l && !l.startsWith("#")).join("\n") + "\n");
    const matches = (host: string) => spawnSync("grep", ["-Eqi", "-f", patterns], { input: `${host}\n` }).status === 0;
    expect(matches("github.com")).toBe(true);
    expect(matches("github.com.evil.example")).toBe(false);
    expect(matches("evilgithub.com")).toBe(false);
    expect(matches("gist.github.com")).toBe(false);
    expect(() => renderProxyAllow(["github.com/evil"])).toThrow("not a host name");
  });

  it("waits for the bridge outside the proxy's sandbox, whose address families leave out netlink", () => {
    const unit = renderProxyUnit();
    expect(unit).toContain("ExecStartPre=+/usr/local/lib/openclaw-vps/coding-egress.sh wait-bridge");
    expect(unit).toMatch(/^RestrictAddressFamilies=(?!.*AF_NETLINK).*$/m);
  });

  it("runs the proxy on the coder network's bridge address alone, CONNECT to 443 only, default deny", () => {
    const conf = renderProxyConf();
    expect(conf).toContain(`Listen ${CODER_NETWORK.gateway}\n`);
    expect(conf).toContain(`Port ${PROXY_PORT}\n`);
    expect(conf).toContain(`Allow ${CODER_NETWORK.subnet}\n`);
    expect(conf).toContain("ConnectPort 443\n");
    expect(conf).toContain("FilterDefaultDeny Yes\n");
    expect(conf).toContain("FilterType ere\n");
    expect(renderProxyUnit()).toContain("NoNewPrivileges=yes");
  });

  it("names the same network, paths and port in the egress script as in the renderers", () => {
    const script = readGatewayScript("coding-egress.sh");
    expect(script).toContain(`NETWORK=${CODER_NETWORK.name} BRIDGE=${CODER_NETWORK.bridge} SUBNET=${CODER_NETWORK.subnet} GATEWAY=${CODER_NETWORK.gateway} PORT=${PROXY_PORT}`);
    expect(script).toContain(`WORKSPACE=${CODER_WORKSPACE} MIRRORS=${CODER_MIRRORS}`);
    expect(script).toContain("--internal");
    // The Docker guard's rules (br-+) hold on the coder's bridge too.
    expect(CODER_NETWORK.bridge).toMatch(/^br-/);
    expect(CODER_NETWORK.bridge.length).toBeLessThanOrEqual(15);
  });
});
