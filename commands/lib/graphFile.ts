/**
 * `npm run plan -- --graph FILE`: the plan's dependency graph written as FILE's extension
 * says. `.dot` is the graph's text (commands/lib/graph.ts) and always works; `.svg` and `.png`
 * are rendered by Graphviz's `dot`, and without it the plan refuses before it writes
 * anything, rather than writing something other than what was asked for.
 */
import { spawnSync } from "child_process";
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from "fs";
import { delimiter, dirname, extname, join, resolve } from "path";
import { Evaluation } from "./mockRuntime";
import { planGraph, renderDot } from "./graph";

export const GRAPH_FORMATS = ["dot", "svg", "png"] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** The format FILE's extension asks for, or undefined for any other. */
export function graphFormat(file: string): GraphFormat | undefined {
  const ext = extname(file).slice(1).toLowerCase();
  return (GRAPH_FORMATS as readonly string[]).includes(ext) ? (ext as GraphFormat) : undefined;
}

/** Graphviz's `dot` on the search path, or undefined. */
export function findDot(searchPath: string = process.env.PATH ?? ""): string | undefined {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, "dot");
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why `--graph FILE` cannot be written (one line), or undefined when it can. */
export function graphFileProblem(file: string, searchPath?: string): string | undefined {
  const format = graphFormat(file);
  if (!format) return `--graph ${file}: give a file ending in .dot, .svg or .png`;
  const path = resolve(file);
  if (existsSync(path) && statSync(path).isDirectory()) return `--graph ${file}: is a directory; give a file ending in .${format}`;
  // The nearest existing ancestor must be a directory, or the write fails after the plan ran.
  let dir = dirname(path);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) return `--graph ${file}: ${dir} is not a directory`;
  if (format !== "dot" && !findDot(searchPath)) {
    const dotFile = `${file.slice(0, file.length - extname(file).length)}.dot`;
    return `--graph ${file}: .${format} is rendered by Graphviz's dot, which is not on PATH; install graphviz (e.g. apt-get install graphviz), or write --graph ${dotFile} and render it elsewhere`;
  }
  return undefined;
}

/**
 * Writes the evaluation's graph to `file` (checked by graphFileProblem), creating its
 * directory, and says what it wrote. The graph holds names and types only, no values, so it
 * is written with the ordinary file mode, to be shared. A `dot` that fails is a fault (throws).
 */
export function writePlanGraph(file: string, evaluation: Evaluation): string {
  const graph = planGraph(evaluation);
  const text = renderDot(graph);
  const format = graphFormat(file) ?? "dot";
  let content: string | Buffer = text;
  if (format !== "dot") {
    const dot = findDot() ?? "dot";
    const r = spawnSync(dot, [`-T${format}`], { input: text, maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${dot} -T${format} exited ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`);
    content = r.stdout;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return `Wrote the dependency graph (${graph.nodes.length} resources in ${graph.clusters.length} components, ${graph.edges.length} arrows; ${graph.implied} implied by others left out) to ${file}`;
}
