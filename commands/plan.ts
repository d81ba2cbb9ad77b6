/**
 * npm run plan -- [--stack NAME] [--config FILE] [--json] [--out DIR] [--graph FILE]
 *
 * Evaluates the real program offline under the SDK's mock runtime: no provider plugins, no
 * credentials, no network (the Pulumi CLI, when installed, is asked only which stack is
 * selected). Shows every resource the program would
 * register, its facts and the stack outputs; writes the rendered artifacts with --out.
 * Exit codes: 0 planned; 2 for any problem with the input (arguments, the stack file, the
 * configuration: every problem named, one line each, no stack trace, nothing written);
 * 1 only for a fault in the program itself.
 */
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { parseArgs } from "util";
import { ConfigError } from "../config";
import { PlanConfigError, evaluateStackFile } from "./lib/planEvaluation";
import { planDocument, planTable } from "./lib/present";
import { graphFileProblem, writePlanGraph } from "./lib/graphFile";
import { StackConfigError, StackFileError } from "./lib/stackFile";
import { StackChoice, selectedStack } from "./lib/selectedStack";

/** A problem with what the user gave: reported in one line, exit 2. */
class UsageError extends Error {}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        config: { type: "string" },
        json: { type: "boolean", default: false },
        out: { type: "string" },
        graph: { type: "string" },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    // Node's parseArgs errors: "Unknown option '--x'", "Option '--config <value>' argument missing", ...
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
}

/** --out must be a directory, or a path where one can be made. */
function checkOutDir(out: string): void {
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`--out ${out}: exists and is not a directory; give a new or existing directory`);
  }
}

const ROOT = resolve(__dirname, "..");

const USAGE = `usage: npm run plan -- [--stack NAME] [--config FILE] [--json] [--out DIR] [--graph FILE]

  --stack NAME   read Pulumi.NAME.yaml (default: the stack selected with pulumi stack select,
                 or prod when no Pulumi CLI is installed or none is selected)
  --config FILE  read FILE instead (same format: a config: map of namespaced keys)
  --json         print one JSON document; every secret value is "[secret]"
  --out DIR      write every rendered artifact (cloud-init.yaml, scripts) into DIR
  --graph FILE   write the dependency graph: FILE.dot as Graphviz DOT; .svg or .png drawn by
                 Graphviz's dot (refused, with nothing written, when dot is not installed)`;

/** Writes each artifact at mode 0600: the plan's are fake, but a plain-text stack value may not be. */
function writeArtifacts(dir: string, artifacts: Record<string, string>): string[] {
  const written: string[] = [];
  for (const [name, content] of Object.entries(artifacts).sort()) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, content, { mode: 0o600 });
    chmodSync(path, 0o600);
    written.push(path);
  }
  return written;
}

/** Where the plan writes: the process's stdout and stderr, or a test's buffers. */
export interface PlanIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const PROCESS_IO: PlanIO = { out: (text) => console.log(text), err: (text) => console.error(text) };

async function main(argv: string[], io: PlanIO, root: string): Promise<number> {
  const args = parseCommandLine(argv);
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const choice: StackChoice = args.stack !== undefined ? { name: args.stack, why: "given with --stack" } : selectedStack(root);
  const stack = choice.name;
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack ${JSON.stringify(stack)}: expected a stack name (letters, digits, _ . -)`);
  if (args.out !== undefined) checkOutDir(resolve(args.out));
  const graphProblem = args.graph === undefined ? undefined : graphFileProblem(args.graph);
  if (graphProblem) throw new UsageError(graphProblem);
  const stackPath = args.config ? resolve(args.config) : join(root, `Pulumi.${stack}.yaml`);
  let planned;
  try {
    planned = await evaluateStackFile(root, stackPath, stack);
  } catch (err) {
    if (err instanceof StackFileError) throw new UsageError(err.message);
    if (err instanceof PlanConfigError || err instanceof StackConfigError || err instanceof ConfigError) {
      io.err(`error: ${err.message}`);
      io.err(`\n(from ${stackPath}; set values with pulumi config set, or edit the file)`);
      return 2;
    }
    throw err;
  }
  const { evaluation, merged, project } = planned;

  const artifacts = evaluation.artifacts;
  const heading =
    `Plan for stack "${stack}" (${choice.why}) of ${project}, from ${stackPath}.\n` +
    "Evaluated offline with mocked providers: nothing was created; ids and addresses are fake.";
  if (args.json) {
    io.out(JSON.stringify(planDocument(evaluation), null, 2));
  } else {
    io.out(planTable(evaluation, heading, merged.notes));
  }
  if (args.out) {
    const written = writeArtifacts(resolve(args.out), artifacts);
    const report = `\nWrote ${written.length} artifacts to ${resolve(args.out)}:\n${written.map((p) => `  ${p}`).join("\n")}`;
    // Keep stdout a single JSON document under --json.
    (args.json ? io.err : io.out)(report);
  }
  if (args.graph !== undefined) {
    const report = writePlanGraph(resolve(args.graph), evaluation);
    (args.json ? io.err : io.out)(`\n${report}`);
  }
  return 0;
}

/**
 * The whole command: its exit code, with every message written to `io`. 2 for a problem with
 * the input (one line, no stack trace), 1 for a fault in the program (the trace is for its
 * maintainers). `root` is the project's directory (Pulumi.yaml, the stack files): this
 * repository, or a copy `pulumi new` made under another name.
 */
export async function runPlan(argv: string[], io: PlanIO = PROCESS_IO, root: string = ROOT): Promise<number> {
  try {
    return await main(argv, io, root);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`plan: ${err.message}`);
      return 2;
    }
    io.err(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return 1;
  }
}

if (require.main === module) {
  // Exit only once stdout has been written out: into a pipe (`--json | jq`) Node writes
  // asynchronously, and exiting at once would cut the document at 64 KiB.
  void runPlan(process.argv.slice(2)).then((code) => process.stdout.write("", () => process.exit(code)));
}
