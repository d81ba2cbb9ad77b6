/**
 * components/local/carry-state.js with an ssh stand-in on PATH that plays the server: it answers the
 * backup listing, streams an archive for `sudo cat`, and records what it receives.
 */
import { execFile } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const SCRIPT = join(__dirname, "../../../components/local/carry-state.js");
const ARCHIVE = "/var/backups/openclaw/2026-12-01T10-00-00.000+00-00-openclaw-backup.tar.gz";
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfThisStack";
let dir = "";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "carry-test-"));
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "tmp"));
  writeFileSync(join(dir, "archive"), "ARCHIVE-BYTES");
  // The server: the last argument is the remote command.
  writeFileSync(
    join(dir, "bin", "ssh"),
    `#!/bin/bash
remote="\${@: -1}"
echo "$remote" >>"${dir}/remote.log"
args=("$@")
for i in "\${!args[@]}"; do
  case "\${args[$i]}" in
    -i) stat -c %a "\${args[$((i + 1))]}" >>"${dir}/key.modes" ;;
    UserKnownHostsFile=*) cat "\${args[$i]#UserKnownHostsFile=}" >>"${dir}/known_hosts.log" ;;
    StrictHostKeyChecking=*|HostKeyAlgorithms=*|GlobalKnownHostsFile=*) echo "\${args[$i]}" >>"${dir}/pin.log" ;;
  esac
done
case "$remote" in
  "sudo systemctl start openclaw-backup.service && "*) echo "\${SERVER_ARCHIVE-${ARCHIVE}}" ;;
  "sudo cat "*) cat "${dir}/archive" ;;
  *"install -m 0600 -o openclaw -g openclaw /dev/stdin"*) cat >"${dir}/received" ;;
  "sudo /usr/local/lib/openclaw-vps/restore.sh "*) echo "restore: state restored" ;;
  *) exit 9 ;;
esac
`,
  );
  chmodSync(join(dir, "bin", "ssh"), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function carry(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { env: { PATH: `${dir}/bin:/usr/bin:/bin`, TMPDIR: join(dir, "tmp"), OPENCLAW_VPS_CARRY_DIR: join(dir, "carry"), OPENCLAW_VPS_HOST: "100.64.0.9", OPENCLAW_VPS_DEPLOY_KEY: "KEY", OPENCLAW_VPS_HOST_KEY: HOST_KEY, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, out: stdout + stderr }),
    );
  });
}

describe("carry-state.js", () => {
  it("fetch: takes a backup now on the old server and keeps it here, 0600 in a 0700 directory", async () => {
    const r = await carry(["fetch", "openclaw-vps-prod"]);
    expect(r.code).toBe(0);
    const carried = join(dir, "carry", "openclaw-vps-prod", "carried.tar.gz");
    expect(readFileSync(carried, "utf8")).toBe("ARCHIVE-BYTES");
    expect((statSync(carried).mode & 0o777).toString(8)).toBe("600");
    expect((statSync(join(dir, "carry", "openclaw-vps-prod")).mode & 0o777).toString(8)).toBe("700");
    expect(readFileSync(join(dir, "remote.log"), "utf8")).toBe(
      `sudo systemctl start openclaw-backup.service && sudo sh -c 'ls -t /var/backups/openclaw/*-openclaw-backup.tar.gz | head -n 1'\nsudo cat ${ARCHIVE}\n`,
    );
    // The key existed only for the ssh calls, and only as 0600.
    expect(readFileSync(join(dir, "key.modes"), "utf8")).toBe("600\n600\n");
    // Each call accepts only the server's own host key.
    expect(readFileSync(join(dir, "known_hosts.log"), "utf8")).toBe(`100.64.0.9 ${HOST_KEY}\n`.repeat(2));
    expect(readFileSync(join(dir, "pin.log"), "utf8")).toBe("GlobalKnownHostsFile=/dev/null\nStrictHostKeyChecking=yes\nHostKeyAlgorithms=ssh-ed25519\n".repeat(2));
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  });

  it("fetch fails, keeping nothing half-written, when the old server has no archive (the engine then stops before deleting it)", async () => {
    const r = await carry(["fetch", "openclaw-vps-prod"], { SERVER_ARCHIVE: "" });
    expect(r.code).toBe(1);
    expect(r.out).toContain("carry: no backup archive on the old server");
    expect(existsSync(join(dir, "carry", "openclaw-vps-prod", "carried.tar.gz"))).toBe(false);
  });

  it("restore: sends the carried archive to the new server, restores it there, and keeps it here as restored", async () => {
    await carry(["fetch", "openclaw-vps-prod"]);
    const r = await carry(["restore", "openclaw-vps-prod"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "received"), "utf8")).toBe("ARCHIVE-BYTES");
    expect(r.out).toContain("restore: state restored");
    const left = readdirSync(join(dir, "carry", "openclaw-vps-prod"));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^restored-.*\.tar\.gz$/);
  });

  it("restore refuses to run without the new server's host key; fetch from a server deployed before pinning says it cannot check", async () => {
    await carry(["fetch", "openclaw-vps-prod"]);
    const restore = await carry(["restore", "openclaw-vps-prod"], { OPENCLAW_VPS_HOST_KEY: "" });
    expect(restore.code).toBe(1);
    expect(restore.out).toContain("OPENCLAW_VPS_HOST_KEY must be set");
    expect(existsSync(join(dir, "received"))).toBe(false);
    const old = await carry(["fetch", "openclaw-vps-prod"], { OPENCLAW_VPS_HOST_KEY: "" });
    expect(old.code).toBe(0);
    expect(old.out).toMatch(/deployed before host-key pinning\); its key is not checked/);
  });

  it("restore with nothing carried (a first deployment) does nothing", async () => {
    const r = await carry(["restore", "openclaw-vps-prod"]);
    expect(r).toEqual({ code: 0, out: "carry: no state carried over: a first deployment\n" });
    expect(existsSync(join(dir, "remote.log"))).toBe(false);
  });

  it("unchanged (the command's update: the same server) neither fetches nor restores, even with an archive carried", async () => {
    await carry(["fetch", "openclaw-vps-prod"]);
    rmSync(join(dir, "remote.log"), { force: true });
    const r = await carry(["unchanged", "openclaw-vps-prod"]);
    expect(r).toEqual({ code: 0, out: "carry: the same server: nothing to carry\n" });
    expect(existsSync(join(dir, "remote.log"))).toBe(false);
    expect(existsSync(join(dir, "received"))).toBe(false);
    expect(readdirSync(join(dir, "carry", "openclaw-vps-prod"))).toEqual(["carried.tar.gz"]);
  });

  it("refuses bad arguments and missing credentials", async () => {
    expect((await carry(["fetch", "../x"])).code).toBe(2);
    const none = await carry(["fetch", "p"], { OPENCLAW_VPS_DEPLOY_KEY: "" });
    expect(none.code).toBe(1);
    expect(none.out).toContain("OPENCLAW_VPS_HOST and OPENCLAW_VPS_DEPLOY_KEY must be set");
  });
});
