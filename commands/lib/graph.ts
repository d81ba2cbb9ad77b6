/**
 * The plan as a picture: every resource an evaluation registers, as a Graphviz DOT graph.
 * An arrow runs from a resource to one that waits for it (the plan table's RUNS AFTER,
 * commands/lib/present.ts, plus the explicit provider each resource is created through),
 * transitively reduced: a→c is left out when a→b→c shows the same order. Each component is
 * a cluster, nested as the components nest; commands are drawn apart from cloud resources,
 * with a legend. Pure: the same evaluation gives the same text, byte for byte.
 */
import { Evaluation, Registration } from "./mockRuntime";

const STACK_TYPE = "pulumi:pulumi:Stack";
const isProvider = (r: Registration) => r.type.startsWith("pulumi:providers:");

/** How a resource is drawn. */
export type NodeKind = "resource" | "provider" | "local-command" | "remote-command";

export interface GraphNode {
  readonly urn: string;
  readonly name: string;
  readonly type: string;
  readonly kind: NodeKind;
  /** The URN of the component whose cluster holds it; "" at the top of the stack. */
  readonly cluster: string;
}

export interface GraphCluster {
  readonly urn: string;
  readonly name: string;
  readonly type: string;
  /** The enclosing component's URN; "" at the top of the stack. */
  readonly cluster: string;
}

/** `from` is created before `to`; "provider" when only `to`'s explicit provider orders them. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly via: "dependency" | "provider";
}

export interface PlanGraph {
  readonly title: string;
  readonly nodes: readonly GraphNode[];
  readonly clusters: readonly GraphCluster[];
  /** The transitively reduced edges. */
  readonly edges: readonly GraphEdge[];
  /** How many edges the reduction left out. */
  readonly implied: number;
}

function kindOf(r: Registration): NodeKind {
  if (isProvider(r)) return "provider";
  if (r.type === "command:local:Command") return "local-command";
  if (r.type === "command:remote:Command") return "remote-command";
  return "resource";
}

const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * The edges of a DAG (node → its successors) without those another path implies. Throws on
 * a cycle: the engine refuses one, so it can only mean a fault in the evaluation.
 */
export function transitiveReduction(successors: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Set<string>> {
  const reach = new Map<string, Set<string>>();
  const visiting = new Set<string>();
  // Everything reachable from `node` by one edge or more.
  const reachable = (node: string): Set<string> => {
    const known = reach.get(node);
    if (known) return known;
    if (visiting.has(node)) throw new Error(`dependency cycle through ${node}`);
    visiting.add(node);
    const out = new Set<string>();
    for (const next of successors.get(node) ?? []) {
      out.add(next);
      for (const r of reachable(next)) out.add(r);
    }
    visiting.delete(node);
    reach.set(node, out);
    return out;
  };
  const reduced = new Map<string, Set<string>>();
  for (const [node, next] of successors) {
    const implied = new Set([...next].flatMap((b) => [...reachable(b)]));
    reduced.set(node, new Set([...next].filter((c) => !implied.has(c))));
  }
  return reduced;
}

/** The graph of an evaluation: its nodes, component clusters and reduced edges. */
export function planGraph(ev: Evaluation): PlanGraph {
  const byUrn = new Map(ev.registrations.map((r) => [r.urn, r]));
  const isComponent = (r: Registration | undefined) => r !== undefined && !r.custom && r.type !== STACK_TYPE;
  // The nearest enclosing component: a custom parent has no cluster of its own.
  const clusterOf = (r: Registration): string => {
    for (let p = byUrn.get(r.parentUrn); p; p = byUrn.get(p.parentUrn)) if (isComponent(p)) return p.urn;
    return "";
  };
  const custom = ev.registrations.filter((r) => r.custom);
  const components = ev.registrations.filter(isComponent);
  // A dependency on a component orders after everything inside it.
  const inside = (urn: string): string[] => {
    const r = byUrn.get(urn);
    if (!r || r.type === STACK_TYPE) return [];
    if (r.custom) return [urn];
    return ev.registrations.filter((c) => c.parentUrn === urn).flatMap((c) => inside(c.urn));
  };

  const successors = new Map<string, Set<string>>(custom.map((r) => [r.urn, new Set<string>()]));
  const viaDependency = new Set<string>();
  const edgeKey = (from: string, to: string) => `${from}\n${to}`;
  for (const r of custom) {
    for (const urn of new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()])) {
      if (urn === r.parentUrn) continue;
      for (const from of inside(urn)) {
        if (from === r.urn) continue;
        successors.get(from)?.add(r.urn);
        viaDependency.add(edgeKey(from, r.urn));
      }
    }
    const provider = r.provider.split("::").slice(0, -1).join("::");
    if (provider && byUrn.get(provider)?.custom) successors.get(provider)?.add(r.urn);
  }
  const all = [...successors.values()].reduce((n, s) => n + s.size, 0);
  const reduced = transitiveReduction(successors);
  const edges: GraphEdge[] = [...reduced]
    .flatMap(([from, to]) => [...to].map((t): GraphEdge => ({ from, to: t, via: viaDependency.has(edgeKey(from, t)) ? "dependency" : "provider" })))
    .sort(byKey((e) => edgeKey(e.from, e.to)));

  const stack = ev.registrations.find((r) => r.type === STACK_TYPE);
  const [, stackName = "", project = ""] = /^urn:pulumi:([^:]*)::([^:]*)::/.exec(stack?.urn ?? "") ?? [];
  return {
    title: `${project}, stack ${stackName}: what pulumi up creates, in order`,
    nodes: custom.map((r) => ({ urn: r.urn, name: r.name, type: r.type, kind: kindOf(r), cluster: clusterOf(r) })).sort(byKey((n) => n.urn)),
    clusters: components.map((r) => ({ urn: r.urn, name: r.name, type: r.type, cluster: clusterOf(r) })).sort(byKey((c) => c.urn)),
    edges,
    implied: all - edges.length,
  };
}

/** Text as a DOT quoted string; `lines` are joined by DOT's centred line break. */
export function dotString(...lines: string[]): string {
  const escape = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n");
  return `"${lines.map(escape).join("\\n")}"`;
}

/** Each kind's look: commands stand apart from cloud resources by shape and colour. */
const STYLE: Record<NodeKind, { readonly attrs: string; readonly legend: string }> = {
  resource: { attrs: 'shape=box, style="rounded,filled", fillcolor="#ffffff"', legend: "cloud or local resource" },
  provider: { attrs: 'shape=box, style="rounded,dashed,filled", fillcolor="#f2f2f2"', legend: "explicit provider" },
  "local-command": { attrs: 'shape=cds, style=filled, fillcolor="#cfe2f3"', legend: "command on this machine\n(command:local:Command)" },
  "remote-command": { attrs: 'shape=cds, style=filled, fillcolor="#fce5cd"', legend: "command on the server over SSH\n(command:remote:Command)" },
};
const KINDS: readonly NodeKind[] = ["resource", "provider", "local-command", "remote-command"];

/** The evaluation as DOT text. */
export function graphDot(ev: Evaluation): string {
  return renderDot(planGraph(ev));
}

export function renderDot(g: PlanGraph): string {
  const out: string[] = [
    "digraph plan {",
    `  graph [label=${dotString(g.title, "An arrow runs from a resource to one that waits for it; dashed: through its provider.")}, labelloc=t, fontname="Helvetica", fontsize=12, newrank=true, nodesep=0.25, ranksep=0.45];`,
    '  node [fontname="Helvetica", fontsize=10, color="#444444"];',
    '  edge [color="#444444", arrowsize=0.7];',
  ];
  const emit = (cluster: string, indent: string) => {
    for (const c of g.clusters.filter((x) => x.cluster === cluster)) {
      out.push(`${indent}subgraph ${dotString(`cluster_${c.urn}`)} {`);
      out.push(`${indent}  graph [label=${dotString(c.name, c.type)}, labeljust=l, style=rounded, color="#999999", fontsize=10];`);
      emit(c.urn, `${indent}  `);
      // A component that registers nothing (e.g. no key minted when one is given) still shows.
      if (!g.nodes.some((n) => n.cluster === c.urn) && !g.clusters.some((x) => x.cluster === c.urn)) {
        out.push(`${indent}  ${dotString(`empty:${c.urn}`)} [label="creates nothing here", shape=plaintext, fontcolor="#777777"];`);
      }
      out.push(`${indent}}`);
    }
    for (const n of g.nodes.filter((x) => x.cluster === cluster)) {
      out.push(`${indent}${dotString(n.urn)} [label=${dotString(n.name, n.type)}, ${STYLE[n.kind].attrs}];`);
    }
  };
  emit("", "  ");
  for (const e of g.edges) out.push(`  ${dotString(e.from)} -> ${dotString(e.to)}${e.via === "provider" ? " [style=dashed]" : ""};`);
  out.push(`  subgraph ${dotString("cluster_legend")} {`);
  out.push('    graph [label="Legend", labeljust=l, style=rounded, color="#999999", fontsize=10];');
  for (const kind of KINDS) out.push(`    ${dotString(`legend:${kind}`)} [label=${dotString(STYLE[kind].legend)}, ${STYLE[kind].attrs}];`);
  // Invisible edges keep the legend's entries in one column, in this order.
  out.push(`    ${KINDS.map((k) => dotString(`legend:${k}`)).join(" -> ")} [style=invis];`);
  out.push("  }");
  out.push("}");
  return `${out.join("\n")}\n`;
}
