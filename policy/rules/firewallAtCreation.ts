/**
 * Every server is created behind a firewall with no inbound rule: Hetzner servers through
 * `firewallIds`, droplets through a tag that such a firewall applies to. Checked through
 * property dependencies, so it holds in a preview, before any id is known.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

const HCLOUD_SERVER = "hcloud:index/server:Server";
const HCLOUD_FIREWALL = "hcloud:index/firewall:Firewall";
const DROPLET = "digitalocean:index/droplet:Droplet";
const DO_FIREWALL = "digitalocean:index/firewall:Firewall";

function denyAll(fw: PolicyResource): boolean {
  if (fw.type === HCLOUD_FIREWALL) return ((fw.props.rules ?? []) as { direction?: string }[]).every((r) => r.direction === "out");
  if (fw.type === DO_FIREWALL) return ((fw.props.inboundRules ?? []) as unknown[]).length === 0;
  return false;
}

export const firewallAtCreation: StackValidationPolicy = {
  name: "deny-all-firewall-at-creation",
  description: "Every server and droplet is created behind a deny-all cloud firewall.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    for (const server of args.resources.filter((r) => r.type === HCLOUD_SERVER)) {
      const firewalls = (server.propertyDependencies.firewallIds ?? []).filter((r) => r.type === HCLOUD_FIREWALL);
      if (firewalls.length === 0) reportViolation("the Hetzner server is not created with a firewall (firewallIds)", server.urn);
      else if (!firewalls.every(denyAll)) reportViolation("the Hetzner server's firewall allows inbound traffic", server.urn);
    }
    for (const droplet of args.resources.filter((r) => r.type === DROPLET)) {
      const tags = new Set((droplet.propertyDependencies.tags ?? []).map((t) => t.urn));
      const guarding = args.resources.filter(
        (r) => r.type === DO_FIREWALL && (r.propertyDependencies.tags ?? []).some((t) => tags.has(t.urn)),
      );
      if (guarding.length === 0) reportViolation("the droplet carries no tag of a cloud firewall", droplet.urn);
      else if (!guarding.every(denyAll)) reportViolation("the droplet's firewall allows inbound traffic", droplet.urn);
    }
  },
};
