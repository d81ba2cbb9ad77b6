/**
 * npm run pair -- telegram [CODE]        list Telegram pairing requests, or approve one
 * npm run pair -- devices [REQUEST_ID]   list device pairing requests, or approve one
 *   [--stack NAME]
 *
 * Runs OpenClaw's pairing commands on the server over the tailnet, with the deploy key
 * from the stack outputs. The key is written to a private temporary file (0600 in a 0700
 * directory) for the one ssh call and removed afterwards.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ADMIN_USER, GATEWAY_USER } from "../cloud-init";

export const USAGE = `usage: npm run pair -- telegram [CODE] | devices [REQUEST_ID] [--stack NAME]`;

/** The OpenClaw command to run on the server, or an error message for bad arguments. */
export function pairingCommand(args: readonly string[]): string[] | string {
  const [what, id, ...rest] = args;
  if (rest.length > 0) return USAGE;
  switch (what) {
    case "telegram":
      if (id === undefined) return ["pairing", "list", "telegram"];
      // Codes are 8 letters and digits; anything else is refused before it reaches a shell.
      return /^[A-Za-z0-9]{8}$/.test(id) ? ["pairing", "approve", "telegram", id.toUpperCase()] : `not a pairing code: ${id}`;
    case "devices":
      if (id === undefined) return ["devices", "list"];
      return /^[A-Za-z0-9_-]{1,128}$/.test(id) ? ["devices", "approve", id] : `not a device request id: ${id}`;
    default:
      return USAGE;
  }
}

/** ssh's arguments: the remote side runs OpenClaw as the gateway's account. */
export function sshArgs(keyFile: string, host: string, command: readonly string[]): string[] {
  return [
    "-i", keyFile,
    "-o", "IdentitiesOnly=yes",
    "-o", "BatchMode=yes",
    `${ADMIN_USER}@${host}`,
    "sudo", "-u", GATEWAY_USER, "-H", "openclaw", ...command,
  ];
}

function main(argv: string[]): number {
  const stackAt = argv.indexOf("--stack");
  const stack = stackAt >= 0 ? argv[stackAt + 1] : undefined;
  const args = stackAt >= 0 ? argv.filter((_, i) => i !== stackAt && i !== stackAt + 1) : argv;
  const command = pairingCommand(args);
  if (typeof command === "string") {
    console.error(command);
    return 2;
  }
  const out = spawnSync("pulumi", ["stack", "output", "--json", "--show-secrets", ...(stack ? ["--stack", stack] : [])], {
    encoding: "utf8",
  });
  if (out.status !== 0) {
    console.error(`pulumi stack output failed: ${out.stderr || out.error?.message}`);
    return 1;
  }
  const outputs = JSON.parse(out.stdout) as { tailnetHost?: string; deployPrivateKey?: string };
  if (!outputs.tailnetHost || !outputs.deployPrivateKey) {
    console.error("the stack has no tailnetHost or deployPrivateKey output: has it been deployed?");
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), "openclaw-vps-pair-"));
  try {
    const keyFile = join(dir, "deploy-key");
    writeFileSync(keyFile, outputs.deployPrivateKey, { mode: 0o600 });
    const ssh = spawnSync("ssh", sshArgs(keyFile, outputs.tailnetHost, command), { stdio: "inherit" });
    return ssh.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
