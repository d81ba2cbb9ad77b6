/**
 * No load balancer on either cloud: it is a public listener that forwards traffic to servers
 * (on Hetzner over the private network, which the cloud firewall does not filter), an
 * inbound path around the deny-all firewall. The gateway is reached over the tailnet only.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";

/** The load balancer types, and what each one is. */
export const LOAD_BALANCERS: Readonly<Record<string, string>> = {
  "hcloud:index/loadBalancer:LoadBalancer": "a Hetzner load balancer",
  "hcloud:index/loadBalancerService:LoadBalancerService": "a Hetzner load balancer service (a listening port)",
  "hcloud:index/loadBalancerTarget:LoadBalancerTarget": "a Hetzner load balancer target (a server it forwards to)",
  "hcloud:index/loadBalancerNetwork:LoadBalancerNetwork": "a Hetzner load balancer's private network attachment",
  "digitalocean:index/loadBalancer:LoadBalancer": "a DigitalOcean load balancer",
};

export const noLoadBalancer: ResourceValidationPolicy = {
  name: "no-load-balancer",
  description: "No load balancer on either cloud: it would be an inbound path around the deny-all firewall.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const what = LOAD_BALANCERS[args.type];
    if (what === undefined) return;
    reportViolation(
      `${args.name} is ${what}: a load balancer takes traffic from the internet to servers, an inbound path around the deny-all firewall; the gateway is reached over the tailnet only`,
    );
  },
};
