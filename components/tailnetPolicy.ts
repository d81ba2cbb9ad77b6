/**
 * The part of the tailnet policy this deployment needs, managed from the stack when
 * `tailnetPolicy` is `managed` or `managed-with-ci` (off by default): owners for the server's
 * tags, and grants to reach it. It is added to the user's policy file line by line, never
 * replacing it (components/local/tailnet-policy.js), and removed with the stack. Only what the policy
 * lacks is added: a tag that already has owners keeps them, an equal grant is not repeated.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { ProviderCredentials } from "../config";
import { LOCAL_COMMAND_IGNORE, helperCommand, localCommandDir } from "./local";

export type TailnetPolicyMode = "unmanaged" | "managed" | "managed-with-ci";

/** What the policy must hold, for `components/local/tailnet-policy.js`. */
export interface WantedPolicy {
  readonly deployment: string;
  readonly tagOwners: Readonly<Record<string, readonly string[]>>;
  readonly grants: readonly { src: string[]; dst: string[]; ip: string[] }[];
}

/**
 * The entries: the server's tags owned by the tailnet's admins; its admins may SSH to it (the
 * deploy's steps, `npm run pair`/`verify`), every member may reach the gateway (HTTPS, Serve).
 * With CI: the tag `tag:ci` too, and CI runners (.github/workflows) may do both.
 */
export function wantedPolicy(deployment: string, tags: readonly string[], mode: Exclude<TailnetPolicyMode, "unmanaged">): WantedPolicy {
  const dst = [...tags];
  const ci = mode === "managed-with-ci";
  return {
    deployment,
    tagOwners: Object.fromEntries([...tags, ...(ci ? ["tag:ci"] : [])].map((t) => [t, ["autogroup:admin"]])),
    grants: [
      { src: ["autogroup:admin"], dst, ip: ["tcp:22"] },
      { src: ["autogroup:member"], dst, ip: ["tcp:443"] },
      ...(ci ? [{ src: ["tag:ci"], dst, ip: ["tcp:22", "tcp:443"] }] : []),
    ],
  };
}

export interface TailnetPolicyArgs {
  readonly want: WantedPolicy;
  /** Credentials for the API calls (scope policy_file); absent ones come from this machine's environment. */
  readonly credentials: ProviderCredentials;
}

export class TailnetPolicy extends pulumi.ComponentResource {
  constructor(name: string, args: TailnetPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openclaw-vps:tailnet:TailnetPolicy", name, {}, opts);
    const c = args.credentials;
    const want = JSON.stringify(args.want);
    // Credentials reach the script through its environment (this machine only), kept secret in state.
    const environment: Record<string, pulumi.Input<string>> = { OPENCLAW_VPS_POLICY_WANT: want };
    if (c.tailscaleApiKey) environment.TAILSCALE_API_KEY = c.tailscaleApiKey;
    if (c.tailscaleOauthClientId) environment.TAILSCALE_OAUTH_CLIENT_ID = c.tailscaleOauthClientId;
    if (c.tailscaleOauthClientSecret) environment.TAILSCALE_OAUTH_CLIENT_SECRET = c.tailscaleOauthClientSecret;
    if (c.tailscaleTailnet) environment.TAILSCALE_TAILNET = c.tailscaleTailnet;
    new command.local.Command(
      `${name}-entries`,
      {
        create: helperCommand("tailnet-policy", "apply"),
        // Other inputs, the same entries (a credential, the helper's path): the record of
        // what was added is kept, and the policy left alone.
        update: helperCommand("tailnet-policy", "recorded"),
        delete: helperCommand("tailnet-policy", "remove"),
        // Other entries (new tags, CI on or off): the old ones go, the new ones are added.
        triggers: [want],
        environment: pulumi.secret(environment),
        // The delete reads what was added from PULUMI_COMMAND_STDOUT (a local command only).
        addPreviousOutputInEnv: true,
        dir: localCommandDir(),
      },
      // The old entries leave first: created first, the new command would find them present,
      // add nothing, and the old one's delete would then take them away.
      { parent: this, deleteBeforeReplace: true, ignoreChanges: LOCAL_COMMAND_IGNORE },
    );
    this.registerOutputs({});
  }
}
