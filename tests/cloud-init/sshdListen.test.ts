/**
 * sshd's move onto the tailnet addresses (cloud-init/scripts/sshd-listen.sh), as the host
 * gets it: installed with the other host scripts and run by the bootstrap right after the
 * join. Its behaviour with the real sshd is proven in tests/conformance/sshd-listen.sh.
 */
import { SCRIPT_PATHS, hostFiles } from "../../cloud-init";
import { readScript } from "../../cloud-init/scripts";

const bootstrap = readScript("bootstrap.sh").split("\n");
const script = readScript("sshd-listen.sh");

describe("the sshd-listen script", () => {
  it("is installed as a root-owned host script, exactly as shipped", () => {
    const file = hostFiles().find((f) => f.path === SCRIPT_PATHS.sshdListen);
    expect(file).toMatchObject({ path: "/usr/local/sbin/openclaw-vps-sshd-listen", permissions: "0755", artifact: "scripts/sshd-listen.sh" });
    expect(file?.content).toBe(script);
  });

  it("runs in the bootstrap right after the tailnet join, before anything else and before the readiness marker", () => {
    const join = bootstrap.findIndex((l) => l.startsWith("/usr/local/sbin/openclaw-vps-tailscale-join "));
    const listen = bootstrap.indexOf(SCRIPT_PATHS.sshdListen);
    expect(join).toBeGreaterThan(0);
    expect(listen).toBeGreaterThan(join);
    expect(bootstrap.slice(join + 1, listen).filter((l) => l.trim() !== "" && !l.startsWith("#") && !l.startsWith("step "))).toEqual([]);
    expect(bootstrap.findIndex((l) => l.includes('>"$MARKER"'))).toBeGreaterThan(listen);
  });

  it("checks the new settings with sshd -t before it restarts anything", () => {
    const body = script.slice(script.indexOf("\nput /etc/sysctl.d/"));
    expect(body.length).toBeLessThan(script.length);
    expect(body.indexOf("if ! sshd -t; then")).toBeGreaterThan(0);
    expect(body.indexOf("\nrestart\n")).toBeGreaterThan(body.indexOf("if ! sshd -t; then"));
    expect(body.slice(0, body.indexOf("if ! sshd -t; then"))).not.toMatch(/systemctl restart|\nrestart/);
  });

  it("names its ssh.socket drop-in to sort after the one Ubuntu's sshd-socket-generator writes, so its ListenStream list wins", () => {
    const name = /^S=\/etc\/systemd\/system\/ssh\.socket\.d\/([^\s]+)$/m.exec(script)?.[1] ?? "";
    expect(name).toMatch(/\.conf$/);
    expect([name, "addresses.conf"].sort()).toEqual(["addresses.conf", name]);
  });
});
