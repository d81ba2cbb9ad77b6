/**
 * User data holds the Tailscale auth key: the server must declare it a secret output, so
 * the state file keeps it encrypted. (Policies see inputs in plain text and cannot tell
 * whether an input was secret; the resource option is what they can check.)
 */
import { ResourceValidationPolicy } from "@pulumi/policy";

const SERVERS = ["hcloud:index/server:Server", "digitalocean:index/droplet:Droplet"];

export const userDataSecret: ResourceValidationPolicy = {
  name: "user-data-secret",
  description: "Servers keep their user data secret, and never replace themselves for a change to it.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (!SERVERS.includes(args.type)) return;
    if (!args.opts.additionalSecretOutputs.includes("userData")) {
      reportViolation("userData must be listed in additionalSecretOutputs: it carries the Tailscale auth key");
    }
    if (!args.opts.ignoreChanges.includes("userData")) {
      reportViolation("userData must be in ignoreChanges: a new auth key must never replace a running server");
    }
  },
};
