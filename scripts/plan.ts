/**
 * npm run plan -- [--stack NAME] [--config FILE] [--json] [--out DIR]
 *
 * Evaluates the real program offline under the SDK's mock runtime: no Pulumi CLI, no
 * provider plugins, no credentials, no network. Shows every resource the program would
 * register, its facts and the stack outputs; writes the rendered artifacts with --out.
 * Exit codes: 0 planned, 2 invalid configuration (nothing written), 1 anything else.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { parseArgs } from "util";
import { ConfigError } from "../config";
import { evaluateStackFile } from "./lib/planEvaluation";
import { planDocument, planTable } from "./lib/present";
import { StackConfigError } from "./lib/stackFile";

const ROOT = resolve(__dirname, "..");

const USAGE = `usage: npm run plan -- [--stack NAME] [--config FILE] [--json] [--out DIR]

  --stack NAME   read Pulumi.NAME.yaml (default: prod)
  --config FILE  read FILE instead (same format: a config: map of namespaced keys)
  --json         print one JSON document; every secret value is "[secret]"
  --out DIR      write every rendered artifact (cloud-init.yaml, scripts) into DIR`;

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

async function main(argv: string[]): Promise<number> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string", default: "prod" },
      config: { type: "string" },
      json: { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const stack = args.stack ?? "prod";
  const stackPath = args.config ? resolve(args.config) : join(ROOT, `Pulumi.${stack}.yaml`);
  if (!existsSync(stackPath)) {
    console.error(`plan: no stack settings at ${stackPath}`);
    return 2;
  }
  let planned;
  try {
    planned = await evaluateStackFile(ROOT, stackPath, stack);
  } catch (err) {
    if (err instanceof StackConfigError || err instanceof ConfigError) {
      console.error(`error: ${err.message}`);
      console.error(`\n(from ${stackPath}; set values with pulumi config set, or edit the file)`);
      return 2;
    }
    throw err;
  }
  const { evaluation, merged, project } = planned;

  const artifacts = evaluation.artifacts;
  const heading =
    `Plan for stack "${stack}" of ${project}, from ${stackPath}.\n` +
    "Evaluated offline with mocked providers: nothing was created; ids and addresses are fake.";
  if (args.json) {
    console.log(JSON.stringify(planDocument(evaluation), null, 2));
  } else {
    console.log(planTable(evaluation, heading, merged.notes));
  }
  if (args.out) {
    const written = writeArtifacts(resolve(args.out), artifacts);
    const report = `\nWrote ${written.length} artifacts to ${resolve(args.out)}:\n${written.map((p) => `  ${p}`).join("\n")}`;
    // Keep stdout a single JSON document under --json.
    (args.json ? console.error : console.log)(report);
  }
  return 0;
}

// Exit only once stdout has been written out: into a pipe (`--json | jq`) Node writes
// asynchronously, and exiting at once would cut the document at 64 KiB.
const exitAfterOutput = (code: number) => process.stdout.write("", () => process.exit(code));

main(process.argv.slice(2)).then(
  (code) => exitAfterOutput(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
