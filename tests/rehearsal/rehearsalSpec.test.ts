/**
 * What the rehearsal's stand-ins serve is read from the plan's own artifacts
 * (rehearsal/lib/rehearsalSpec.ts), so a change to the product's packages or repositories
 * changes the rehearsal with it.
 */
import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { gatewayArtifacts } from "../../gateway";
import { PACKAGES, hostFiles } from "../../cloud-init";
import { renderSandboxDockerfile, SANDBOX_BASE_IMAGE } from "../../gateway/sandbox";
import { CODING_HOSTS, aptRepos, codingPackages, internetNames, machineAddresses, mergeSpecs, renderSpec, sandboxImage } from "../../rehearsal/lib/rehearsalSpec";
import { readGatewayScript } from "../../gateway/scripts";

const script = (artifact: string) => {
  const f = hostFiles().find((x) => x.artifact === artifact);
  if (!f) throw new Error(artifact);
  return f.content;
};
const settings = { tailnetHost: "openclaw.tail1234.ts.net", models: { anthropic: false, openai: false }, sandboxImage: "img", sandboxNetwork: "none" as const };

describe("the rehearsal's spec", () => {
  it("finds the repositories the scripts add, with their constants expanded", () => {
    expect(aptRepos(script("scripts/tailscale-join.sh"))).toEqual([{ name: "tailscale", line: "https://pkgs.tailscale.com/stable/ubuntu noble main" }]);
    expect(aptRepos(gatewayArtifacts(settings)["scripts/gateway-install.sh"])).toEqual([{ name: "nodesource", line: "https://deb.nodesource.com/node_24.x nodistro main" }]);
    expect(() => aptRepos('openclaw-vps-apt-repo x \\\n  https://k F \\\n  "https://h/${UNSET} s c"')).toThrow(/uses \$\{UNSET\}, which the script does not define/);
  });

  it("reads the sandbox's base image and packages from the rendered Dockerfile", () => {
    const image = sandboxImage(renderSandboxDockerfile());
    expect(image.base).toBe(SANDBOX_BASE_IMAGE);
    expect(image.packages).toEqual(expect.arrayContaining(["git", "python3", "ripgrep"]));
  });

  it("takes the namespaces' addresses from rehearsal/machine.sh, their one definition", () => {
    const a = machineAddresses(readFileSync(join(__dirname, "../../rehearsal/machine.sh"), "utf8"));
    expect(a).toMatchObject({ INET_ADDR: "203.0.113.1", HOST_ADDR: "203.0.113.10", TAILNET_ADDR: "100.100.1.2", PEER_ADDR: "100.100.1.1" });
    expect(() => machineAddresses("readonly INET_ADDR=1.2.3.4")).toThrow(/defines no HOST_ADDR/);
  });

  it("writes settings that bash reads back exactly", () => {
    const spec = {
      hostPackages: [...PACKAGES],
      repos: [{ name: "tailscale", line: "https://pkgs.tailscale.com/stable/ubuntu noble main" }],
      sandbox: sandboxImage(renderSandboxDockerfile()),
      openclawVersions: ["2026.9.6", "2026.9.5"],
      tailnetSuffix: "tail1234.ts.net",
    };
    const addresses = machineAddresses(readFileSync(join(__dirname, "../../rehearsal/machine.sh"), "utf8"));
    const file = join(mkdtempSync(join(tmpdir(), "spec-")), "spec.sh");
    writeFileSync(file, renderSpec(spec, addresses));
    const out = execFileSync("bash", ["-c", `source ${file}; printf '%s|' "$HOST_PACKAGES" "$REPO_LINE_tailscale" "$OPENCLAW_VERSIONS" "$INTERNET_NAMES"`], { encoding: "utf8" });
    expect(out.split("|").slice(0, 4)).toEqual([
      PACKAGES.join(" "),
      "https://pkgs.tailscale.com/stable/ubuntu noble main",
      "2026.9.6 2026.9.5",
      internetNames(spec).join(" "),
    ]);
    expect(internetNames(spec)).toEqual(["deb.debian.org", "security.debian.org", "pkgs.tailscale.com", "registry-1.docker.io"]);
  });

  it("serves both rehearsals from one build: the packages of either, the coder's far ends when one codes", () => {
    const day2 = { hostPackages: ["docker.io", "ufw"], repos: [{ name: "tailscale", line: "https://pkgs.tailscale.com/stable/ubuntu noble main" }], sandbox: { base: "debian:12.12-slim", packages: ["git", "curl"] }, openclawVersions: ["2026.9.6"], tailnetSuffix: "tail1234.ts.net" };
    const coding = { ...day2, hostPackages: ["docker.io", "ufw", ...codingPackages(readGatewayScript("coding-egress.sh"))], sandbox: { base: "debian:12.12-slim", packages: ["git", "curl", "gh=2.23.0+dfsg1-1"] }, coding: true };
    const merged = mergeSpecs([day2, coding]);
    expect(merged.hostPackages).toEqual(["docker.io", "ufw", "tinyproxy", "git", "acl"]);
    expect(merged.sandbox.packages).toEqual(["git", "curl", "gh=2.23.0+dfsg1-1"]);
    expect(merged.repos).toHaveLength(1);
    expect(internetNames(merged)).toEqual(expect.arrayContaining([...CODING_HOSTS]));
    expect(internetNames(day2)).not.toContain("api.telegram.org");
    expect(() => mergeSpecs([day2, { ...coding, sandbox: { base: "debian:13-slim", packages: [] } }])).toThrow(/differ in base/);
    expect(() => codingPackages("readonly NETWORK=x")).toThrow(/names no PACKAGES/);
  });
});
