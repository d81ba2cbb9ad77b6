import { readFileSync } from "fs";
import { join } from "path";

/** The text of a script shipped in gateway/scripts/, exactly as it is installed. */
export function readGatewayScript(name: string): string {
  return readFileSync(join(__dirname, "scripts", name), "utf8");
}

/** The coder gate plugin's files (gateway/plugins/coder-gate), exactly as they are installed. */
export const CODER_PLUGIN_FILES = ["openclaw.plugin.json", "package.json", "index.mjs", "gate.cjs"] as const;
export function readCoderPluginFile(name: (typeof CODER_PLUGIN_FILES)[number]): string {
  return readFileSync(join(__dirname, "plugins", "coder-gate", name), "utf8");
}
