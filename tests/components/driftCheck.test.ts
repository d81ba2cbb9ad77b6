/**
 * The drift check resource (components/driftCheck.ts): its diff runs the server's drift check
 * over SSH through components/local/check-drift.js, here with a stand-in `ssh` first on PATH
 * that plays the server (it records its arguments, one per line, and the key file it is
 * given, and answers as the test says). Clean: no change. Drift: a change, each problem named
 * on stderr. Unreachable: no change, and "drift NOT CHECKED" with ssh's reason. A new server:
 * a change, without asking it.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { DRIFT_HELPER, driftCheckProvider, emulatedDriftCheck } from "../../components/driftCheck";

const HOST = "claw.tail1234.ts.net";
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL3vN6m0uZg2yJb0pQ8ZrW1hXcE4kT9sYfA7dLqM2nRo root@claw";
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----";
const REMOTE = "sudo /usr/bin/node /usr/local/lib/openclaw-vps/drift.js check /etc/openclaw-vps/manifest.json";
const DRIFT_LINES = ["drift: /etc/ssh/sshd_config.d/01-openclaw-vps.conf: changed since the deploy", "drift: /etc/ufw/user.rules: a rule the deploy did not add: ufw allow 2222/tcp"];

let dir = "";
let stderr: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "drift-check-test-"));
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "tmp"));
  // The server: records what ssh was given, then answers as ${dir}/answer says.
  writeFileSync(
    join(dir, "bin", "ssh"),
    `#!/bin/bash
printf '%s\\n' "$@" >"${dir}/argv"
args=("$@")
for i in "\${!args[@]}"; do
  case "\${args[$i]}" in
    -i) stat -c %a "\${args[$((i + 1))]}" >"${dir}/key.mode"; cat "\${args[$((i + 1))]}" >"${dir}/key.content" ;;
    UserKnownHostsFile=*) cat "\${args[$i]#UserKnownHostsFile=}" >"${dir}/known_hosts" ;;
  esac
done
case "$(cat "${dir}/answer")" in
  clean) exit 0 ;;
  drift) printf '%s\\n' ${DRIFT_LINES.map((l) => `'${l}'`).join(" ")}; exit 1 ;;
  sudo) echo "sudo: a password is required" >&2; exit 1 ;;
  unreachable) echo "ssh: connect to host x port 22: No route to host" >&2; exit 255 ;;
  *) exit 9 ;;
esac
`,
  );
  chmodSync(join(dir, "bin", "ssh"), 0o755);
  // The diff runs the helper it is given with this process's environment, which jest keeps
  // apart from the test's own (process.env here is a copy child processes never see). So the
  // helper the diff is given here runs the real one (DRIFT_HELPER) with the stand-in first on
  // PATH (as ${dir}/path says) and its temporary files in ${dir}/tmp: stdin, stdout, stderr
  // and the exit code passed through unchanged.
  setPath(`${dir}/bin:/usr/bin:/bin`);
  writeFileSync(
    join(dir, "helper.js"),
    `"use strict";
const fs = require("fs");
const { spawnSync } = require("child_process");
const r = spawnSync(process.execPath, [${JSON.stringify(DRIFT_HELPER)}], {
  input: fs.readFileSync(0),
  stdio: ["pipe", "inherit", "inherit"],
  env: { PATH: fs.readFileSync(${JSON.stringify(join(dir, "path"))}, "utf8"), TMPDIR: ${JSON.stringify(join(dir, "tmp"))} },
});
process.exit(r.status === null ? 1 : r.status);
`,
  );
  stderr = [];
  jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const setPath = (path: string) => writeFileSync(join(dir, "path"), path);
const answer = (a: "clean" | "drift" | "sudo" | "unreachable") => writeFileSync(join(dir, "answer"), a);
const olds = { serverId: "1001", epoch: 3 };
const news = (extra: Record<string, unknown> = {}) => ({ serverId: "1001", host: HOST, hostKey: HOST_KEY, privateKey: PRIVATE_KEY, helper: join(dir, "helper.js"), ...extra });
const argv = () => readFileSync(join(dir, "argv"), "utf8").split("\n").slice(0, -1);

describe("the helper the diff runs", () => {
  it("is components/local/check-drift.js, by absolute path", () => {
    expect(DRIFT_HELPER).toBe(join(__dirname, "../../components/local/check-drift.js"));
    expect(existsSync(DRIFT_HELPER)).toBe(true);
  });
});

describe("create and update", () => {
  it("create starts the epoch at 0 for the server", async () => {
    expect(await driftCheckProvider.create({ serverId: "1001", host: HOST })).toEqual({ id: "drift-check", outs: { serverId: "1001", epoch: 0 } });
  });

  it("update bumps the epoch (the re-asserting steps' trigger) and takes the new server id", async () => {
    expect(await driftCheckProvider.update("drift-check", olds, news({ serverId: "2002" }))).toEqual({ outs: { serverId: "2002", epoch: 4 } });
    expect(await driftCheckProvider.update("drift-check", { serverId: "1001" }, news())).toEqual({ outs: { serverId: "1001", epoch: 1 } });
  });
});

describe("diff", () => {
  it("a new server is a change, without asking it anything", async () => {
    answer("clean");
    expect(await driftCheckProvider.diff("drift-check", olds, news({ serverId: "2002" }))).toEqual({ changes: true });
    expect(existsSync(join(dir, "argv"))).toBe(false);
    expect(stderr).toEqual([]);
  });

  it("a clean host (the check exits 0) is no change, and nothing is said", async () => {
    answer("clean");
    expect(await driftCheckProvider.diff("drift-check", olds, news())).toEqual({ changes: false });
    expect(existsSync(join(dir, "argv"))).toBe(true);
    expect(stderr).toEqual([]);
  });

  it("a drifted host is a change, and stderr names each problem the check printed", async () => {
    answer("drift");
    expect(await driftCheckProvider.diff("drift-check", olds, news())).toEqual({ changes: true });
    const said = stderr.join("");
    expect(said).toContain(`openclaw-vps: ${HOST} has drifted from what this deployment rendered`);
    for (const line of DRIFT_LINES) expect(said).toContain(`  ${line}\n`);
  });

  it("a failure of the check itself (not ssh's) is drift too: it fails closed", async () => {
    answer("sudo");
    expect(await driftCheckProvider.diff("drift-check", olds, news())).toEqual({ changes: true });
    expect(stderr.join("")).toContain("the drift check exited 1: sudo: a password is required");
  });

  it("an unreachable server (ssh exits 255) is no change, and stderr says drift NOT CHECKED with ssh's reason", async () => {
    answer("unreachable");
    expect(await driftCheckProvider.diff("drift-check", olds, news())).toEqual({ changes: false });
    expect(stderr.join("")).toBe(`openclaw-vps: drift NOT CHECKED on ${HOST}: ssh: connect to host x port 22: No route to host\n`);
  });

  it("no ssh at all, a host key that is not one, or no helper: not checked, and said so", async () => {
    answer("clean");
    setPath(join(dir, "nothing"));
    expect(await driftCheckProvider.diff("drift-check", olds, news())).toEqual({ changes: false });
    expect(stderr.join("")).toMatch(/^openclaw-vps: drift NOT CHECKED on claw\.tail1234\.ts\.net: could not run ssh: .*ENOENT/);
    setPath(`${dir}/bin:/usr/bin:/bin`);
    stderr = [];
    expect(await driftCheckProvider.diff("drift-check", olds, news({ hostKey: "not a key" }))).toEqual({ changes: false });
    expect(stderr.join("")).toContain("drift NOT CHECKED on claw.tail1234.ts.net: the server's host key is missing or not an OpenSSH public key line");
    expect(existsSync(join(dir, "argv"))).toBe(false);
    stderr = [];
    expect(await driftCheckProvider.diff("drift-check", olds, news({ helper: join(dir, "no-helper.js") }))).toEqual({ changes: false });
    expect(stderr.join("")).toContain("drift NOT CHECKED on claw.tail1234.ts.net: the check printed no verdict (exit 1)");
    // Nothing was left behind in the temporary directory, the key least of all.
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  });

  it("runs the server's check with ssh reading no config, only the deploy key, only the pinned host key", async () => {
    answer("clean");
    await driftCheckProvider.diff("drift-check", olds, news());
    const a = argv();
    const option = (name: string) => a.some((x, i) => a[i - 1] === "-o" && x === name);
    expect(a.slice(0, 2)).toEqual(["-F", "/dev/null"]);
    expect(option("ControlPath=none")).toBe(true);
    expect(option("IdentitiesOnly=yes")).toBe(true);
    expect(option("BatchMode=yes")).toBe(true);
    expect(option("StrictHostKeyChecking=yes")).toBe(true);
    expect(option("GlobalKnownHostsFile=/dev/null")).toBe(true);
    expect(option("HostKeyAlgorithms=ssh-ed25519")).toBe(true);
    expect(a.slice(-2)).toEqual([`ops@${HOST}`, REMOTE]);
    // The known_hosts file names this host with this key, and nothing else.
    const [type, body] = HOST_KEY.split(" ");
    expect(readFileSync(join(dir, "known_hosts"), "utf8")).toBe(`${HOST} ${type} ${body}\n`);
  });

  it("hands the private key over in a 0600 file, never in the arguments, and removes it after", async () => {
    answer("drift");
    await driftCheckProvider.diff("drift-check", olds, news());
    const a = argv();
    expect(a.join("\n")).not.toContain("PRIVATE KEY");
    expect(a.join("\n")).not.toContain("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ");
    const keyFile = a[a.indexOf("-i") + 1];
    expect(keyFile.startsWith(join(dir, "tmp"))).toBe(true);
    expect(readFileSync(join(dir, "key.mode"), "utf8")).toBe("600\n");
    expect(readFileSync(join(dir, "key.content"), "utf8")).toBe(`${PRIVATE_KEY}\n`);
    expect(existsSync(keyFile)).toBe(false);
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
    // Nor does the key reach stderr.
    expect(stderr.join("")).not.toContain("PRIVATE KEY");
  });

  it("reads secrets that arrive in their wire form", async () => {
    answer("clean");
    const secret = (value: string) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
    expect(await driftCheckProvider.diff("drift-check", olds, news({ privateKey: secret(PRIVATE_KEY), hostKey: secret(HOST_KEY) }))).toEqual({ changes: false });
    expect(readFileSync(join(dir, "key.content"), "utf8")).toBe(`${PRIVATE_KEY}\n`);
    expect(argv().slice(-2)).toEqual([`ops@${HOST}`, REMOTE]);
  });
});

describe("emulatedDriftCheck (the lifecycle harness's)", () => {
  it("decides as drifted() says, a new server always a change, and never runs ssh", async () => {
    answer("drift");
    const clean = emulatedDriftCheck(() => false);
    const drifted = emulatedDriftCheck(() => true);
    expect(await clean.diff("drift-check", olds, news())).toEqual({ changes: false });
    expect(await drifted.diff("drift-check", olds, news())).toEqual({ changes: true });
    expect(await clean.diff("drift-check", olds, news({ serverId: "2002" }))).toEqual({ changes: true });
    expect(existsSync(join(dir, "argv"))).toBe(false);
    expect(stderr).toEqual([]);
    // create and update are the provider's own.
    expect(await drifted.create({ serverId: "1001" })).toEqual({ id: "drift-check", outs: { serverId: "1001", epoch: 0 } });
    expect(await drifted.update("drift-check", olds, news())).toEqual({ outs: { serverId: "1001", epoch: 4 } });
  });
});
