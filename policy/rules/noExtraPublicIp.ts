/**
 * No public address beyond those each server is created with: floating, primary and
 * reserved IPs are resources of their own, which outlive a server and can be moved to any
 * other, including one that was never created behind the deny-all firewall. Each is an
 * inbound path this pack cannot follow, and the server, reached over the tailnet, needs none.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";

/** The address types, and what each one is. */
export const ADDRESSES: Readonly<Record<string, string>> = {
  "hcloud:index/floatingIp:FloatingIp": "a Hetzner floating IP",
  "hcloud:index/floatingIpAssignment:FloatingIpAssignment": "a Hetzner floating IP assignment",
  "hcloud:index/primaryIp:PrimaryIp": "a Hetzner primary IP",
  "digitalocean:index/reservedIp:ReservedIp": "a DigitalOcean reserved IP",
  "digitalocean:index/reservedIpAssignment:ReservedIpAssignment": "a DigitalOcean reserved IP assignment",
  "digitalocean:index/reservedIpv6:ReservedIpv6": "a DigitalOcean reserved IPv6 address",
  "digitalocean:index/reservedIpv6Assignment:ReservedIpv6Assignment": "a DigitalOcean reserved IPv6 assignment",
  "digitalocean:index/floatingIp:FloatingIp": "a DigitalOcean floating IP",
  "digitalocean:index/floatingIpAssignment:FloatingIpAssignment": "a DigitalOcean floating IP assignment",
};

export const noExtraPublicIp: ResourceValidationPolicy = {
  name: "no-extra-public-ip",
  description: "No floating, primary or reserved IP on either cloud: an extra public address would be an inbound path around the deny-all firewall.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const what = ADDRESSES[args.type];
    if (what === undefined) return;
    reportViolation(
      `${args.name} is ${what}: an extra public address, movable to any server, is an inbound path around the deny-all firewall; the server is reached over the tailnet only`,
    );
  },
};
