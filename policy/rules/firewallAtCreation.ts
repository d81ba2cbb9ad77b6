/**
 * Every server is created behind deny-all firewalls of this stack, and behind nothing else:
 * Hetzner servers through `firewallIds`, droplets through tags such a firewall applies.
 * Both clouds merge the rules of every firewall a server is in, so one foreign firewall
 * (an id or a tag the stack does not own) would open what the deny-all one closes.
 *
 * Values are compared wherever the engine knows them: a dependency on the firewall proves
 * nothing about the value (`[999999]` computed from the firewall's id still depends on it).
 * A first preview knows neither the firewall's id nor the random tag name; there an
 * unknown value passes only if it comes from deny-all firewalls (or their tags) alone, one
 * firewall per unknown id, and every known value beside it must still match. `pulumi up`
 * checks the finished stack again, with every value known.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, elements, read } from "../known";

const HCLOUD_SERVER = "hcloud:index/server:Server";
const HCLOUD_FIREWALL = "hcloud:index/firewall:Firewall";
const DROPLET = "digitalocean:index/droplet:Droplet";
const DO_FIREWALL = "digitalocean:index/firewall:Firewall";
const DO_TAG = "digitalocean:index/tag:Tag";

/** No inbound rule, as far as known: unknown rules count as open. */
function denyAll(fw: PolicyResource): boolean {
  if (fw.type === HCLOUD_FIREWALL) {
    const rules = elements(fw.props, "rules") ?? [];
    return rules !== UNKNOWN && rules.every((r) => read(r, "direction") === "out");
  }
  if (fw.type === DO_FIREWALL) {
    const inbound = elements(fw.props, "inboundRules") ?? [];
    return inbound !== UNKNOWN && inbound.length === 0;
  }
  return false;
}

const known = <T>(values: T[] | typeof UNKNOWN): T[] => (values === UNKNOWN ? [] : values.filter((v) => v !== UNKNOWN));
const unknownCount = (values: unknown[] | typeof UNKNOWN): number =>
  values === UNKNOWN ? Infinity : values.filter((v) => v === UNKNOWN).length;
const label = (r: PolicyResource) => `${r.type.split(":").pop() ?? r.type} ${r.name}`;

function checkHetzner(server: PolicyResource, resources: PolicyResource[], report: (m: string) => void): void {
  const ids = elements(server.props, "firewallIds");
  if (ids === undefined || (ids !== UNKNOWN && ids.length === 0)) {
    report("the Hetzner server is not created with a firewall (firewallIds)");
    return;
  }
  const byId = new Map<number, PolicyResource>();
  for (const fw of resources.filter((r) => r.type === HCLOUD_FIREWALL)) {
    const id = read(fw.props, "id");
    if (typeof id === "string" || typeof id === "number") byId.set(Number(id), fw);
  }
  for (const id of known(ids)) {
    const fw = byId.get(Number(id));
    if (!fw) report(`firewallIds holds ${String(id)}, which is no firewall of this stack: every firewall the server is in must be a deny-all one of the stack`);
    else if (!denyAll(fw)) report(`the Hetzner server's firewall ${fw.name} (id ${String(id)}) allows inbound traffic`);
  }
  const pending = unknownCount(ids);
  if (pending === 0) return;
  // Each unknown id must be the id of a deny-all firewall still being created, and nothing else.
  const deps = server.propertyDependencies.firewallIds ?? [];
  const foreign = deps.filter((d) => d.type !== HCLOUD_FIREWALL);
  const open = deps.filter((d) => d.type === HCLOUD_FIREWALL && !denyAll(d));
  const sources = deps.filter((d) => d.type === HCLOUD_FIREWALL && denyAll(d) && read(d.props, "id") === UNKNOWN);
  if (foreign.length > 0) {
    report(`firewallIds is not known yet and comes from ${foreign.map(label).join(", ")}, not only from deny-all firewalls`);
  }
  for (const fw of open) report(`the Hetzner server's firewall ${fw.name} allows inbound traffic`);
  if (foreign.length + open.length > 0) return;
  if (sources.length === 0) {
    report("firewallIds is not known yet and comes from no deny-all firewall still being created: it cannot be shown to be one");
  } else if (pending > sources.length && pending !== Infinity) {
    report(`firewallIds has ${pending} ids not known yet, but only ${sources.length} deny-all firewall(s) they can be`);
  }
}

/** The tags each DigitalOcean firewall applies: names where known, else the Tag resources its tags come from. */
interface Applied {
  readonly fw: PolicyResource;
  readonly names: Set<string>;
  readonly tags: Set<string>;
}

function applied(resources: PolicyResource[]): Applied[] {
  return resources
    .filter((r) => r.type === DO_FIREWALL)
    .map((fw) => {
      const tags = elements(fw.props, "tags") ?? [];
      const names = new Set(known(tags).filter((t): t is string => typeof t === "string"));
      const fromDeps = unknownCount(tags) > 0 ? (fw.propertyDependencies.tags ?? []).filter((d) => d.type === DO_TAG) : [];
      return { fw, names, tags: new Set(fromDeps.map((d) => d.urn)) };
    });
}

function tagNames(tag: PolicyResource): string[] {
  return [read(tag.props, "name"), read(tag.props, "id")].filter((n): n is string => typeof n === "string");
}

function checkDroplet(droplet: PolicyResource, resources: PolicyResource[], report: (m: string) => void): void {
  const tags = elements(droplet.props, "tags");
  if (tags === undefined || (tags !== UNKNOWN && tags.length === 0)) {
    report("the droplet carries no tag of a cloud firewall");
    return;
  }
  const firewalls = applied(resources);
  const tagResources = resources.filter((r) => r.type === DO_TAG);
  const applying = (name: string) =>
    firewalls.filter((a) => a.names.has(name) || tagResources.some((t) => a.tags.has(t.urn) && tagNames(t).includes(name)));
  const guard = (found: Applied[], what: string) => {
    if (found.length === 0) report(`the droplet's tag ${what} is applied by no firewall of this stack: every tag it carries must be a deny-all firewall's`);
    else if (!found.every((a) => denyAll(a.fw))) report(`the droplet's firewall allows inbound traffic (through tag ${what})`);
  };
  for (const name of known(tags)) guard(typeof name === "string" ? applying(name) : [], JSON.stringify(name));
  const pending = unknownCount(tags);
  if (pending === 0) return;
  // Unknown tags must each come from a Tag resource that a firewall applies.
  const deps = droplet.propertyDependencies.tags ?? [];
  const foreign = deps.filter((d) => d.type !== DO_TAG);
  const sources = deps.filter((d) => d.type === DO_TAG);
  if (foreign.length > 0) {
    report(`the droplet's tags are not known yet and come from ${foreign.map(label).join(", ")}, not only from tags of deny-all firewalls`);
  } else if (sources.length === 0) {
    report("the droplet's tags are not known yet and come from no tag: they cannot be shown to be a deny-all firewall's");
  } else if (pending !== Infinity && pending > sources.length) {
    report(`the droplet has ${pending} tags not known yet, but only ${sources.length} tag resource(s) they can be`);
  }
  for (const tag of sources) {
    guard(firewalls.filter((a) => a.tags.has(tag.urn) || tagNames(tag).some((n) => a.names.has(n))), `from ${tag.name}`);
  }
}

export const firewallAtCreation: StackValidationPolicy = {
  name: "deny-all-firewall-at-creation",
  description: "Every server and droplet is created behind deny-all cloud firewalls of the stack, and no other.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    for (const server of args.resources.filter((r) => r.type === HCLOUD_SERVER)) {
      checkHetzner(server, args.resources, (m) => reportViolation(m, server.urn));
    }
    for (const droplet of args.resources.filter((r) => r.type === DROPLET)) {
      checkDroplet(droplet, args.resources, (m) => reportViolation(m, droplet.urn));
    }
  },
};
