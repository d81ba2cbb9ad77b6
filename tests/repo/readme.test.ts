/**
 * The README and the docs as a test. Every shell line in their ```sh blocks (and every
 * `pulumi …` or `npm run …` command quoted in their text):
 *  - parses as shell (`bash -n`, with `<placeholders>` filled in);
 *  - if it can run here (the offline plan, the tests a doc names), runs as written in a fresh
 *    copy of the tree and exits 0; what it writes is checked (`--json > plan.json` must be one
 *    JSON document);
 *  - `npm test`, `npm ci`, `npm run lint` and `npm run typecheck` are what CI runs, verbatim
 *    (`.ci/run`), so they are checked to be there rather than run inside this run;
 *  - a `pulumi` line uses only the subcommands and flags the CLI's reference documents
 *    (PULUMI_FLAGS), and `pulumi config set` only keys this program declares, lists only by
 *    `--path` (a plain value would store a string the CLI then refuses);
 *  - `npm run X` names a script package.json has, and `npm run pair` arguments its parser takes.
 */
import { execFileSync, spawnSync } from "child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { parse } from "yaml";
import { PROJECT_NAME, PROVIDER_PLACEHOLDERS } from "../../config/keys";
import { pairingCommand } from "../../commands/pair";
import { GLOBAL, PULUMI_FLAGS } from "../helpers/cliFlags";
import { limitMs } from "../limits";

const ROOT = join(__dirname, "../..");
const DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

interface Line {
  readonly doc: string;
  readonly text: string;
}

/** A line without its trailing comment (a `#` after a blank, outside quotes). */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/** Words as the shell splits them (quotes removed), enough for the commands the docs show. */
export function words(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: string | undefined;
  let inWord = false;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = undefined;
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) out.push(current);
  return out;
}

function blocks(doc: string): string[] {
  const text = readFileSync(join(ROOT, doc), "utf8");
  return [...text.matchAll(/^```(?:sh|bash)\n([\s\S]*?)^```/gm)].map((m) => m[1]);
}

const fill = (s: string) => s.replace(/<[A-Za-z][^<>\n]*>/g, "PLACEHOLDER");

function shellLines(): Line[] {
  return DOCS.flatMap((doc) =>
    blocks(doc).flatMap((b) =>
      b
        .split("\n")
        .map(stripComment)
        .map((t) => t.trim())
        .filter((t) => t !== "" && !t.startsWith("#"))
        .map((text) => ({ doc, text })),
    ),
  );
}

/** `pulumi …` and `npm run …` commands quoted inline in the prose. */
function inlineCommands(): Line[] {
  return DOCS.flatMap((doc) => {
    const text = readFileSync(join(ROOT, doc), "utf8").replace(/^```[\s\S]*?^```/gm, "");
    return [...text.matchAll(/`((?:pulumi|npm run) [^`]+)`/g)].map((m) => ({ doc, text: m[1] }));
  });
}


const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { type?: string }> };
const LIST_KEYS = Object.entries(project.config)
  .filter(([, d]) => d.type === "array")
  .map(([k]) => k);

/** The problems with one `pulumi` command line (after `pulumi`), or none. */
export function checkPulumi(args: readonly string[]): string[] {
  const sub = [3, 2, 1].map((n) => args.slice(0, n).join(" ")).find((words) => words in PULUMI_FLAGS);
  // `pulumi stack outputs`: a word after a command that has subcommands of its own is one of them.
  const unknownChild = sub === args[0] && args[1] !== undefined && !args[1].startsWith("-") && Object.keys(PULUMI_FLAGS).some((k) => k.startsWith(`${sub} `));
  if (!sub || unknownChild) return [`pulumi ${args.slice(0, 2).join(" ")}: not a subcommand this check knows from the CLI's reference`];
  const flags = { ...GLOBAL, ...PULUMI_FLAGS[sub] };
  const rest = args.slice(sub.split(" ").length);
  const positional: string[] = [];
  const used = new Set<string>();
  const problems: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a.startsWith("-") && a !== "-" && a !== "--") {
      const name = a.split("=")[0];
      if (!(name in flags)) problems.push(`pulumi ${sub}: ${name} is not one of its flags (${Object.keys(PULUMI_FLAGS[sub]).join(", ") || "none"})`);
      else if (flags[name] && !a.includes("=")) i++;
      used.add(name);
    } else if (a !== "--") positional.push(a);
  }
  if (sub === "config set" && positional.length > 0) {
    const raw = positional[0];
    if (raw === "PLACEHOLDER") return problems;
    const key = raw.replace(/\[.*$/, "");
    const qualified = key.includes(":") ? key : `${PROJECT_NAME}:${key}`;
    const known = qualified.startsWith(`${PROJECT_NAME}:`) ? qualified.slice(PROJECT_NAME.length + 1) in project.config : qualified in PROVIDER_PLACEHOLDERS;
    if (!known) problems.push(`pulumi config set ${raw}: not a key this program declares`);
    const bare = qualified.replace(`${PROJECT_NAME}:`, "");
    if (LIST_KEYS.includes(bare) && !used.has("--path")) problems.push(`pulumi config set ${raw}: a list key needs --path '${bare}[0]'; a plain value stores a string`);
  }
  return problems;
}

const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
const ciRun = readFileSync(join(ROOT, ".ci/run"), "utf8").split("\n").map((l) => l.trim());

/** Lines CI runs itself: this run cannot (npm test would run this very test). */
const RUN_BY_CI = ["npm ci", "npm test", "npm run lint", "npm run typecheck"];

/** Problems with an `npm run` line's script or arguments; none when fine. */
function checkNpmRun(args: readonly string[]): string[] {
  const rest = args.filter((a) => a !== "--silent" && a !== "-s");
  const script = rest[0];
  if (!(script in packageJson.scripts)) return [`npm run ${script}: package.json has no such script`];
  const after = rest.indexOf("--") >= 0 ? rest.slice(rest.indexOf("--") + 1) : [];
  if (script === "pair" && after.length > 0) {
    const own = after.filter((a, i) => a !== "--stack" && after[i - 1] !== "--stack").map((a) => (a === "PLACEHOLDER" ? "a1b2c3d4" : a));
    const parsed = pairingCommand(own);
    if (typeof parsed === "string") return [`npm run pair -- ${after.join(" ")}: ${parsed}`];
  }
  return [];
}

/** A copy of the tree as a clone would have it (tracked and new files, no build output). */
function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-vps-readme-"));
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const f of listed) {
    if (!existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(ROOT, f), join(dir, f));
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** The config the docs' Deploy steps set before they plan their own stack. */
function configureProdAsTheDocsSay(dir: string): void {
  const file = join(dir, "Pulumi.prod.yaml");
  const doc = parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
  doc.config[`${PROJECT_NAME}:tailnet`] = "tail1234.ts.net";
  doc.config[`${PROJECT_NAME}:tailscaleAuthKey`] = { secure: "v1:docs:example" };
  doc.config["hcloud:token"] = { secure: "v1:docs:example" };
  writeFileSync(file, `config:\n${Object.entries(doc.config).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join("\n")}\n`);
}

const lines = shellLines();

describe("the README and docs, as written", () => {
  it("have shell blocks to check", () => {
    expect(lines.length).toBeGreaterThan(40);
    expect(DOCS).toContain("docs/first-deployment.md");
  });

  it("every shell block parses", () => {
    for (const doc of DOCS) {
      for (const b of blocks(doc)) {
        const r = spawnSync("bash", ["-n"], { input: fill(b), encoding: "utf8" });
        expect({ doc, block: b, error: r.stderr }).toEqual({ doc, block: b, error: "" });
      }
    }
  });

  it("every pulumi command uses documented subcommands and flags, and keys this program declares", () => {
    const pulumiLines = [...lines, ...inlineCommands()].filter((l) => /(^|[(;]\s*)pulumi /.test(l.text));
    expect(pulumiLines.length).toBeGreaterThan(30);
    const problems = pulumiLines.flatMap((l) => {
      const w = words(fill(l.text).replace(/^\(umask \d+;\s*/, "").replace(/\)?\s*(>>?|\|).*$/, ""));
      const at = w.indexOf("pulumi");
      return checkPulumi(w.slice(at + 1)).map((p) => `${l.doc}: ${p}`);
    });
    expect(problems).toEqual([]);
  });

  it("the check above fails on what it must", () => {
    expect(checkPulumi(["config", "set", "--json", "tailscaleTags", "[]"])).toEqual(expect.arrayContaining([expect.stringContaining("--json is not one of its flags")]));
    expect(checkPulumi(["config", "set", "tailscaleTags", '["tag:x"]'])).toEqual([expect.stringContaining("a list key needs --path")]);
    expect(checkPulumi(["config", "set", "serverTyp", "cx33"])).toEqual(["pulumi config set serverTyp: not a key this program declares"]);
    expect(checkPulumi(["stack", "outputs"])).toEqual([expect.stringContaining("not a subcommand")]);
    expect(checkPulumi(["config", "set", "--path", "tailscaleTags[0]", "tag:x"])).toEqual([]);
  });

  it("every npm run line names a script, with arguments its parser takes", () => {
    const npm = [...lines, ...inlineCommands()].filter((l) => l.text.startsWith("npm run "));
    expect(npm.length).toBeGreaterThan(5);
    const problems = npm.flatMap((l) => checkNpmRun(words(fill(l.text).replace(/\s*(>>?|\|).*$/, "")).slice(2)).map((p) => `${l.doc}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("npm ci, npm test, lint and typecheck are run by CI exactly as the docs write them", () => {
    const named = lines.filter((l) => RUN_BY_CI.includes(l.text)).map((l) => l.text);
    expect(new Set(named)).toEqual(new Set(["npm ci", "npm test"]));
    for (const line of RUN_BY_CI) expect(ciRun.some((l) => l === line || l.startsWith(`${line} `))).toBe(true);
  });

  it("every line that can run here runs as written in a fresh copy, and exits 0", () => {
    const runnable = lines.filter((l) => /^npm run (--silent )?plan\b/.test(l.text) || l.text.startsWith("npx jest "));
    expect(runnable.map((l) => l.text)).toEqual(
      expect.arrayContaining([
        "npm run plan -- --config examples/hetzner.yaml --out plan-out",
        "npm run --silent plan -- --config examples/digitalocean.yaml --json > plan.json",
        "npm run plan -- --stack prod",
      ]),
    );
    const dir = freshCopy();
    try {
      configureProdAsTheDocsSay(dir);
      for (const l of runnable) {
        const r = spawnSync("bash", ["-c", l.text], { cwd: dir, encoding: "utf8", timeout: limitMs(75), env: { ...process.env, CI: "true" } });
        expect({ doc: l.doc, line: l.text, code: r.status, err: r.status === 0 ? "" : r.stderr.slice(-2000) }).toEqual({ doc: l.doc, line: l.text, code: 0, err: "" });
      }
      // What they wrote: one JSON document, and the artifacts.
      const doc = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as { resources: unknown[] };
      expect(doc.resources.length).toBeGreaterThan(10);
      expect(existsSync(join(dir, "plan-out", "cloud-init.yaml"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, limitMs(225));
});
