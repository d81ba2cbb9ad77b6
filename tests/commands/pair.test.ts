import { USAGE, pairingCommand, remoteCommand } from "../../commands/pair";
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir, userInfo } from "os";
import { join } from "path";
import { sshArgs } from "../../commands/lib/remote";

describe("npm run pair", () => {
  it("lists and approves Telegram pairing codes", () => {
    expect(pairingCommand(["telegram"])).toEqual(["pairing", "list", "telegram"]);
    expect(pairingCommand(["telegram", "ab12cd34"])).toEqual(["pairing", "approve", "telegram", "AB12CD34"]);
  });

  it("lists and approves devices", () => {
    expect(pairingCommand(["devices"])).toEqual(["devices", "list"]);
    expect(pairingCommand(["devices", "req_123-abc"])).toEqual(["devices", "approve", "req_123-abc"]);
  });

  it("refuses anything that is not a code or an id before it could reach a shell", () => {
    expect(pairingCommand(["telegram", "AB12;rm -rf /"])).toBe("not a pairing code: AB12;rm -rf /");
    expect(pairingCommand(["devices", "$(id)"])).toBe("not a device request id: $(id)");
    expect(pairingCommand(["bogus"])).toBe(USAGE);
    expect(pairingCommand(["telegram", "AB12CD34", "extra"])).toBe(USAGE);
  });

  it("runs OpenClaw as the gateway's account, over ssh with only the deploy key and the pinned host key", () => {
    expect(sshArgs("/tmp/k", "claw.tail1234.ts.net", remoteCommand(["devices", "list"]), ["-o", "StrictHostKeyChecking=yes"])).toEqual([
      "-F", "/dev/null", "-o", "ControlPath=none",
      "-i", "/tmp/k", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
      "ops@claw.tail1234.ts.net", "sudo", "-u", "openclaw", "-H", "openclaw", "devices", "list",
    ]);
  });

  it("ignores the user's ssh config: no ControlMaster or ProxyCommand from ~/.ssh/config reaches the session (the real ssh, -G)", () => {
    // The user's config as ssh finds it (the account's home from the password database, not
    // $HOME): a private mount namespace puts one there that would reuse a master connection
    // and proxy every session elsewhere.
    const home = userInfo().homedir;
    const dir = mkdtempSync(join(tmpdir(), "ssh-config-"));
    writeFileSync(join(dir, "config"), "Host *\n  ControlMaster auto\n  ControlPath /tmp/impostor-%h\n  ProxyCommand /bin/false %h\n");
    const effective = (args: string[]) => {
      const r = spawnSync("unshare", ["-m", "sh", "-c", `mkdir -p "$1/.ssh" && mount --bind "$2" "$1/.ssh" && shift 2 && exec ssh -G "$@"`, "sh", home, dir, ...args], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`ssh -G failed: ${r.stderr}`);
      return r.stdout;
    };
    try {
      const args = sshArgs("/tmp/k", "claw.tail1234.ts.net", ["true"], ["-o", "StrictHostKeyChecking=yes"]);
      // Without -F /dev/null (the former arguments), the user's config is in force: the control.
      const former = effective(args.slice(4));
      expect(former).toMatch(/^controlpath \/tmp\/impostor-/m);
      expect(former).toMatch(/^proxycommand \/bin\/false/m);
      const ours = effective(args);
      expect(ours).not.toMatch(/^controlpath /m);
      expect(ours).toMatch(/^controlmaster false$/m);
      expect(ours).not.toMatch(/^proxycommand /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
