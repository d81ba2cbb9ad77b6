/** No cloud firewall may allow anything inbound: the server is reached over the tailnet only. */
import * as digitalocean from "@pulumi/digitalocean";
import * as hcloud from "@pulumi/hcloud";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

export const noInboundFirewallRules: ResourceValidationPolicy = {
  name: "no-inbound-firewall-rules",
  description: "Cloud firewalls must have no inbound rule: nothing is reachable from the internet.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(hcloud.Firewall, (fw, _args, reportViolation) => {
      const inbound = (fw.rules ?? []).filter((r) => r.direction !== "out");
      if (inbound.length > 0) {
        reportViolation(`hcloud firewall has ${inbound.length} inbound rule(s) (ports ${inbound.map((r) => r.port ?? r.protocol).join(", ")}); it must have none`);
      }
    }),
    validateResourceOfType(digitalocean.Firewall, (fw, _args, reportViolation) => {
      const inbound = fw.inboundRules ?? [];
      if (inbound.length > 0) {
        reportViolation(`DigitalOcean firewall has ${inbound.length} inbound rule(s); it must have none`);
      }
    }),
  ],
};
