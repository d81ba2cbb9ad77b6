/**
 * sshd moved onto the tailnet addresses by the rendered openclaw-vps-sshd-listen, with the
 * real sshd, ss and sysctl in a network namespace laid out as the server
 * (tests/conformance/sshd-listen.sh): the gate's listener rule passes afterwards and fails
 * before; SSH answers on the tailnet addresses and not on the public one; sshd still starts
 * when tailscale0 has no address yet (a reboot), which without ip_nonlocal_bind it cannot;
 * and a refused address, a refused setting or an sshd that does not follow leave the
 * previous settings in place.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SCRIPT_PATHS, hostFiles } from "../../cloud-init";
import { judgeListeners } from "../../gateway/scripts/judge.js";
import { runResultScript } from "./tools";

let r: Record<string, string> = {};
const lines = (key: string) => (r[key] ?? "").split("|");

beforeAll(() => {
  const file = hostFiles().find((f) => f.path === SCRIPT_PATHS.sshdListen);
  if (!file) throw new Error("the sshd-listen script is not among the host's files");
  const path = join(mkdtempSync(join(tmpdir(), "sshd-listen-")), "sshd-listen.sh");
  writeFileSync(path, file.content, { mode: 0o755 });
  r = runResultScript(join(__dirname, "sshd-listen.sh"), [path]);
});

it("starts from sshd on every address, which the gate's listener rule fails", () => {
  expect(lines("before_listening")).toEqual(["0.0.0.0:22", "[::]:22"]);
  expect(judgeListeners(lines("before_ss").join("\n"), lines("join_ip").join("\n"))).toEqual([
    expect.stringMatching(/^listeners: 0\.0\.0\.0:22 \(sshd pid \d+\) is reachable beyond loopback and the tailnet$/),
    expect.stringMatching(/^listeners: \[::\]:22 \(sshd pid \d+\) is reachable beyond loopback and the tailnet$/),
  ]);
});

it("after the join, sshd listens on the node's tailnet addresses only: the rule passes, SSH answers there and not on the public address", () => {
  expect(r.join_exit).toBe("0");
  expect(lines("join_listening")).toEqual(["100.100.1.2:22", "[fd7a:115c:a1e0::2]:22"]);
  expect(judgeListeners(lines("join_ss").join("\n"), lines("join_ip").join("\n"))).toEqual([]);
  expect({ v4: r.join_banner_v4, v6: r.join_banner_v6, public: r.join_banner_public }).toEqual({
    v4: "SSH-2.0",
    v6: "SSH-2.0",
    public: "ConnectionRefusedError",
  });
  // Both ways sshd runs: ListenAddress for the daemon, ListenStream (reset first) for ssh.socket.
  expect(lines("join_sshd_conf").slice(1)).toEqual(["ListenAddress 100.100.1.2", "ListenAddress fd7a:115c:a1e0::2"]);
  expect(lines("join_socket_conf").filter((l) => !l.startsWith("#"))).toEqual([
    "[Socket]",
    "ListenStream=",
    "ListenStream=100.100.1.2:22",
    "ListenStream=[fd7a:115c:a1e0::2]:22",
    "FreeBind=yes",
  ]);
  // sshd -t ran before the restart (it would have printed and stopped the script otherwise).
  expect(lines("join_calls")).toEqual(["systemctl daemon-reload", "systemctl is-enabled -q ssh.socket", "systemctl is-active -q ssh.socket", "systemctl restart ssh.service"]);
});

it("keeps sshd startable at boot before tailscale0 has its address: ip_nonlocal_bind now and at every boot", () => {
  expect(r.join_nonlocal).toBe("11");
  expect(lines("join_sysctl_conf").filter((l) => !l.startsWith("#"))).toEqual(["net.ipv4.ip_nonlocal_bind = 1", "-net.ipv6.ip_nonlocal_bind = 1"]);
  expect(lines("reboot_listening")).toEqual(["100.100.1.2:22", "[fd7a:115c:a1e0::2]:22"]);
  expect(r.reboot_banner_v4).toBe("SSH-2.0");
  // Without it, the lockout: sshd binds nothing.
  expect(r.control_listening).toBe("");
  expect(r.control_sshd_log).toContain("Cannot bind any address");
});

it("changes nothing and restarts nothing the second time", () => {
  expect({ exit: r.again_exit, restarts: r.again_restarts }).toEqual({ exit: "0", restarts: "0" });
  expect(r.again_out).toMatch(/nothing to do$/);
});

it("refuses an address outside the tailnet's ranges before writing anything", () => {
  expect({ exit: r.foreign_exit, unchanged: r.foreign_unchanged, restarts: r.foreign_restarts }).toEqual({ exit: "1", unchanged: "yes", restarts: "0" });
  expect(r.foreign_out).toContain("unexpected tailnet addresses ['203.0.113.10', 'fd7a:115c:a1e0::2']");
});

it("restarts nothing when sshd -t refuses the configuration, and leaves the previous settings", () => {
  expect({ exit: r.invalid_exit, restarts: r.invalid_restarts, left: r.invalid_left }).toEqual({ exit: "1", restarts: "0", left: "99-broken.conf" });
  expect(r.invalid_out).toContain("sshd -t refused the new settings; nothing was restarted");
});

it("puts the previous settings back when sshd does not end up on the tailnet addresses", () => {
  expect({ exit: r.stuck_exit, restarts: r.stuck_restarts }).toEqual({ exit: "1", restarts: "2" });
  expect(lines("stuck_left")).toEqual(["/etc/ssh/sshd_config.d/:", "", "/etc/systemd/system/ssh.socket.d/:"]);
  expect(r.stuck_out).toContain("the previous settings are back");
});
