/**
 * No cloud firewall may allow anything inbound: the server is reached over the tailnet only.
 *
 * Read through policy/known.ts: a rule list, a rule or a rule's direction the preview does not
 * know yet is a violation (it cannot be shown to be outbound), never a reason to give up. An
 * unknown port only leaves the message without it: an inbound rule fails whatever its port.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, elements, read } from "../known";

const HCLOUD_FIREWALL = "hcloud:index/firewall:Firewall";
const DO_FIREWALL = "digitalocean:index/firewall:Firewall";

/** What stands in a message for a value not known yet. */
const shown = (v: unknown) => (v === UNKNOWN ? "not known yet" : String(v));

function hcloudProblems(props: unknown): string[] {
  const rules = elements(props, "rules");
  if (rules === UNKNOWN) return ["hcloud firewall's rules are not known yet (computed): they cannot be shown to hold no inbound rule; give them as literal values"];
  const inbound: string[] = [];
  let undecided = 0;
  for (const rule of rules ?? []) {
    const direction = rule === UNKNOWN ? UNKNOWN : read(rule, "direction");
    if (direction === UNKNOWN) undecided++;
    else if (direction !== "out") {
      const port = read(rule, "port");
      inbound.push(port === undefined ? shown(read(rule, "protocol")) : shown(port));
    }
  }
  return [
    ...(inbound.length > 0 ? [`hcloud firewall has ${inbound.length} inbound rule(s) (ports ${inbound.join(", ")}); it must have none`] : []),
    ...(undecided > 0 ? [`hcloud firewall has ${undecided} rule(s) whose direction is not known yet (computed): each could be inbound; give it as a literal value`] : []),
  ];
}

function digitaloceanProblems(props: unknown): string[] {
  const inbound = elements(props, "inboundRules");
  if (inbound === UNKNOWN) return ["DigitalOcean firewall's inbound rules are not known yet (computed): they cannot be shown to be none; give them as literal values"];
  return inbound !== undefined && inbound.length > 0 ? [`DigitalOcean firewall has ${inbound.length} inbound rule(s); it must have none`] : [];
}

export const noInboundFirewallRules: ResourceValidationPolicy = {
  name: "no-inbound-firewall-rules",
  description: "Cloud firewalls must have no inbound rule: nothing is reachable from the internet.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const problems = args.type === HCLOUD_FIREWALL ? hcloudProblems(args.props) : args.type === DO_FIREWALL ? digitaloceanProblems(args.props) : [];
    for (const p of problems) reportViolation(p);
  },
};
