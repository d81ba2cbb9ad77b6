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
    expect(readdirSync(join(dir, "carry", "openclaw-vps-prod")).sort()).toEqual(["carried.tar.gz", "identity.json"]);
  });

  it("refuses bad arguments and missing credentials", async () => {
    expect((await carry(["fetch", "../x"])).code).toBe(2);
    const none = await carry(["fetch", "p"], { OPENCLAW_VPS_DEPLOY_KEY: "" });
    expect(none.code).toBe(1);
    expect(none.out).toContain("OPENCLAW_VPS_HOST and OPENCLAW_VPS_DEPLOY_KEY must be set");
  });

  it("refuses a name that is no single directory, and takes the names deploymentName gives (with +)", async () => {
    expect((await carry(["fetch", ".."])).code).toBe(2);
    expect((await carry(["restore", "x".repeat(256)])).code).toBe(2);
    expect((await carry(["fetch", "acme+prod+eu"])).code).toBe(0);
    expect(readFileSync(join(dir, "carry", "acme+prod+eu", "carried.tar.gz"), "utf8")).toBe("ARCHIVE-BYTES");
  });
});

/** Who each deployment is, as its carry command's environment says (components/gateway.ts). */
const identity = (project: string, stack: string, gateway: string, former: string) => ({ OPENCLAW_VPS_DEPLOYMENT: JSON.stringify({ project, stack, gateway, former }) });
/** The default gateway of stack prod-eu: acme+prod-eu now, acme-prod-eu before. */
const PROD_EU = identity("acme", "prod-eu", "openclaw", "acme-prod-eu");
/** Gateway eu of stack prod: acme+prod+eu now, acme-prod-eu before as well. */
const PROD_GW_EU = identity("acme", "prod", "eu", "acme-prod-eu");
const carried = (name: string) => join(dir, "carry", name, "carried.tar.gz");

describe("carry-state.js tells deployments apart", () => {
  it("fetch writes who fetched it next to the archive (0600): the names, and a hash of the deploy key, never the key", async () => {
    expect((await carry(["fetch", "acme+prod-eu"], PROD_EU)).code).toBe(0);
    const file = join(dir, "carry", "acme+prod-eu", "identity.json");
    expect((statSync(file).mode & 0o777).toString(8)).toBe("600");
    const id = JSON.parse(readFileSync(file, "utf8"));
    expect(id).toMatchObject({ deployment: "acme+prod-eu", project: "acme", stack: "prod-eu", gateway: "openclaw", deployKey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(readFileSync(file, "utf8")).not.toContain("KEY\"");
  });

  it("a rebuild straight from a state recorded before: the recorded fetch by the former name, then the restore by the new one finds it (the same deploy key) and moves it", async () => {
    // The recorded delete: the former name, an environment with no identity.
    expect((await carry(["fetch", "acme-prod-eu"])).code).toBe(0);
    const r = await carry(["restore", "acme+prod-eu"], PROD_EU);
    expect(r.code).toBe(0);
    expect(r.out).toContain("carry: the state carried under the former name acme-prod-eu is this deployment's: moved to");
    expect(readFileSync(join(dir, "received"), "utf8")).toBe("ARCHIVE-BYTES");
    expect(existsSync(carried("acme-prod-eu"))).toBe(false);
    expect(readdirSync(join(dir, "carry", "acme+prod-eu"))).toEqual([expect.stringMatching(/^restored-.*\.tar\.gz$/)]);
  });

  it("never restores the archive of another deployment that had the same former name: gateway eu of prod leaves the state of stack prod-eu alone", async () => {
    // prod-eu's fetch by its former name, after its first up under this release (names recorded).
    expect((await carry(["fetch", "acme-prod-eu"], PROD_EU)).code).toBe(0);
    const other = await carry(["restore", "acme+prod+eu"], { ...PROD_GW_EU, OPENCLAW_VPS_DEPLOY_KEY: "ANOTHER-KEY" });
    expect(other).toEqual({ code: 0, out: expect.stringContaining("is the carried state of acme/prod-eu (gateway openclaw): left where it is") });
    expect(existsSync(join(dir, "received"))).toBe(false);
    expect(readFileSync(carried("acme-prod-eu"), "utf8")).toBe("ARCHIVE-BYTES");
    // Even with the same key, the names decide (the first look made eu's own directory).
    rmSync(join(dir, "carry", "acme+prod+eu"), { recursive: true });
    expect((await carry(["restore", "acme+prod+eu"], PROD_GW_EU)).out).toContain("left where it is");
  });

  it("stops, saying how to take or leave it, at an archive under the former name whose owner cannot be told; and takes the answer", async () => {
    // Left by a release before (no identity), or fetched with another deploy key.
    mkdirSync(join(dir, "carry", "acme-prod-eu"), { recursive: true });
    writeFileSync(carried("acme-prod-eu"), "LEGACY");
    for (const env of [PROD_EU, { ...PROD_EU, OPENCLAW_VPS_DEPLOY_KEY: "NEW-KEY" }]) {
      const r = await carry(["restore", "acme+prod-eu"], env);
      expect(r.code).toBe(1);
      expect(r.out).toContain("was carried under this deployment's former name acme-prod-eu, which another deployment could have had as well");
      expect(r.out).toContain(`mkdir -m 0700 ${join(dir, "carry", "acme+prod-eu")} && mv ${carried("acme-prod-eu")}`);
      expect(existsSync(join(dir, "received"))).toBe(false);
    }
    // It is this deployment's: moved by hand, restored.
    mkdirSync(join(dir, "carry", "acme+prod-eu"), { mode: 0o700 });
    const kept = await carry(["restore", "acme+prod-eu"], PROD_EU);
    expect(kept.out).toContain("carry: no state carried over");
    writeFileSync(carried("acme+prod-eu"), "LEGACY");
    expect((await carry(["restore", "acme+prod-eu"], PROD_EU)).code).toBe(0);
    expect(readFileSync(join(dir, "received"), "utf8")).toBe("LEGACY");
  });

  it("looks under the former name only until the deployment has its own directory", async () => {
    expect((await carry(["restore", "acme+prod-eu"], PROD_EU)).out).toContain("no state carried over");
    expect(existsSync(join(dir, "carry", "acme+prod-eu"))).toBe(true);
    // Later, another deployment's recorded fetch by that former name: never this one's.
    expect((await carry(["fetch", "acme-prod-eu"], { OPENCLAW_VPS_DEPLOY_KEY: "KEY" })).code).toBe(0);
    const r = await carry(["restore", "acme+prod-eu"], PROD_EU);
    expect(r.out).toContain("no state carried over");
    expect(existsSync(join(dir, "received"))).toBe(false);
  });

  it("refuses an archive in its own directory that another deployment's identity names, and never fetches over one", async () => {
    expect((await carry(["fetch", "acme-infra-prod"], identity("acme", "infra-prod", "openclaw", "acme-infra-prod"))).code).toBe(0);
    const self = identity("acme-infra", "prod", "openclaw", "acme-infra-prod");
    const r = await carry(["restore", "acme-infra-prod"], self);
    expect(r.code).toBe(1);
    expect(r.out).toContain("is the carried state of acme/infra-prod (gateway openclaw), not of this deployment: not restored");
    const f = await carry(["fetch", "acme-infra-prod"], { ...self, OPENCLAW_VPS_DEPLOY_KEY: "KEY-2" });
    expect(f.code).toBe(1);
    expect(f.out).toContain("holds the carried state of acme/infra-prod (gateway openclaw), which is not this deployment's: not written over");
    expect(readFileSync(join(dir, "remote.log"), "utf8")).not.toContain("KEY-2");
    // A recorded fetch (no names) with another key does not write over it either; the same deployment's does.
    expect((await carry(["fetch", "acme-infra-prod"], { OPENCLAW_VPS_DEPLOY_KEY: "KEY-3" })).code).toBe(1);
    expect((await carry(["fetch", "acme-infra-prod"], identity("acme", "infra-prod", "openclaw", "acme-infra-prod"))).code).toBe(0);
  });

  it("restores an archive with no identity in its own directory, as before (left by a release before this one)", async () => {
    mkdirSync(join(dir, "carry", "openclaw-vps-prod"), { recursive: true });
    writeFileSync(carried("openclaw-vps-prod"), "LEGACY");
    const r = await carry(["restore", "openclaw-vps-prod"], identity("openclaw-vps", "prod", "openclaw", "openclaw-vps-prod"));
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "received"), "utf8")).toBe("LEGACY");
  });
});
