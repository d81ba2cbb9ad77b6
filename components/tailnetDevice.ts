/**
 * Removes the server's device from the tailnet when the server is destroyed or replaced, so
 * no stale `openclaw`, `openclaw-1`, … machines pile up. Only with Tailscale API credentials:
 * without them, docs/operations.md says what to remove by hand.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type * as tailscale from "@pulumi/tailscale";
import type { ProviderCredentials } from "../config";

export interface TailnetDeviceCleanupArgs {
  /** The server's device, as the Tailscale API reports it. */
  readonly device: pulumi.Output<tailscale.GetDeviceResult>;
  /** Credentials for the API call; absent ones come from this machine's environment. */
  readonly credentials: ProviderCredentials;
}

export class TailnetDeviceCleanup extends pulumi.ComponentResource {
  constructor(name: string, args: TailnetDeviceCleanupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openclaw-vps:tailnet:TailnetDeviceCleanup", name, {}, opts);
    const c = args.credentials;
    // Credentials reach the script through its environment (this machine only, never SSH),
    // and the environment is kept secret in state.
    const environment: Record<string, pulumi.Input<string>> = {};
    if (c.tailscaleApiKey) environment.TAILSCALE_API_KEY = c.tailscaleApiKey;
    if (c.tailscaleOauthClientId) environment.TAILSCALE_OAUTH_CLIENT_ID = c.tailscaleOauthClientId;
    if (c.tailscaleOauthClientSecret) environment.TAILSCALE_OAUTH_CLIENT_SECRET = c.tailscaleOauthClientSecret;
    new command.local.Command(
      `${name}-remove`,
      {
        // Remembers which device to remove: a new server means a new device, so this is
        // replaced, and the old device removed.
        create: pulumi.interpolate`echo ${args.device.nodeId}`,
        delete: pulumi.interpolate`node scripts/tailscale-device.js delete ${args.device.nodeId}`,
        environment: pulumi.secret(environment),
        addPreviousOutputInEnv: false,
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
