/**
 * npm run verify [-- --stack NAME]
 *
 * Runs the server's self-check now (selfcheck.sh, the same checks as the deployment's verify
 * step and the daily timer) over the tailnet with the deploy key, and prints its summary:
 * one JSON line on stdout, and the problems, if any, on stderr. Exit code: 0 clean, 1 not
 * clean (or the server could not be reached), 2 bad arguments.
 */
import { STEP_SCRIPTS } from "../gateway";
import { onServer, stackOption } from "./lib/remote";

export const USAGE = "usage: npm run verify [-- --stack NAME]";

/** What the summary says, for a person: the problems, one per line, or that all is clean. */
export function describeSummary(line: string): { ok: boolean; text: string } {
  let parsed: { ok?: unknown; problems?: unknown; openclaw?: unknown } | undefined;
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed.ok !== "boolean") return { ok: false, text: "the self-check printed no summary: see the output above" };
  if (parsed.ok) return { ok: true, text: `clean: ${String(parsed.openclaw)}` };
  const problems = Array.isArray(parsed.problems) ? parsed.problems.map(String) : [];
  return { ok: false, text: ["not clean:", ...problems.map((p) => `  - ${p}`)].join("\n") };
}

async function main(argv: string[]): Promise<number> {
  const { stack, rest } = stackOption(argv);
  if (rest.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const r = await onServer(stack, ["sudo", STEP_SCRIPTS.selfcheck], true);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (line) console.log(line);
  const described = describeSummary(line);
  console.error(described.text);
  return r.code === 0 && described.ok ? 0 : 1;
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
