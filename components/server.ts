/**
 * The server: Ubuntu 24.04 behind the deny-all firewall from its first boot, with the
 * deploy key registered (so no root password exists) and the cloud-init document as
 * secret user data.
 */
import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import * as digitalocean from "@pulumi/digitalocean";
import type { CloudTarget } from "./providers";
import type { DenyAllFirewall } from "./firewall";

export const IMAGES = { hetzner: "ubuntu-24.04", digitalocean: "ubuntu-24-04-x64" } as const;

export interface ServerArgs {
  /** Which cloud, with its explicit provider. */
  readonly target: CloudTarget;
  /** The server's name in the cloud console, the same as its tailnet machine name. */
  readonly hostname: string;
  /** Server type or droplet size. */
  readonly serverType: string;
  /** Location or region. */
  readonly location: string;
  /** The cloud's automatic backups. */
  readonly backups: boolean;
  /** Protect from deletion, in Pulumi and (Hetzner) in the cloud. */
  readonly protect: boolean;
  /** The firewall the server is created behind. */
  readonly firewall: DenyAllFirewall;
  /** The deploy key as the cloud knows it. */
  readonly sshKeyRef: pulumi.Input<string>;
  /** The cloud-init document; secret. */
  readonly userData: pulumi.Output<string>;
  /** The server generation (components/rebuildGuard.ts): a new one replaces the server. */
  readonly generation: pulumi.Input<string>;
  /** Hetzner labels identifying the stack. */
  readonly labels: Readonly<Record<string, string>>;
}

export class Server extends pulumi.ComponentResource {
  /** The cloud's id for the server. */
  public readonly serverId: pulumi.Output<string>;
  /** Public IPv4, for the provider's console only: nothing listens on it. */
  public readonly publicIpv4: pulumi.Output<string>;

  constructor(name: string, args: ServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openclaw-vps:compute:Server", name, {}, opts);
    const common: pulumi.CustomResourceOptions = {
      parent: this,
      protect: args.protect, // from config: blocks an accidental destroy or replacement
      // A new auth key (minted per server, or rotated in config), operator key or template
      // must never replace a running server: user data only matters at first boot, and later
      // changes go over SSH. A replacement is still created from the current document.
      ignoreChanges: ["userData"],
      // A new server generation (a bumped serverGeneration with every other input the same)
      // does replace it (components/rebuildGuard.ts).
      replacementTrigger: args.generation,
      // State keeps user data encrypted even if a caller passed it in the clear.
      additionalSecretOutputs: ["userData"],
      // The firewall must exist before the server so that it is attached at creation.
      dependsOn: [args.firewall.firewall],
      // Names are unique per project and per tailnet: the old server must go first.
      deleteBeforeReplace: true,
    };
    const target = args.target;
    const attachment = args.firewall.attachment;
    switch (target.cloud) {
      case "hetzner": {
        if (attachment.cloud !== "hetzner") throw new Error("firewall and server are on different clouds");
        const server = new hcloud.Server(
          `${name}-hcloud`,
          {
            name: args.hostname,
            serverType: args.serverType,
            image: IMAGES.hetzner,
            location: args.location,
            backups: args.backups,
            firewallIds: [attachment.firewallId],
            sshKeys: [args.sshKeyRef],
            userData: args.userData,
            publicNets: [{ ipv4Enabled: true, ipv6Enabled: true }],
            labels: { ...args.labels },
            // Hetzner requires both protections to be equal.
            deleteProtection: args.protect,
            rebuildProtection: args.protect,
            shutdownBeforeDeletion: true,
          },
          { ...common, provider: target.provider },
        );
        this.serverId = server.id;
        this.publicIpv4 = server.ipv4Address;
        break;
      }
      case "digitalocean": {
        if (attachment.cloud !== "digitalocean") throw new Error("firewall and server are on different clouds");
        const droplet = new digitalocean.Droplet(
          `${name}-do`,
          {
            name: args.hostname,
            size: args.serverType,
            image: IMAGES.digitalocean,
            region: args.location,
            backups: args.backups,
            ipv6: true,
            tags: [attachment.tag],
            sshKeys: [args.sshKeyRef],
            userData: args.userData,
            gracefulShutdown: true,
          },
          { ...common, provider: target.provider },
        );
        this.serverId = droplet.id;
        this.publicIpv4 = droplet.ipv4Address;
        break;
      }
      default: {
        const unknown: never = target;
        throw new Error(`unknown cloud ${JSON.stringify(unknown)}`);
      }
    }
    this.registerOutputs({ serverId: this.serverId, publicIpv4: this.publicIpv4 });
  }
}
