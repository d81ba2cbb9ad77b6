/**
 * The program's local helpers: the Node.js scripts in this directory that `pulumi up` runs
 * on the operator's machine, as pulumi-command local commands, never on the server:
 *
 *   tailscale-device.js  adopts the server's tailnet device, removes it with the stack
 *                        (components/tailnetDevice.ts)
 *   tailnet-policy.js    adds the entries the deployment needs to the tailnet policy
 *                        (components/tailnetPolicy.ts)
 *   wait-for-host.js     waits for SSH with the pinned host key (components/gateway.ts)
 *   carry-state.js       carries the gateway's state to a rebuilt server (components/gateway.ts)
 *   check-drift.js       runs the server's drift check for the drift check's diff
 *                        (components/driftCheck.ts), by absolute path: that diff runs in the
 *                        dynamic provider host or the package's plugin, not in a command
 *   ssh-pin.js, tailscale-api.js  what they share (also used by the operator's commands)
 *
 * Every component names its helper through `helperCommand`: this module is the one place
 * that knows where they are. Commands run in the package's root: from this repository's
 * root the provider's working directory already is that, and `dir` stays unset (as stacks
 * deployed before the package existed recorded it); a program that uses the package from
 * elsewhere (another project, `pulumi package add`) sets `dir` to the package's root.
 */
import * as path from "path";
import { shellCommand } from "../../cloud-init/shell";

/** The package's root: the directory the helpers' paths are relative to. */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");

/** Where the helpers are, relative to the package's root. */
export const HELPERS_DIR = "components/local";

/** The helpers components run. */
export type Helper = "tailscale-device" | "tailnet-policy" | "wait-for-host" | "carry-state" | "check-drift";

/** A helper's path relative to the package's root, as its commands name it. */
export function helperPath(helper: Helper): string {
  return `${HELPERS_DIR}/${helper}.js`;
}

/** The command that runs a helper with arguments (quoted only where the shell needs it). */
export function helperCommand(helper: Helper, ...args: readonly string[]): string {
  return shellCommand(["node", helperPath(helper), ...args]);
}

export function localCommandDir(cwd: string = process.cwd()): string | undefined {
  return path.resolve(cwd) === PACKAGE_ROOT ? undefined : PACKAGE_ROOT;
}

/**
 * Each local command's options: `dir` is ignored after creation because the package's path
 * differs between machines (a laptop, CI), and a changed input re-runs a local command's
 * create: re-adopting a tailnet device that is no longer new fails. A replacement takes the
 * current path. (The commands' other inputs may change without re-running anything that
 * must not run twice: each command that holds a record has an `update` that keeps it.)
 */
export const LOCAL_COMMAND_IGNORE = ["dir"];
