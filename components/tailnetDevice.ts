/**
 * The server's own device on the tailnet, found by identity and held for cleanup. Only with
 * Tailscale API credentials: without them, the server is reached by its MagicDNS name and
 * docs/operations.md says what to remove by hand.
 *
 * One local command per server (its trigger is the server's id): `adopt` waits for the
 * device the new server registers (hostname, every stack tag, registered after the run
 * started: never an older namesake) and prints it; on replacement or destroy, `delete`
 * removes exactly the node `adopt` printed. The old device goes before the new one is
 * adopted (deleteBeforeReplace), so the new server can take its name back.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { ProviderCredentials } from "../config";
import { LOCAL_COMMAND_IGNORE, helperCommand, localCommandDir } from "./local";

export interface TailnetDeviceArgs {
  /** The cloud's id for the server: a new server means a new device. */
  readonly serverId: pulumi.Input<string>;
  /** The machine name the server registers with. */
  readonly hostname: string;
  /** The ACL tags its key carries. */
  readonly tags: readonly string[];
  /** How long to wait for the device, in seconds. */
  readonly waitSeconds: number;
  /** Credentials for the API calls; absent ones come from this machine's environment. */
  readonly credentials: ProviderCredentials;
}

/** What `adopt` prints, as one JSON line. */
export interface AdoptedDevice {
  readonly id: string;
  readonly nodeId: string;
  readonly name: string;
  readonly address: string;
}

/** The device from `adopt`'s output (its last line). */
export function parseAdopted(stdout: string): AdoptedDevice {
  const last = stdout.trim().split("\n").pop() ?? "";
  const d = JSON.parse(last) as Partial<AdoptedDevice>;
  if (typeof d.address !== "string" || typeof d.nodeId !== "string") throw new Error(`tailnet device: unexpected output ${JSON.stringify(last)}`);
  return d as AdoptedDevice;
}

export class TailnetDevice extends pulumi.ComponentResource {
  /** The device's tailnet address (100.x): where the gateway steps connect. */
  public readonly address: pulumi.Output<string>;
  /** Tailscale's node id for the device. */
  public readonly nodeId: pulumi.Output<string>;

  constructor(name: string, args: TailnetDeviceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openclaw-vps:tailnet:TailnetDevice", name, {}, opts);
    const c = args.credentials;
    // Credentials reach the script through its environment (this machine only, never SSH),
    // and the environment is kept secret in state.
    const environment: Record<string, pulumi.Input<string>> = {};
    if (c.tailscaleApiKey) environment.TAILSCALE_API_KEY = c.tailscaleApiKey;
    if (c.tailscaleOauthClientId) environment.TAILSCALE_OAUTH_CLIENT_ID = c.tailscaleOauthClientId;
    if (c.tailscaleOauthClientSecret) environment.TAILSCALE_OAUTH_CLIENT_SECRET = c.tailscaleOauthClientSecret;
    const device = new command.local.Command(
      `${name}-node`,
      {
        create: helperCommand("tailscale-device", "adopt", args.hostname, args.tags.join(","), String(args.waitSeconds)),
        // Other inputs while the server stays (a credential, the helper's path, the hostname
        // or tags): the recorded device is kept; adopting again would wait for a new one.
        update: helperCommand("tailscale-device", "recorded", args.hostname, args.tags.join(",")),
        delete: helperCommand("tailscale-device", "delete-recorded"),
        // A new server is a new device: adopt it, and remove the old one.
        triggers: [args.serverId],
        environment: pulumi.secret(environment),
        // The delete reads the adopted node from PULUMI_COMMAND_STDOUT (a local command only:
        // nothing here goes over SSH).
        addPreviousOutputInEnv: true,
        dir: localCommandDir(),
      },
      // The old node must leave the tailnet before the new one claims its name.
      { parent: this, deleteBeforeReplace: true, ignoreChanges: LOCAL_COMMAND_IGNORE },
    );
    const adopted = device.stdout.apply(parseAdopted);
    this.address = adopted.apply((d) => d.address);
    this.nodeId = adopted.apply((d) => d.nodeId);
    this.registerOutputs({ address: this.address, nodeId: this.nodeId });
  }
}
