import { readFileSync } from "fs";
import { join } from "path";

/** The text of a script shipped in cloud-init/scripts/, exactly as it is installed. */
export function readScript(name: string): string {
  return readFileSync(join(__dirname, "scripts", name), "utf8");
}
