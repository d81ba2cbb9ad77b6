/**
 * The configurations whose artifacts the conformance checks render with
 * `npm run plan -- --out DIR`: both clouds, with and without Telegram, both sandbox networks,
 * with and without off-site backups.
 */
import { join } from "path";
import { plan, tempDir, writeStackFile } from "../helpers/planCli";

export interface Rendered {
  readonly name: string;
  readonly dir: string;
}

const secure = "\n    secure: v1:conformance:placeholder";

export const MATRIX: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "hetzner-telegram-none": {
    "openclaw-vps:cloud": "hetzner",
    "openclaw-vps:tailnet": "tail1234.ts.net",
    "openclaw-vps:tailscaleAuthKey": secure,
    "openclaw-vps:telegramBotToken": secure,
    "openclaw-vps:telegramOwnerId": '"123456789"',
    "openclaw-vps:anthropicApiKey": secure,
  },
  "hetzner-bridge": {
    "openclaw-vps:cloud": "hetzner",
    "openclaw-vps:tailnet": "tail1234.ts.net",
    "openclaw-vps:tailscaleAuthKey": secure,
    "openclaw-vps:sandboxNetwork": "bridge",
    // Off-site backups, restored from on a rebuild: their script and unit are checked too.
    "openclaw-vps:offsiteBackupEndpoint": "https://fsn1.your-objectstorage.com",
    "openclaw-vps:offsiteBackupBucket": "claw-backups",
    "openclaw-vps:offsiteBackupAccessKey": secure,
    "openclaw-vps:offsiteBackupSecretKey": secure,
    "openclaw-vps:offsiteBackupAgeIdentity": secure,
    "openclaw-vps:restoreOnRebuild": "true",
    "openclaw-vps:restoreFrom": "offsite",
  },
  "digitalocean-none": {
    "openclaw-vps:cloud": "digitalocean",
    "openclaw-vps:tailnet": "tail1234.ts.net",
    "tailscale:apiKey": secure,
  },
  "digitalocean-telegram-allowlist-bridge": {
    "openclaw-vps:cloud": "digitalocean",
    "openclaw-vps:tailnet": "example-tailnet.ts.net",
    "openclaw-vps:hostname": "claw",
    "openclaw-vps:tailscaleAuthKey": secure,
    "openclaw-vps:telegramBotToken": secure,
    "openclaw-vps:telegramOwnerId": '"987654321"',
    "openclaw-vps:telegramDmPolicy": "allowlist",
    "openclaw-vps:sandboxNetwork": "bridge",
    "openclaw-vps:openaiApiKey": secure,
  },
};

/** Renders every configuration's artifacts; fails if the plan does. */
export async function renderMatrix(): Promise<Rendered[]> {
  const root = tempDir("openclaw-vps-conformance-");
  const rendered: Rendered[] = [];
  for (const [name, entries] of Object.entries(MATRIX)) {
    const dir = join(root, name);
    const result = await plan("--config", writeStackFile(entries), "--out", dir);
    if (result.code !== 0) throw new Error(`plan for ${name} failed (${result.code}):\n${result.stderr}`);
    rendered.push({ name, dir });
  }
  return rendered;
}

/** A stack with coding on (docs/coding.md), for the checks of what coding adds. */
export const CODING_STACK: Readonly<Record<string, string>> = {
  "openclaw-vps:tailnet": "tail1234.ts.net",
  "openclaw-vps:tailscaleAuthKey": secure,
  "openclaw-vps:telegramBotToken": secure,
  "openclaw-vps:telegramCoderBotToken": secure,
  "openclaw-vps:telegramOwnerId": '"123456789"',
  "openclaw-vps:telegramDmPolicy": "allowlist",
  "openclaw-vps:anthropicApiKey": secure,
  "openclaw-vps:coding": "true",
  "openclaw-vps:githubToken": secure,
  "openclaw-vps:githubReadToken": secure,
  "openclaw-vps:gitAuthorName": "Ada Lovelace",
  "openclaw-vps:gitAuthorEmail": "ada@example.com",
  "openclaw-vps:codingRepositories": "\n    - me/app",
};

/** Renders the coding stack's artifacts into a fresh directory; fails if the plan does. */
export async function renderCoding(): Promise<string> {
  const dir = join(tempDir("openclaw-vps-conformance-"), "coding");
  const result = await plan("--config", writeStackFile(CODING_STACK), "--out", dir);
  if (result.code !== 0) throw new Error(`plan with coding on failed (${result.code}):\n${result.stderr}`);
  return dir;
}
