import { execFileSync } from "child_process";
import { parse as parseIni } from "ini";
import {
  TAILNET_RANGES,
  renderAutoUpgrades,
  renderDockerDaemonJson,
  renderDockerGuardUnit,
  renderFail2banJail,
  renderJournaldDropIn,
  renderResolvedDropIn,
} from "../../cloud-init/hostConfig";
import { renderHostFirewallScript, hostFirewallCommands } from "../../cloud-init/hostFirewall";
import { renderIni } from "../../cloud-init/ini";
import { renderSshdDropIn } from "../../cloud-init/sshd";

describe("renderIni", () => {
  it("writes sections and keys in order, repeating a key for each value of a list", () => {
    expect(renderIni({ A: { x: 1, y: ["p", "q"] }, B: { z: true } }, "head")).toBe("# head\n\n[A]\nx=1\ny=p\ny=q\n\n[B]\nz=true\n");
  });

  it("refuses a value that would start a new line", () => {
    expect(() => renderIni({ A: { x: "1\nExecStart=/bin/sh" } })).toThrow("ini: refusing a line break in x");
  });
});

describe("sshd drop-in", () => {
  const text = renderSshdDropIn("ops");
  it.each([
    ["PermitRootLogin", "no"],
    ["PasswordAuthentication", "no"],
    ["KbdInteractiveAuthentication", "no"],
    ["AllowUsers", "ops"],
    ["MaxAuthTries", "3"],
    ["LoginGraceTime", "20"],
    ["AllowTcpForwarding", "no"],
  ])("sets %s %s", (key, value) => {
    expect(text.split("\n")).toContain(`${key} ${value}`);
  });
});

describe("host firewall", () => {
  it("sets every default before enabling, and allows only the tailnet interface", () => {
    const cmds = hostFirewallCommands().map((c) => c.join(" "));
    expect(cmds).toEqual([
      "sed -i s/^IPV6=.*/IPV6=yes/ /etc/default/ufw",
      "ufw default deny incoming",
      "ufw default deny routed",
      "ufw default allow outgoing",
      "ufw allow in on tailscale0 comment tailnet only",
      "ufw --force enable",
    ]);
    expect(cmds.filter((c) => c.startsWith("ufw allow"))).toHaveLength(1);
  });

  it("renders the same commands as a checked script that runs them verbatim", () => {
    const script = renderHostFirewallScript();
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).toContain("set -euo pipefail\n");
    const stub = 'report() { printf "%s\\037" "$@"; printf "\\n"; }; ufw() { report ufw "$@"; }; sed() { report sed "$@"; };';
    const body = script.split("\n").filter((l) => !l.startsWith("#") && !l.startsWith("set ")).join("\n");
    const out = execFileSync("bash", ["-c", `${stub}\n${body}`], { encoding: "utf8" });
    const ran = out.trim().split("\n").map((line) => line.split("\x1f").slice(0, -1));
    expect(ran).toEqual(hostFirewallCommands().map((c) => [...c]));
  });
});

describe("host configuration files", () => {
  it("keeps the journal across reboots, capped", () => {
    expect(parseIni(renderJournaldDropIn()).Journal).toMatchObject({ Storage: "persistent", SystemMaxUse: "500M" });
  });

  it("turns off multicast DNS and LLMNR", () => {
    expect(parseIni(renderResolvedDropIn()).Resolve).toEqual({ MulticastDNS: "no", LLMNR: "no" });
  });

  it("turns on daily unattended upgrades", () => {
    const text = renderAutoUpgrades();
    expect(text).toContain('APT::Periodic::Update-Package-Lists "1";');
    expect(text).toContain('APT::Periodic::Unattended-Upgrade "1";');
  });

  it("jails sshd and never bans the tailnet", () => {
    const jail = parseIni(renderFail2banJail()) as Record<string, Record<string, unknown>>;
    expect(jail.sshd).toMatchObject({ enabled: true, backend: "systemd" });
    for (const range of TAILNET_RANGES) expect(String(jail.DEFAULT.ignoreip).split(" ")).toContain(range);
  });

  it("configures Docker without inter-container traffic or privilege gain, published ports on loopback only, keys sorted", () => {
    const text = renderDockerDaemonJson();
    expect(JSON.parse(text)).toEqual({
      icc: false,
      ip: "127.0.0.1",
      "live-restore": true,
      "log-driver": "journald",
      "no-new-privileges": true,
      "userland-proxy": false,
    });
    expect(Object.keys(JSON.parse(text) as object)).toEqual([...Object.keys(JSON.parse(text) as object)].sort());
  });

  it("re-applies the container guard whenever Docker starts", () => {
    const unit = parseIni(renderDockerGuardUnit("/usr/local/sbin/x")) as Record<string, Record<string, string>>;
    expect(unit.Unit).toMatchObject({ After: "docker.service", PartOf: "docker.service" });
    expect(unit.Service).toMatchObject({ Type: "oneshot", ExecStart: "/usr/local/sbin/x" });
    expect(unit.Install.WantedBy).toContain("docker.service");
  });
});
