/**
 * Where this program's local commands (scripts/*.js) run. From this repository's root the
 * command provider's working directory already holds scripts/, and `dir` stays unset, as
 * stacks deployed before the package existed recorded it. A program that uses the package
 * from elsewhere (another project, `pulumi package add`) runs them in the package's root.
 */
import * as path from "path";

/** The package's root: the directory holding scripts/. */
export const PACKAGE_ROOT = path.resolve(__dirname, "..");

export function localCommandDir(cwd: string = process.cwd()): string | undefined {
  return path.resolve(cwd) === PACKAGE_ROOT ? undefined : PACKAGE_ROOT;
}

/**
 * Each local command's options: `dir` is ignored after creation because the package's path
 * differs between machines (a laptop, CI), and a changed input re-runs a local command's
 * create: re-adopting a tailnet device that is no longer new fails. A replacement takes the
 * current path.
 */
export const LOCAL_COMMAND_IGNORE = ["dir"];
