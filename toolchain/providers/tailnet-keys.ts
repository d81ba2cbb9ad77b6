/**
 * Auth keys minted in the rehearsal's tailnet (rehearsal/standins/tailnet.py), for the
 * tailscale stand-in's TailnetKey: the real provider asks the Tailscale API for a key with
 * the resource's tags, expiry and reusability; here the tailnet's own tool mints it, under
 * the same lock the host's join and the API take, so the key the engine stores is the one
 * the server joins with, once.
 */
import { execFile } from "child_process";
import { join } from "path";

const TAILNET = join(__dirname, "..", "..", "rehearsal", "standins", "tailnet.py");

export interface MintedKey {
  readonly id: string;
  readonly key: string;
  readonly created: string;
  readonly expires: string;
}

export class TailnetKeys {
  private constructor(private readonly state: string) {}

  static fromEnv(env: NodeJS.ProcessEnv): TailnetKeys | undefined {
    return env.OPENCLAW_VPS_TAILNET ? new TailnetKeys(env.OPENCLAW_VPS_TAILNET) : undefined;
  }

  /** A key for a TailnetKey's inputs (tags, expiry in seconds, reusable, ephemeral, description). */
  async mint(inputs: Record<string, unknown>): Promise<MintedKey> {
    const tags = Array.isArray(inputs.tags) ? (inputs.tags as string[]) : [];
    const args = ["mint", this.state, "--tags", tags.join(","), "--expiry", String(typeof inputs.expiry === "number" ? inputs.expiry : 7776000)];
    if (inputs.reusable === true) args.push("--reusable");
    if (inputs.ephemeral === true) args.push("--ephemeral");
    if (typeof inputs.description === "string") args.push("--description", inputs.description);
    return JSON.parse(await tailnet(args)) as MintedKey;
  }

  async remove(id: string): Promise<void> {
    await tailnet(["delete-key", this.state, id]);
  }
}

function tailnet(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("python3", [TAILNET, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`the tailnet refused: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}
