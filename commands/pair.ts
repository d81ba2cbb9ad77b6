/**
 * npm run pair -- telegram [CODE]        list Telegram pairing requests, or approve one
 * npm run pair -- devices [REQUEST_ID]   list device pairing requests, or approve one
 *   [--stack NAME]
 *
 * Runs OpenClaw's pairing commands on the server over the tailnet, with the deploy key
 * from the stack outputs (commands/lib/remote.ts: a private temporary file for the one ssh
 * call, removed afterwards, also on Ctrl-C).
 */
import { GATEWAY_USER } from "../cloud-init";
import { onServer, stackOption } from "./lib/remote";

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

/** The remote side: OpenClaw as the gateway's account. */
export function remoteCommand(command: readonly string[]): string[] {
  return ["sudo", "-u", GATEWAY_USER, "-H", "openclaw", ...command];
}

async function main(argv: string[]): Promise<number> {
  const { stack, rest } = stackOption(argv);
  const command = pairingCommand(rest);
  if (typeof command === "string") {
    console.error(command);
    return 2;
  }
  return (await onServer(stack, remoteCommand(command))).code;
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
