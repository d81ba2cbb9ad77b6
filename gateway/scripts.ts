import { readFileSync } from "fs";
import { join } from "path";

/** The text of a script shipped in gateway/scripts/, exactly as it is installed. */
export function readGatewayScript(name: string): string {
  return readFileSync(join(__dirname, "scripts", name), "utf8");
}
