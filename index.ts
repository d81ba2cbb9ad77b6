/**
 * openclaw-vps: a private OpenClaw gateway on a rented server. Pulumi runs this file;
 * its exports are the stack outputs. See program.ts for what is built.
 */
import { build } from "./program";

export = build().outputs;
