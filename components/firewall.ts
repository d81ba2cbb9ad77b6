/**
 * The cloud firewall: nothing inbound, from anywhere, on any port. The server is reached
 * only over Tailscale, whose connections are outbound from the server, so no inbound
 * rule is ever needed. There is deliberately no argument that could add one.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as hcloud from "@pulumi/hcloud";
import * as digitalocean from "@pulumi/digitalocean";
import type { CloudTarget } from "./providers";
import { digitaloceanTag } from "./labels";

/**
 * DigitalOcean blocks whatever a firewall does not allow, in both directions, and refuses
 * a firewall without rules: so outbound is allowed explicitly and inbound stays empty.
 */
export function digitaloceanOutboundAllowAll(): digitalocean.types.input.FirewallOutboundRule[] {
  const everywhere = ["0.0.0.0/0", "::/0"];
  return [
    { protocol: "tcp", portRange: "1-65535", destinationAddresses: [...everywhere] },
    { protocol: "udp", portRange: "1-65535", destinationAddresses: [...everywhere] },
    { protocol: "icmp", destinationAddresses: [...everywhere] },
  ];
}

export interface DenyAllFirewallArgs {
  /** Which cloud, with its explicit provider. */
  readonly target: CloudTarget;
  /** Hetzner labels identifying the stack. */
  readonly labels: Readonly<Record<string, string>>;
  /** The project and stack, for the DigitalOcean tag that binds the firewall to the droplet. */
  readonly project: string;
  readonly stack: string;
}

/** How a server attaches to this firewall at creation. */
export type FirewallAttachment =
  | { readonly cloud: "hetzner"; readonly firewallId: pulumi.Output<number> }
  | { readonly cloud: "digitalocean"; readonly tag: pulumi.Output<string> };

export class DenyAllFirewall extends pulumi.ComponentResource {
  /** What the server needs to be created behind this firewall. */
  public readonly attachment: FirewallAttachment;
  /** The cloud resource, for dependencies. */
  public readonly firewall: pulumi.CustomResource;

  constructor(name: string, args: DenyAllFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openclaw-vps:network:DenyAllFirewall", name, {}, opts);
    const target = args.target;
    switch (target.cloud) {
      case "hetzner": {
        // Zero rules: Hetzner drops all inbound and allows all outbound.
        const fw = new hcloud.Firewall(
          `${name}-hcloud`,
          { labels: { ...args.labels }, rules: [] },
          { parent: this, provider: target.provider },
        );
        this.firewall = fw;
        // hcloud ids travel as numbers on the wire.
        this.attachment = { cloud: "hetzner", firewallId: fw.id.apply(Number) };
        break;
      }
      case "digitalocean": {
        // A tag on both firewall and droplet applies the firewall the moment the droplet exists.
        // Chosen once per deployment and kept in state: stable across runs, unique per account.
        const suffix = new random.RandomId(`${name}-tag-suffix`, { byteLength: 4 }, { parent: this });
        const tagName = suffix.hex.apply((hex) => digitaloceanTag(args.project, args.stack, hex));
        const tag = new digitalocean.Tag(`${name}-tag`, { name: tagName }, { parent: this, provider: target.provider });
        const fw = new digitalocean.Firewall(
          `${name}-do`,
          {
            inboundRules: [],
            outboundRules: digitaloceanOutboundAllowAll(),
            tags: [tag.id],
          },
          { parent: this, provider: target.provider },
        );
        this.firewall = fw;
        this.attachment = { cloud: "digitalocean", tag: tag.id };
        break;
      }
      default: {
        const unknown: never = target;
        throw new Error(`unknown cloud ${JSON.stringify(unknown)}`);
      }
    }
    this.registerOutputs({ attachment: this.attachment });
  }
}
