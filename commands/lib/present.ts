/**
 * Turns an evaluation into what `npm run plan` shows: a table with the facts that matter
 * per resource, or a JSON document with every secret replaced by "[secret]".
 */
import { Evaluation, Registration, isSecretValue } from "./mockRuntime";

export const SECRET_PLACEHOLDER = "[secret]";

/** A value as a state file would hold it, with each secret replaced by "[secret]". */
export function redact(value: unknown): unknown {
  if (isSecretValue(value)) return SECRET_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = redact((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export interface PlanDocument {
  readonly resources: {
    type: string;
    name: string;
    urn: string;
    parent: string | null;
    /** Names of the resources this one waits for: its dependsOn and every input's source. */
    dependsOn: string[];
    inputs: unknown;
  }[];
  readonly outputs: Record<string, unknown>;
}

/** The resources the plan shows: every one the program registers, not the stack itself. */
function shown(ev: Evaluation): Registration[] {
  return ev.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack");
}

/**
 * What `r` waits for, by name: the resources behind its `dependsOn` and its inputs (the
 * engine creates those first). Its parent and its provider are not listed: a parent is no
 * ordering, and the provider is named among the facts.
 */
export function dependencyNames(r: Registration, byUrn: ReadonlyMap<string, Registration>): string[] {
  const names = new Set<string>();
  for (const urn of [...r.dependencies, ...Object.values(r.propertyDependencies).flat()]) {
    const dep = byUrn.get(urn);
    if (!dep || urn === r.parentUrn || dep.type === "pulumi:pulumi:Stack" || dep.type.startsWith("pulumi:providers:")) continue;
    names.add(dep.name);
  }
  return [...names].sort();
}

export function planDocument(ev: Evaluation): PlanDocument {
  const byUrn = new Map(ev.registrations.map((r) => [r.urn, r]));
  return {
    resources: shown(ev).map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      parent: r.parentUrn === "" || byUrn.get(r.parentUrn)?.type === "pulumi:pulumi:Stack" ? null : r.parentUrn,
      dependsOn: dependencyNames(r, byUrn),
      inputs: redact(r.inputs),
    })),
    outputs: Object.fromEntries(
      Object.keys(ev.outputs)
        .sort()
        .map((k) => [k, ev.outputs[k].secret ? SECRET_PLACEHOLDER : ev.outputs[k].value]),
    ),
  };
}

type Inputs = Record<string, unknown>;
const show = (v: unknown): string => (isSecretValue(v) ? SECRET_PLACEHOLDER : Array.isArray(v) ? v.map(show).join(", ") : String(v));
const count = (v: unknown): number => (Array.isArray(v) ? v.length : 0);

/** Names the resources that ids refer to, as the reader knows them. */
function named(ids: unknown, all: Iterable<Registration>): string {
  const list = Array.isArray(ids) ? ids : [ids];
  const regs = [...all];
  return list
    .map((id) => {
      const match = regs.find((r) => r.custom && (r.id === String(id) || r.inputs.name === id));
      return match ? `${match.name} (${show(id)})` : show(id);
    })
    .join(", ");
}

/** The facts worth a reader's attention, per resource type. */
export function facts(r: Registration, byUrn: ReadonlyMap<string, Registration>): string[] {
  const i: Inputs = r.inputs;
  const all = byUrn.values();
  const lines: string[] = [];
  switch (r.type) {
    case "hcloud:index/firewall:Firewall":
      lines.push(count(i.rules) === 0 ? "rules: none (all inbound dropped, all outbound allowed)" : `rules: ${JSON.stringify(redact(i.rules))}`);
      break;
    case "digitalocean:index/firewall:Firewall":
      lines.push(count(i.inboundRules) === 0 ? "inbound rules: none (all inbound dropped)" : `inbound rules: ${JSON.stringify(redact(i.inboundRules))}`);
      for (const rule of (i.outboundRules as Inputs[] | undefined) ?? []) {
        lines.push(`outbound: allow ${show(rule.protocol)} ${show(rule.portRange ?? "all")} to ${show(rule.destinationAddresses)}`);
      }
      lines.push(`applies to droplets tagged: ${show(i.tags)}`);
      break;
    case "hcloud:index/server:Server":
      lines.push(`type ${show(i.serverType)} in ${show(i.location)}, image ${show(i.image)}, backups ${show(i.backups)}`);
      lines.push(`firewalls at creation: ${named(i.firewallIds, all)}`);
      lines.push(`ssh keys: ${named(i.sshKeys, byUrn.values())}`);
      lines.push(`user data: ${isSecretValue(i.userData) ? "secret" : "NOT SECRET"}; delete protection ${show(i.deleteProtection)}`);
      break;
    case "digitalocean:index/droplet:Droplet":
      lines.push(`size ${show(i.size)} in ${show(i.region)}, image ${show(i.image)}, backups ${show(i.backups)}`);
      lines.push(`tags (firewall binding): ${named(i.tags, all)}`);
      lines.push(`ssh keys: ${show(i.sshKeys)}`);
      lines.push(`user data: ${isSecretValue(i.userData) ? "secret" : "NOT SECRET"}`);
      break;
    case "tailscale:index/tailnetKey:TailnetKey":
      lines.push(
        `reusable ${show(i.reusable)}, ephemeral ${show(i.ephemeral)}, preauthorized ${show(i.preauthorized)}, expiry ${show(i.expiry)} s, tags ${show(i.tags)}`,
      );
      break;
    case "random:index/randomBytes:RandomBytes":
      lines.push(`${show(i.length)} bytes, rotated when keepers change: ${JSON.stringify(redact(i.keepers))}`);
      break;
    case "command:remote:Command": {
      // The connection holds the deploy key, so the engine keeps all of it secret.
      lines.push(`over SSH to the server: ${show(i.create)}`);
      if (i.stdin !== undefined) lines.push(`stdin: ${isSecretValue(i.stdin) ? "secret" : `${typeof i.stdin === "string" ? i.stdin.length : 0} characters of script`}`);
      break;
    }
    case "command:local:Command":
      lines.push(`on this machine: ${show(i.create)}`);
      if (i.delete !== undefined) lines.push(`on destroy: ${show(i.delete)}`);
      break;
    case "tls:index/privateKey:PrivateKey":
      lines.push(`algorithm ${show(i.algorithm)}; private key kept secret in state`);
      break;
    case "pulumi-nodejs:dynamic:Resource":
      if (r.name.endsWith("-rebuild-guard")) {
        lines.push(`server generation ${show(i.generation)}; a new one rebuilds the server${i.protect === true ? " (refused while protect is on)" : ""}`);
      }
      break;
    default:
      break;
  }
  if (r.protect) lines.push("protected: pulumi refuses to delete or replace it");
  if (r.ignoreChanges.length > 0) lines.push(`changes ignored after creation: ${r.ignoreChanges.join(", ")}`);
  if (r.replacementTrigger !== undefined) lines.push(`replaced when its trigger changes: ${show(r.replacementTrigger)}`);
  if (r.provider) {
    const providerUrn = r.provider.split("::").slice(0, -1).join("::");
    const provider = byUrn.get(providerUrn);
    if (provider) lines.push(`provider: ${provider.name} (explicit)`);
  }
  return lines;
}

/** Parents before their children, siblings in registration order. */
function treeOrder(regs: readonly Registration[]): Registration[] {
  const urns = new Set(regs.map((r) => r.urn));
  const children = new Map<string, Registration[]>();
  const roots: Registration[] = [];
  for (const r of regs) {
    if (urns.has(r.parentUrn)) children.set(r.parentUrn, [...(children.get(r.parentUrn) ?? []), r]);
    else roots.push(r);
  }
  const out: Registration[] = [];
  const visit = (r: Registration) => {
    out.push(r);
    for (const c of children.get(r.urn) ?? []) visit(c);
  };
  roots.forEach(visit);
  return out;
}

/**
 * A fact line wrapped at spaces to `width`, continuation lines indented under the text after
 * its label: nothing is cut, and no word is split (a word longer than the width stands alone).
 */
export function wrap(line: string, width: number): string[] {
  const label = /^[^:]{1,40}: /.exec(line)?.[0] ?? "";
  const indent = " ".repeat(Math.min(label.length, 24));
  const words = line.split(" ");
  const out: string[] = [];
  let current = "";
  for (const word of words) {
    const candidate = current === "" ? word : `${current} ${word}`;
    if (candidate.length > width && current.trim() !== "") {
      out.push(current);
      current = `${indent}${word}`;
    } else {
      current = candidate;
    }
  }
  out.push(current);
  return out;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** Fact lines wrap at this width (after their 4-space indent). */
const FACT_WIDTH = 96;

export function planTable(ev: Evaluation, heading: string, notes: readonly string[]): string {
  const byUrn = new Map(ev.registrations.map((r) => [r.urn, r]));
  const parentName = (r: Registration) => {
    const parent = byUrn.get(r.parentUrn);
    return !parent ? "" : parent.type === "pulumi:pulumi:Stack" ? "(stack)" : parent.name;
  };
  const rows = treeOrder(shown(ev));
  const wType = Math.max(4, ...rows.map((r) => r.type.length));
  const wName = Math.max(4, ...rows.map((r) => r.name.length));
  const wParent = Math.max(6, ...rows.map((r) => parentName(r).length));
  const out: string[] = [heading, ""];
  if (notes.length > 0) {
    out.push("Notes:", ...notes.map((n) => `  - ${n}`), "");
  }
  out.push(`${pad("TYPE", wType)}  ${pad("NAME", wName)}  ${pad("PARENT", wParent)}  RUNS AFTER`);
  for (const r of rows) {
    const after = dependencyNames(r, byUrn);
    out.push(`${pad(r.type, wType)}  ${pad(r.name, wName)}  ${pad(parentName(r), wParent)}  ${after.length > 0 ? after.join(", ") : "-"}`.trimEnd());
    for (const line of facts(r, byUrn)) for (const part of wrap(line, FACT_WIDTH)) out.push(`${" ".repeat(4)}${part}`);
  }
  out.push("", `${rows.length} resources.`, "", "Outputs:");
  const keys = Object.keys(ev.outputs).sort();
  const wKey = Math.max(...keys.map((k) => k.length));
  for (const k of keys) {
    const o = ev.outputs[k];
    outputLines(o.secret ? SECRET_PLACEHOLDER : o.value).forEach((line, i) => out.push(`  ${pad(i === 0 ? k : "", wKey)}  ${line}`));
  }
  return out.join("\n");
}

/** An output as people read it: text as is, an object one `field: value` line per field (the pairing commands, the verification summary). */
export function outputLines(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [String(value)];
  if (Array.isArray(value)) return [JSON.stringify(value)];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return ["{}"];
  return entries.map(([field, v]) => `${field}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
}
