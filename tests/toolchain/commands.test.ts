/**
 * The command stand-in running commands as pulumi-command 1.2.1 does (toolchain/providers/
 * commands.ts): local ones for real here, remote ones by the OpenSSH arguments they get
 * (a real sshd answers them in the rehearsal and in tests/conformance/host-key-pin.sh).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandFailed, connectionOf, runCommand, sshArgs } from "../../toolchain/providers/commands";
import { standIn } from "../../toolchain/providers/standin";
import { wrapSecret } from "../../commands/lib/mockRuntime";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-commands-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("a local command", () => {
  it("runs with /bin/sh -c in its dir, with its environment and stdin, one trailing newline trimmed", async () => {
    const out = await runCommand('printf "%s %s " "$(pwd)" "$GREETING"; cat; echo; echo', { kind: "local", dir, environment: { GREETING: "hello" }, stdin: "from stdin" }, undefined);
    expect(out.stdout).toBe(`${fs.realpathSync(dir)} hello from stdin\n`);
    expect(out.stderr).toBe("");
  });

  it("runs in the provider's working directory when no dir is given", async () => {
    expect((await runCommand("pwd", { kind: "local" }, undefined, { cwd: dir })).stdout).toBe(fs.realpathSync(dir));
  });

  it("sees the previous stdout and stderr unless addPreviousOutputInEnv is false; none on a create", async () => {
    const show = 'echo "[$PULUMI_COMMAND_STDOUT|$PULUMI_COMMAND_STDERR]"';
    expect((await runCommand(show, { kind: "local" }, { stdout: "out", stderr: "err" })).stdout).toBe("[out|err]");
    expect((await runCommand(show, { kind: "local", addPreviousOutputInEnv: false }, { stdout: "out", stderr: "err" })).stdout).toBe("[|]");
    expect((await runCommand(show, { kind: "local" }, undefined)).stdout).toBe("[|]");
  });

  it("fails with pulumi-command's text: the exit, the command, then what it printed", async () => {
    const run = runCommand("echo partial; echo oops >&2; exit 3", { kind: "local" }, undefined);
    await expect(run).rejects.toThrow(CommandFailed);
    await expect(run).rejects.toThrow('exit status 3: running "echo partial; echo oops >&2; exit 3":\npartial\noops\n');
  });

  it("stops at its time limit and says so", async () => {
    await expect(runCommand("sleep 30", { kind: "local" }, undefined, { timeoutSeconds: 1 })).rejects.toThrow(/signal: SIGKILL[\s\S]*time limit of 1 s/);
  });
});

describe("a remote command", () => {
  const connection = connectionOf({ host: "openclaw.tail1234.ts.net", privateKey: "KEY", user: "ops", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOJx", dialErrorLimit: 20, perDialTimeout: 30 }, "step");

  it("takes pulumi-command's defaults for what is not set: root, port 22, 10 retries, 15 s, any host key", () => {
    expect(connectionOf({ host: "h", privateKey: "k" }, "x")).toEqual({ host: "h", user: "root", privateKey: "k", port: 22, dialErrorLimit: 10, perDialTimeout: 15 });
    expect(() => connectionOf({ host: "h" }, "x")).toThrow("x: a remote command without a host and a private key");
  });

  it("is one ssh session with no user configuration, the key alone, and only the pinned host key", () => {
    const args = sshArgs(connection, "/k/key", dir, "sudo true");
    expect(args.slice(0, 4)).toEqual(["-F", "/dev/null", "-T", "-i"]);
    expect(args).toEqual(expect.arrayContaining(["IdentitiesOnly=yes", "IdentityAgent=none", "BatchMode=yes", "ConnectTimeout=30", "ConnectionAttempts=21", "StrictHostKeyChecking=yes", "HostKeyAlgorithms=ssh-ed25519"]));
    expect(args.slice(-2)).toEqual(["ops@openclaw.tail1234.ts.net", "sudo true"]);
    expect(fs.readFileSync(path.join(dir, "known_hosts"), "utf8")).toBe("openclaw.tail1234.ts.net ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOJx\n");
  });

  it("accepts any host key when none is pinned, as pulumi-command does", () => {
    const args = sshArgs({ ...connection, hostKey: undefined }, "/k/key", dir, "true");
    expect(args).toEqual(expect.arrayContaining(["StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null"]));
  });

  it("fails before connecting when it must send environment variables (sshd accepts none here)", async () => {
    await expect(runCommand("true", { kind: "remote", connection, environment: { A: "1" } }, undefined)).rejects.toThrow('could not set environment variable "A"');
  });
});

describe("the command stand-in with OPENCLAW_VPS_RUN_COMMANDS", () => {
  const URN = (name: string) => `urn:pulumi:dev::openclaw-vps::command:local:Command::${name}`;
  const command = () => standIn("command", "1.2.1", { OPENCLAW_VPS_LOCAL_CLOUD: dir, OPENCLAW_VPS_COMMAND_LOG: path.join(dir, "log.jsonl"), OPENCLAW_VPS_RUN_COMMANDS: "1" });

  it("returns the real output of create; an update runs update (or create) with the previous output; delete sees the last output", async () => {
    const p = command();
    const file = path.join(dir, "deleted");
    const inputs = { create: "echo created", delete: `echo "$PULUMI_COMMAND_STDOUT" > ${file}`, dir };
    const made = await p.create?.(URN("c"), inputs);
    expect((made?.outs as Record<string, unknown>).stdout).toBe("created");
    const updated = await p.update?.(made?.id ?? "", URN("c"), { ...inputs, stdout: "created" }, { ...inputs, update: 'echo "was $PULUMI_COMMAND_STDOUT"' });
    expect((updated?.outs as Record<string, unknown>).stdout).toBe("was created");
    await p.delete?.(made?.id ?? "", URN("c"), { ...inputs, stdout: "was created" });
    expect(fs.readFileSync(file, "utf8")).toBe("was created\n");
  });

  it("decrypts secret inputs for the command and fails the step with the command's error", async () => {
    const p = command();
    const made = await p.create?.(URN("s"), { create: wrapSecret("echo $0"), dir });
    expect((made?.outs as Record<string, unknown>).stdout).toBe("/bin/sh");
    await expect(p.create?.(URN("f"), { create: "exit 4", dir })).rejects.toThrow('exit status 4: running "exit 4"');
    const log = fs.readFileSync(path.join(dir, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { name: string; done?: number });
    expect(log.filter((e) => e.done !== undefined).map((e) => `${e.name}:${e.done}`)).toEqual(["s:0", "f:1"]);
  });
});
