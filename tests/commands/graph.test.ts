/**
 * The plan's dependency graph (commands/lib/graph.ts) on the real program's evaluation, read
 * back by the real Graphviz `dot`: every resource once, one cluster per component nested as
 * the components nest, commands drawn apart, arrows transitively reduced, the same text for
 * the same plan. Graphviz is required, not optional: CI installs it before `npm test`
 * (.ci/run), so these checks cannot pass by being skipped.
 */
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import fc from "fast-check";
import { dotString, graphDot, planGraph, transitiveReduction } from "../../commands/lib/graph";
import { findDot } from "../../commands/lib/graphFile";
import { Evaluation, Registration } from "../../commands/lib/mockRuntime";
import { evaluateStackFile } from "../../commands/lib/planEvaluation";
import { ROOT } from "../helpers/planCli";

/** Graphviz's dot, or a failure that says how to get it. */
function requireDot(): string {
  const dot = findDot();
  if (!dot) throw new Error("Graphviz's dot is not on PATH: install graphviz (apt-get install -y graphviz); .ci/run does before npm test");
  return dot;
}

function runDot(format: string, input: string): string {
  const r = spawnSync(requireDot(), [`-T${format}`], { input, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`dot -T${format} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

interface DotObject {
  readonly _gvid: number;
  readonly name: string;
  readonly label?: string;
  readonly shape?: string;
  readonly fillcolor?: string;
  readonly nodes?: number[];
  readonly subgraphs?: number[];
}

/** The graph as dot itself reads it: clusters with their direct members, nodes, edges. */
function parsed(text: string) {
  const doc = JSON.parse(runDot("json", text)) as { objects: DotObject[]; edges?: { tail: number; head: number; style?: string }[] };
  const objects = doc.objects;
  const clusters = objects.filter((o) => o.nodes !== undefined || o.subgraphs !== undefined);
  const nodes = objects.filter((o) => !clusters.includes(o));
  const byId = new Map(objects.map((o) => [o._gvid, o]));
  // Graphviz lists a cluster's nodes with its sub-clusters'; a node's own cluster is the innermost.
  const directNodes = (c: DotObject) => {
    const nested = new Set((c.subgraphs ?? []).flatMap((s) => byId.get(s)?.nodes ?? []));
    return (c.nodes ?? []).filter((n) => !nested.has(n)).map((n) => byId.get(n)?.name ?? "");
  };
  const clusterOfNode = new Map<string, string>();
  const clusterOfCluster = new Map<string, string>();
  for (const c of clusters) {
    for (const n of directNodes(c)) clusterOfNode.set(n, c.name);
    for (const s of c.subgraphs ?? []) clusterOfCluster.set(byId.get(s)?.name ?? "", c.name);
  }
  const edges = (doc.edges ?? [])
    .map((e) => ({ from: byId.get(e.tail)?.name ?? "", to: byId.get(e.head)?.name ?? "", style: e.style }))
    .filter((e) => !e.from.startsWith("legend:"));
  return { clusters, nodes, clusterOfNode, clusterOfCluster, edges };
}

/** An evaluation of an example stack, in the clean environment the plan's process gets. */
async function evaluateExample(file: string): Promise<Evaluation> {
  const saved = process.env;
  process.env = { PATH: saved.PATH ?? "", HOME: saved.HOME ?? "/tmp" };
  try {
    return (await evaluateStackFile(ROOT, join(ROOT, file), "prod")).evaluation;
  } finally {
    process.env = saved;
  }
}

const EXAMPLES = ["examples/hetzner.yaml", "examples/digitalocean.yaml"] as const;
const evaluations = new Map<string, Evaluation>();
beforeAll(async () => {
  requireDot();
  for (const file of EXAMPLES) evaluations.set(file, await evaluateExample(file));
});
const ev = (file: string) => evaluations.get(file) as Evaluation;
const urnNamed = (e: Evaluation, name: string) => (e.registrations.find((r) => r.name === name) as Registration).urn;
const isComponent = (r: Registration) => !r.custom && r.type !== "pulumi:pulumi:Stack";
/** The nearest component above a resource, as its cluster's name; "" at the top. */
function expectedCluster(e: Evaluation, r: Registration): string {
  const byUrn = new Map(e.registrations.map((x) => [x.urn, x]));
  for (let p = byUrn.get(r.parentUrn); p; p = byUrn.get(p.parentUrn)) if (isComponent(p)) return `cluster_${p.urn}`;
  return "";
}

describe("the plan's dependency graph", () => {
  it.each(EXAMPLES)("%s: every resource the program registers is drawn exactly once, each component as a cluster, nested as the components nest", (file) => {
    const e = ev(file);
    const g = parsed(graphDot(e));
    const custom = e.registrations.filter((r) => r.custom);
    const components = e.registrations.filter(isComponent);
    expect(custom.length).toBeGreaterThan(10);
    expect(components.length).toBeGreaterThan(5);
    const drawn = g.nodes.map((n) => n.name).filter((n) => n.startsWith("urn:"));
    expect([...drawn].sort()).toEqual(custom.map((r) => r.urn).sort());
    const clusterNames = g.clusters.map((c) => c.name).filter((n) => n !== "cluster_legend");
    expect([...clusterNames].sort()).toEqual(components.map((r) => `cluster_${r.urn}`).sort());
    // The stack itself is no resource of the plan.
    expect(graphDot(e)).not.toContain("pulumi:pulumi:Stack");
    for (const r of custom) expect({ urn: r.urn, cluster: g.clusterOfNode.get(r.urn) ?? "" }).toEqual({ urn: r.urn, cluster: expectedCluster(e, r) });
    for (const r of components) {
      expect({ urn: r.urn, cluster: g.clusterOfCluster.get(`cluster_${r.urn}`) ?? "" }).toEqual({ urn: r.urn, cluster: expectedCluster(e, r) });
      expect(g.clusters.find((c) => c.name === `cluster_${r.urn}`)?.label).toBe(`${r.name}\\n${r.type}`);
    }
    // The components really nest here: the gateway's parts inside the gateway.
    expect(g.clusterOfCluster.get(`cluster_${urnNamed(e, "openclaw-gateway")}`)).toBe(`cluster_${urnNamed(e, "openclaw")}`);
  });

  it("a component that registers nothing still shows, as an empty cluster saying so", () => {
    // With an auth key given in the stack, no key is minted under the Tailscale component.
    const e = ev("examples/hetzner.yaml");
    const tailscale = urnNamed(e, "openclaw-tailscale");
    expect(e.registrations.some((r) => r.parentUrn === tailscale)).toBe(false);
    const g = parsed(graphDot(e));
    expect(g.clusterOfNode.get(`empty:${tailscale}`)).toBe(`cluster_${tailscale}`);
    expect(g.nodes.find((n) => n.name === `empty:${tailscale}`)?.label).toBe("creates nothing here");
  });

  it("draws commands apart from resources, local and remote each their own way, with a legend", () => {
    const e = ev("examples/digitalocean.yaml");
    const g = parsed(graphDot(e));
    const look = (name: string) => {
      const n = g.nodes.find((x) => x.name === name);
      return { shape: n?.shape, fillcolor: n?.fillcolor };
    };
    const byType = (type: string) => e.registrations.filter((r) => r.type === type).map((r) => look(r.urn));
    const remote = byType("command:remote:Command");
    const local = byType("command:local:Command");
    expect(remote.length).toBeGreaterThanOrEqual(5);
    expect(local.length).toBeGreaterThanOrEqual(2);
    expect(new Set(remote.map((x) => JSON.stringify(x)))).toEqual(new Set([JSON.stringify(look("legend:remote-command"))]));
    expect(new Set(local.map((x) => JSON.stringify(x)))).toEqual(new Set([JSON.stringify(look("legend:local-command"))]));
    expect(look("legend:remote-command")).not.toEqual(look("legend:local-command"));
    // Nothing else looks like a command.
    const others = e.registrations.filter((r) => r.custom && !r.type.startsWith("command:")).map((r) => look(r.urn));
    for (const o of others) expect(o.shape).not.toBe(look("legend:remote-command").shape);
    expect(g.clusterOfNode.get("legend:remote-command")).toBe("cluster_legend");
    expect(g.nodes.find((n) => n.name === "legend:local-command")?.label).toContain("command on this machine");
  });

  it("leaves out an arrow that a longer path implies (the server waits for the deploy key through its SSH key)", () => {
    const e = ev("examples/hetzner.yaml");
    const key = urnNamed(e, "openclaw-deploy-key");
    const sshKey = urnNamed(e, "openclaw-deploy-hcloud");
    const server = urnNamed(e, "openclaw-server-hcloud");
    // The program has all three: key → SSH key → server, and key → server directly.
    const deps = (urn: string) => e.registrations.find((r) => r.urn === urn)?.dependencies ?? [];
    expect(deps(server)).toEqual(expect.arrayContaining([key, sshKey]));
    expect(deps(sshKey)).toContain(key);
    const arrows = parsed(graphDot(e)).edges.map((x) => `${x.from} -> ${x.to}`);
    expect(arrows).toEqual(expect.arrayContaining([`${key} -> ${sshKey}`, `${sshKey} -> ${server}`]));
    expect(arrows).not.toContain(`${key} -> ${server}`);
    // The same for the first step on the server: it waits for the server through the wait step.
    expect(arrows).not.toContain(`${server} -> ${urnNamed(e, "openclaw-gateway-files")}`);
    expect(arrows).toContain(`${urnNamed(e, "openclaw-gateway-wait")} -> ${urnNamed(e, "openclaw-gateway-files")}`);
  });

  it("keeps every order the plan's RUNS AFTER gives, and each explicit provider before what it creates (dashed when only the provider orders them)", () => {
    for (const file of EXAMPLES) {
      const e = ev(file);
      const g = planGraph(e);
      const next = new Map<string, string[]>();
      for (const x of g.edges) next.set(x.from, [...(next.get(x.from) ?? []), x.to]);
      const reaches = (from: string, to: string): boolean => (next.get(from) ?? []).some((n) => n === to || reaches(n, to));
      const byUrn = new Map(e.registrations.map((r) => [r.urn, r]));
      for (const r of e.registrations.filter((x) => x.custom)) {
        for (const dep of r.dependencies) {
          if (byUrn.get(dep)?.custom && dep !== r.parentUrn) expect({ file, from: dep, to: r.urn, kept: reaches(dep, r.urn) }).toEqual({ file, from: dep, to: r.urn, kept: true });
        }
        const provider = r.provider.split("::").slice(0, -1).join("::");
        if (provider) expect({ file, provider, to: r.urn, kept: reaches(provider, r.urn) }).toEqual({ file, provider, to: r.urn, kept: true });
      }
      expect(g.implied).toBeGreaterThan(0);
      const dashed = parsed(graphDot(e)).edges.filter((x) => x.style === "dashed");
      expect(dashed.length).toBeGreaterThan(0);
      for (const x of dashed) expect(byUrn.get(x.from)?.type).toMatch(/^pulumi:providers:/);
    }
  });

  it("transitiveReduction keeps exactly the arrows no longer path implies, and the same reachability", () => {
    const closure = (m: ReadonlyMap<string, ReadonlySet<string>>) => {
      const out = new Set<string>();
      const visit = (from: string, at: string) => {
        for (const n of m.get(at) ?? []) {
          if (out.has(`${from}>${n}`)) continue;
          out.add(`${from}>${n}`);
          visit(from, n);
        }
      };
      for (const k of m.keys()) visit(k, k);
      return out;
    };
    // Random DAGs: an edge only from a lower to a higher node number.
    const dag = fc.integer({ min: 1, max: 9 }).chain((n) =>
      fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 30 }).map((pairs) => {
        const m = new Map<string, Set<string>>(Array.from({ length: n }, (_, i) => [`n${i}`, new Set<string>()]));
        for (const [a, b] of pairs) if (a < b) m.get(`n${a}`)?.add(`n${b}`);
        return m;
      }),
    );
    fc.assert(
      fc.property(dag, (m) => {
        const reduced = transitiveReduction(m);
        expect(closure(reduced)).toEqual(closure(m));
        // Minimal: dropping any kept arrow loses an order.
        for (const [from, to] of reduced) {
          for (const t of to) {
            const without = new Map([...reduced].map(([k, v]) => [k, new Set([...v].filter((x) => k !== from || x !== t))]));
            expect(closure(without).has(`${from}>${t}`)).toBe(false);
          }
        }
      }),
    );
    expect(() => transitiveReduction(new Map([["a", new Set(["b"])], ["b", new Set(["a"])]]))).toThrow(/dependency cycle/);
  });

  it("is the same text for the same plan, whatever order the resources registered in", () => {
    const e = ev("examples/digitalocean.yaml");
    const reversed: Evaluation = { ...e, registrations: [...e.registrations].reverse() };
    expect(graphDot(reversed)).toBe(graphDot(e));
  });

  it("quotes every id and label, so URNs ($, ::) and names with quotes or backslashes read back as written", () => {
    expect(dotString('a"b\\c', "line two")).toBe('"a\\"b\\\\c\\nline two"');
    const base = { custom: true, inputs: {}, provider: "", protect: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [], propertyDependencies: {} };
    const stack: Registration = { ...base, type: "pulumi:pulumi:Stack", name: "p-s", urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", parentUrn: "", custom: false, dependencies: [] };
    const odd = 'we"ird \\ name; } -> x';
    const comp: Registration = { ...base, type: "t:x:Comp", name: "c { }", urn: "urn:pulumi:s::p::t:x:Comp::c { }", parentUrn: stack.urn, custom: false, dependencies: [] };
    const a: Registration = { ...base, type: "t:x:A", name: odd, urn: `urn:pulumi:s::p::t:x:Comp$t:x:A::${odd}`, parentUrn: comp.urn, dependencies: [] };
    const b: Registration = { ...base, type: "command:remote:Command", name: "b", urn: "urn:pulumi:s::p::t:x:Comp$command:remote:Command::b", parentUrn: comp.urn, dependencies: [a.urn] };
    const text = graphDot({ registrations: [stack, comp, a, b], outputs: {}, artifacts: {} });
    const g = parsed(text);
    // dot keeps an id's escaped backslash as written, and unescapes the quote.
    const asRead = (urn: string) => urn.replace(/\\/g, "\\\\");
    expect(g.edges.map((x) => [x.from, x.to])).toEqual([[asRead(a.urn), b.urn]]);
    expect(g.clusterOfNode.get(asRead(a.urn))).toBe(`cluster_${comp.urn}`);
    // The label as drawn: the name exactly.
    const svg = runDot("svg", text);
    const xml = (t: string) => t.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/-/g, "&#45;");
    expect(svg).toContain(`>${xml(odd)}</text>`);
  });

  it("docs/plan-graph.dot is the current graph of examples/hetzner.yaml, and docs/plan-graph.svg draws it", () => {
    const regenerate = "npm run plan -- --stack prod --config examples/hetzner.yaml --graph docs/plan-graph.dot && npm run plan -- --stack prod --config examples/hetzner.yaml --graph docs/plan-graph.svg";
    const committed = readFileSync(join(ROOT, "docs/plan-graph.dot"), "utf8");
    const fresh = graphDot(ev("examples/hetzner.yaml"));
    expect({ current: committed === fresh, regenerate }).toEqual({ current: true, regenerate });
    // The picture: the same nodes, clusters, arrows and words as the text draws. Not its bytes:
    // the coordinates depend on the Graphviz build and the fonts of the machine that drew it.
    const svg = readFileSync(join(ROOT, "docs/plan-graph.svg"), "utf8");
    const drawn = (s: string) => [...s.matchAll(/<(title|text)\b[^>]*>([^<]*)<\/\1>/g)].map((m) => `${m[1]}: ${m[2]}`).sort();
    expect({ drawn: drawn(svg), regenerate }).toEqual({ drawn: drawn(runDot("svg", fresh)), regenerate });
    expect(drawn(svg).length).toBeGreaterThan(50);
  });
});
