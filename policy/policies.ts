/**
 * The policies, exported apart from the PolicyPack: constructing a pack starts a server,
 * which tests must not do. One rule per file in rules/.
 */
import { Policies } from "@pulumi/policy";
import { firewallAtCreation } from "./rules/firewallAtCreation";
import { noExtraPublicIp } from "./rules/noExtraPublicIp";
import { noInboundFirewallRules } from "./rules/noInboundFirewallRules";
import { noLoadBalancer } from "./rules/noLoadBalancer";
import { noSecretInCommandLine } from "./rules/noSecretInCommandLine";
import { noServerNetworking } from "./rules/noServerNetworking";
import { userDataSecret } from "./rules/userDataSecret";

export const policies: Policies = [
  noInboundFirewallRules,
  firewallAtCreation,
  noLoadBalancer,
  noExtraPublicIp,
  noServerNetworking,
  userDataSecret,
  noSecretInCommandLine,
];
