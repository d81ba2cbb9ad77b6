/**
 * commands/lib/remote.ts, which npm run pair and npm run verify use, with stand-ins for the
 * Pulumi CLI and ssh on PATH: the deploy key exists only while ssh runs, also when the run
 * is interrupted.
 */
import { spawn } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { describeSummary } from "../../commands/verify";
import { limitMs } from "../limits";

const REPO = join(__dirname, "../..");
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfThisStack";
let dir = "";
let bin = "";
let temp = "";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "remote-test-"));
  bin = join(dir, "bin");
  temp = join(dir, "tmp");
  for (const d of [bin, temp]) mkdirSync(d);
  const outputs = JSON.stringify({ tailnetHost: "openclaw.tail1234.ts.net", sshHostKey: HOST_KEY, deployPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nSTANDIN\n-----END OPENSSH PRIVATE KEY-----\n" });
  writeFileSync(join(bin, "pulumi"), `#!/bin/sh\nprintf '%s\\n' '${outputs}'\n`);
  // ssh: records its arguments and the key file's mode, then runs what SSH_STANDIN says.
  writeFileSync(
    join(bin, "ssh"),
    `#!/bin/bash\necho "$@" >"${dir}/ssh.args"\nprev=""; for a in "$@"; do if [ "$prev" = -i ]; then stat -c %a "$a" >"${dir}/key.mode"; fi; prev=$a; done\n` +
      `for a in "$@"; do case "$a" in UserKnownHostsFile=*) cat "\${a#UserKnownHostsFile=}" >"${dir}/known_hosts" ;; esac; done\neval "$SSH_STANDIN"\n`,
  );
  chmodSync(join(bin, "pulumi"), 0o755);
  chmodSync(join(bin, "ssh"), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runScript(script: string, args: string[], standIn: string, onStart?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", script, ...args], {
      cwd: REPO,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, TMPDIR: temp, SSH_STANDIN: standIn },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code, signal) => resolve({ code, signal, out }));
    onStart?.(child);
  });
}

describe("running a command on the server", () => {
  it("npm run pair: ssh gets the deploy key in a 0600 file, which is gone afterwards", async () => {
    const r = await runScript("commands/pair.ts", ["telegram"], "echo paired; exit 0");
    expect(r.code).toBe(0);
    expect(r.out).toContain("paired");
    expect(readFileSync(join(dir, "key.mode"), "utf8").trim()).toBe("600");
    // No ssh_config, no shared connection (a ControlMaster could lead to another machine).
    expect(readFileSync(join(dir, "ssh.args"), "utf8")).toMatch(/^-F \/dev\/null -o ControlPath=none -i \S+ -o IdentitiesOnly=yes /);
    expect(readFileSync(join(dir, "ssh.args"), "utf8")).toMatch(
      /-o BatchMode=yes -o UserKnownHostsFile=\S+ -o GlobalKnownHostsFile=\/dev\/null -o StrictHostKeyChecking=yes -o CheckHostIP=no -o HostKeyAlgorithms=ssh-ed25519 ops@openclaw\.tail1234\.ts\.net sudo -u openclaw -H openclaw pairing list telegram/,
    );
    // Only the server's own host key is known to that ssh.
    expect(readFileSync(join(dir, "known_hosts"), "utf8")).toBe(`openclaw.tail1234.ts.net ${HOST_KEY}\n`);
    expect(readdirSync(temp).filter((f) => f.startsWith("openclaw-vps-"))).toEqual([]);
  });

  it("removes the key when interrupted while ssh runs (Ctrl-C), and stops ssh", async () => {
    const r = await runScript("commands/pair.ts", ["telegram"], `touch "${dir}/ssh.started"; exec sleep 30`, (child) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (existsSync(join(dir, "ssh.started")) || Date.now() - started > limitMs(5)) {
          clearInterval(poll);
          child.kill("SIGINT");
        }
      }, 50);
    });
    expect(existsSync(join(dir, "ssh.started"))).toBe(true);
    expect(r.code).toBe(130);
    expect(readdirSync(temp).filter((f) => f.startsWith("openclaw-vps-"))).toEqual([]);
  }, limitMs(10));

  it("says what is missing when there is no Pulumi CLI", async () => {
    rmSync(join(bin, "pulumi"));
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "commands/verify.ts"], {
        cwd: REPO,
        env: { ...process.env, PATH: bin, TMPDIR: temp },
      });
      let out = "";
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.on("exit", (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain("the Pulumi CLI (pulumi) is not on PATH");
  });

  it("npm run verify: runs the self-check and prints its summary, failing when it is not clean", async () => {
    const dirty = JSON.stringify({ ok: false, openclaw: "OpenClaw 2026.9.6", problems: ["ufw: Status: inactive"] });
    const r = await runScript("commands/verify.ts", [], `echo '${dirty}'; exit 1`);
    expect(readFileSync(join(dir, "ssh.args"), "utf8")).toMatch(/ops@openclaw\.tail1234\.ts\.net sudo \/usr\/local\/lib\/openclaw-vps\/selfcheck\.sh\n$/);
    expect(r.code).toBe(1);
    expect(r.out).toContain(dirty);
    expect(r.out).toContain("not clean:\n  - ufw: Status: inactive");
    const clean = await runScript("commands/verify.ts", [], `echo '${JSON.stringify({ ok: true, openclaw: "OpenClaw 2026.9.6", problems: [] })}'`);
    expect(clean.code).toBe(0);
    expect(clean.out).toContain("clean: OpenClaw 2026.9.6");
  });
});

describe("describeSummary", () => {
  it("reads the summary line, and counts anything else as not clean", () => {
    expect(describeSummary('{"ok":true,"openclaw":"OpenClaw 2026.9.6"}')).toEqual({ ok: true, text: "clean: OpenClaw 2026.9.6" });
    expect(describeSummary("")).toEqual({ ok: false, text: "the self-check printed no summary: see the output above" });
    expect(describeSummary('{"ok":"yes"}').ok).toBe(false);
  });
});
