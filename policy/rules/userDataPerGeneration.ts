/**
 * A server's user data comes from the first-boot document (components/firstBoot.ts), which
 * keeps it while the server generation is the same: so a new auth key or template never
 * replaces a running server, and a rebuilt one boots with the current document. Checked
 * through property dependencies, so it holds in a preview.
 */
import { StackValidationPolicy } from "@pulumi/policy";

const SERVERS = ["hcloud:index/server:Server", "digitalocean:index/droplet:Droplet"];
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";

export const userDataPerGeneration: StackValidationPolicy = {
  name: "user-data-per-generation",
  description: "Servers take their user data from the first-boot document, never from a value that changes on its own.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    for (const server of args.resources.filter((r) => SERVERS.includes(r.type))) {
      const sources = server.propertyDependencies.userData ?? [];
      const fromDocument = sources.length > 0 && sources.every((r) => r.type === DYNAMIC && r.name.endsWith("-first-boot-document"));
      if (!fromDocument) {
        reportViolation("the server's userData does not come from the first-boot document alone: a new auth key would replace it", server.urn);
      }
    }
  },
};
