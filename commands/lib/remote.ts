/**
 * Running one command on the deployed server over the tailnet, for `npm run pair` and
 * `npm run verify`: the stack's outputs from the Pulumi CLI, the deploy key in a private
 * temporary file (0600 in a 0700 directory) for the one ssh call, removed afterwards, also
 * when the run is interrupted. ssh accepts only the server's own host key (sshHostKey).
 */
import { spawn, spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ADMIN_USER } from "../../cloud-init";
import { pinnedSshOptions } from "../../components/local/ssh-pin";

/** `--stack NAME` taken out of the arguments. */
export function stackOption(argv: readonly string[]): { stack?: string; rest: string[] } {
  const at = argv.indexOf("--stack");
  if (at < 0) return { rest: [...argv] };
  return { stack: argv[at + 1], rest: argv.filter((_, i) => i !== at && i !== at + 1) };
}

/** ssh's arguments for one remote command as the admin user; `pin` from ssh-pin.js. */
export function sshArgs(keyFile: string, host: string, remote: readonly string[], pin: readonly string[]): string[] {
  // No ssh_config (-F /dev/null) and no shared connection: the user's config could send the
  // session through a ProxyCommand, or over a ControlMaster already open to another machine,
  // where the pinned host key is never checked.
  return ["-F", "/dev/null", "-o", "ControlPath=none", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", ...pin, `${ADMIN_USER}@${host}`, ...remote];
}

/**
 * Runs `remote` on the stack's server; resolves to ssh's exit code (1 when the stack cannot
 * be read). With `capture`, stdout is returned instead of shown.
 */
export async function onServer(stack: string | undefined, remote: readonly string[], capture = false): Promise<{ code: number; stdout: string }> {
  const out = spawnSync("pulumi", ["stack", "output", "--json", "--show-secrets", ...(stack ? ["--stack", stack] : [])], { encoding: "utf8" });
  if (out.error && (out.error as NodeJS.ErrnoException).code === "ENOENT") {
    console.error("the Pulumi CLI (pulumi) is not on PATH: install it (https://www.pulumi.com/docs/install/) and log in to the stack's backend");
    return { code: 1, stdout: "" };
  }
  if (out.status !== 0) {
    console.error(`pulumi stack output failed: ${out.stderr || out.error?.message}`);
    return { code: 1, stdout: "" };
  }
  const outputs = JSON.parse(out.stdout) as { tailnetHost?: string; deployPrivateKey?: string; sshHostKey?: string };
  if (!outputs.tailnetHost || !outputs.deployPrivateKey) {
    console.error("the stack has no tailnetHost or deployPrivateKey output: has it been deployed?");
    return { code: 1, stdout: "" };
  }
  if (!outputs.sshHostKey) {
    console.error("the stack has no sshHostKey output: it was deployed before host keys were pinned; run `pulumi up` (see docs/operations.md)");
    return { code: 1, stdout: "" };
  }
  const dir = mkdtempSync(join(tmpdir(), "openclaw-vps-"));
  const keyFile = join(dir, "deploy-key");
  writeFileSync(keyFile, outputs.deployPrivateKey, { mode: 0o600 });
  const pin = pinnedSshOptions(dir, outputs.tailnetHost, outputs.sshHostKey);
  const ssh = spawn("ssh", sshArgs(keyFile, outputs.tailnetHost, remote, pin), { stdio: ["inherit", capture ? "pipe" : "inherit", "inherit"] });
  let stdout = "";
  ssh.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  // Interrupted (Ctrl-C, a closed terminal, kill): ssh is stopped and the key removed first.
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const onSignal = (signal: NodeJS.Signals) => {
    ssh.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
    process.exit(signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 129);
  };
  for (const s of signals) process.on(s, onSignal);
  try {
    const code = await new Promise<number>((resolve) => {
      ssh.on("error", (err) => {
        console.error(`could not run ssh: ${err.message}`);
        resolve(1);
      });
      ssh.on("close", (c) => resolve(c ?? 1));
    });
    return { code, stdout };
  } finally {
    for (const s of signals) process.off(s, onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}
