/**
 * Nothing attaches the server to another firewall or network: the deny-all firewall it is
 * created behind is its only one, and its only way in is the tailnet.
 *
 * - A Hetzner firewall attachment puts a firewall (any firewall, with any inbound rule) onto
 *   servers by id or label, after their creation and outside the server's own inputs.
 * - A private network (Hetzner networks, subnets, routes and server attachments, a server's
 *   own `networks`; DigitalOcean VPCs and their peerings) reaches the server from other
 *   machines: Hetzner's cloud firewall does not filter private network traffic at all.
 * - A DigitalOcean project assignment moves the droplet or its firewall into a project others
 *   manage, where they are changed outside this stack.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, elements } from "../known";

/** The types, and what each does to the server. */
export const SERVER_ATTACHMENTS: Readonly<Record<string, string>> = {
  "hcloud:index/firewallAttachment:FirewallAttachment": "a Hetzner firewall attachment: it puts a firewall of any rules onto servers by id or label",
  "hcloud:index/serverNetwork:ServerNetwork": "a Hetzner private network attachment of a server, which the cloud firewall does not filter",
  "hcloud:index/network:Network": "a Hetzner private network, which the cloud firewall does not filter",
  "hcloud:index/networkSubnet:NetworkSubnet": "a Hetzner private network subnet",
  "hcloud:index/networkRoute:NetworkRoute": "a Hetzner private network route, which sends a network's traffic through a server",
  "digitalocean:index/vpc:Vpc": "a DigitalOcean VPC, a private network to the droplet",
  "digitalocean:index/vpcPeering:VpcPeering": "a DigitalOcean VPC peering, which joins another network to the droplet's",
  "digitalocean:index/projectResources:ProjectResources": "a DigitalOcean project assignment, which hands the droplet or its firewall to a project managed outside this stack",
};

export const noServerNetworking: ResourceValidationPolicy = {
  name: "no-server-networking",
  description: "No firewall attachment, private network, VPC or project assignment: the server's only firewall is the deny-all one it is created behind, its only way in the tailnet.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const what = SERVER_ATTACHMENTS[args.type];
    if (what !== undefined) {
      reportViolation(`${args.name} is ${what}; the server's only firewall is the deny-all one it is created behind, and its only way in is the tailnet`);
      return;
    }
    if (args.type === "hcloud:index/server:Server") {
      const networks = elements(args.props, "networks");
      if (networks === UNKNOWN || (networks !== undefined && networks.length > 0)) {
        reportViolation(`${args.name} is attached to a Hetzner private network (its networks property), which the cloud firewall does not filter; it must have none`);
      }
    }
  },
};
