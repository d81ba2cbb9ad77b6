/**
 * Reads Pulumi.yaml and a stack settings file the way the Pulumi CLI does before it starts
 * a program: project defaults applied, missing required keys and mistyped values refused
 * with the CLI's own wording, and values handed over as strings (lists as JSON).
 */
import { readFileSync, statSync } from "fs";
import { parse } from "yaml";

export interface ProjectConfigType {
  readonly type?: string;
  readonly items?: { readonly type: string };
  readonly default?: unknown;
  readonly value?: unknown;
  readonly secret?: boolean;
  readonly description?: string;
}

export interface ProjectFile {
  readonly name: string;
  readonly config: Readonly<Record<string, ProjectConfigType>>;
}

/** Config ready for the program, and what the plan should tell the reader about it. */
export interface MergedConfig {
  readonly values: Record<string, string>;
  readonly secretKeys: string[];
  readonly notes: string[];
}

/** One refusal, in the CLI's wording, and the config key it is about. */
export interface StackProblem {
  readonly key: string;
  readonly message: string;
}

/**
 * The CLI refused the configuration before the program would have run. The CLI stops at its
 * first refusal; this lists every one (the CLI's wording for each), and keeps the values as
 * read so the program's own checks can name what else is wrong.
 */
export class StackConfigError extends Error {
  constructor(
    readonly problems: readonly StackProblem[],
    readonly merged?: MergedConfig,
  ) {
    super(problems.map((p) => p.message).join("\n"));
    this.name = "StackConfigError";
  }
}

/** A stack settings file that cannot be read at all: not there, not a file, not YAML. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

export function readProjectFile(path: string): ProjectFile {
  const doc = parse(readFileSync(path, "utf8")) as { name?: unknown; config?: Record<string, unknown> };
  if (typeof doc?.name !== "string") throw new Error(`${path}: no project name`);
  const config: Record<string, ProjectConfigType> = {};
  for (const [key, decl] of Object.entries(doc.config ?? {})) {
    // A bare value is an untyped default.
    config[key] = typeof decl === "object" && decl !== null && !Array.isArray(decl) ? decl : { default: decl };
  }
  return { name: doc.name, config };
}

/** A stack settings file's config and the ESC environments it imports. */
export interface StackSettings {
  readonly config: Record<string, unknown>;
  /**
   * What its `environment:` imports, as the CLI names them (workspace/project.go,
   * Environment.Imports): the listed environments, or an inline definition's `imports`, and
   * `yaml` for an inline definition's own `values`.
   */
  readonly environments: string[];
}

/** The `config:` map of a stack settings file (empty when the file has none). */
export function readStackFile(path: string): Record<string, unknown> {
  return readStackSettings(path).config;
}

/** The names an `environment:` block imports: a list of names, or a definition with `imports:` (and `values:`). */
function environmentImports(path: string, environment: unknown): string[] {
  if (environment === undefined || environment === null) return [];
  const name = (entry: unknown): string => {
    if (typeof entry === "string") return entry;
    // `- name: {merge: false}`
    if (typeof entry === "object" && entry !== null && !Array.isArray(entry) && Object.keys(entry).length === 1) return Object.keys(entry)[0];
    throw new StackFileError(`${path}: environment: has an entry that is not an environment name: ${JSON.stringify(entry)}`);
  };
  if (Array.isArray(environment)) return environment.map(name);
  if (typeof environment === "object") {
    const def = environment as { imports?: unknown; values?: unknown };
    const imports = def.imports === undefined ? [] : Array.isArray(def.imports) ? def.imports.map(name) : [name(def.imports)];
    return def.values !== undefined ? [...imports, "yaml"] : imports;
  }
  throw new StackFileError(`${path}: environment: is neither a list of environment names nor an environment definition`);
}

/** The config map and the imported environments of a stack settings file. */
export function readStackSettings(path: string): StackSettings {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new StackFileError(`${path} is not a file: give a stack settings file (Pulumi.<stack>.yaml)`);
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof StackFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new StackFileError(code === "ENOENT" ? `no stack settings at ${path}` : `cannot read ${path}: ${code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    // The parser's first line names the fault and where: "... at line 3, column 1:".
    throw new StackFileError(`${path} is not valid YAML: ${String((err as Error).message).split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return { config: {}, environments: [] };
  const config = (doc as { config?: unknown }).config;
  if (typeof doc !== "object" || Array.isArray(doc) || (config !== undefined && (typeof config !== "object" || config === null || Array.isArray(config)))) {
    throw new StackFileError(`${path} is not a stack settings file: expected a top-level config: map of namespaced keys`);
  }
  return {
    config: (config as Record<string, unknown> | undefined) ?? {},
    environments: environmentImports(path, (doc as { environment?: unknown }).environment),
  };
}

/** How the CLI hands a config value to a program: scalars as text, structures as JSON. */
function asConfigString(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function isSecure(value: unknown): value is { secure: string } {
  return typeof value === "object" && value !== null && typeof (value as { secure?: unknown }).secure === "string";
}

function matchesType(decl: ProjectConfigType, value: string): boolean {
  switch (decl.type) {
    case undefined:
    case "string":
      return true;
    case "integer":
      return /^-?\d+$/.test(value);
    case "boolean":
      return value === "true" || value === "false";
    case "array": {
      try {
        const parsed: unknown = JSON.parse(value);
        const itemType = decl.items?.type ?? "string";
        return Array.isArray(parsed) && parsed.every((v) => (itemType === "string" ? typeof v === "string" : true));
      } catch {
        return false;
      }
    }
    default:
      return true;
  }
}

function typeName(decl: ProjectConfigType): string {
  return decl.type === "array" ? `array<${decl.items?.type ?? "string"}>` : (decl.type ?? "string");
}

/** The CLI's "missing configuration values 'a', 'b' and 'c'" list. */
function formatMissing(keys: string[]): string {
  const quoted = [...keys].sort().map((k) => `'${k}'`);
  if (quoted.length === 1) return `value ${quoted[0]}`;
  return `values ${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/**
 * Merges project and stack config. `placeholders` stand in for encrypted values, which the
 * plan never decrypts. A secret stored in plain text is handed over as plain, as the CLI would,
 * so the program refuses it as it does on `pulumi up`. With `environments` imported, a required
 * key the stack file lacks may come from them: it gets its placeholder and a note instead of
 * the CLI's "missing" refusal.
 */
export function mergeStackConfig(
  project: ProjectFile,
  stackName: string,
  stackConfig: Readonly<Record<string, unknown>>,
  placeholders: Readonly<Record<string, string>>,
  environments: readonly string[] = [],
): MergedConfig {
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const notes: string[] = [];
  const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);

  for (const [rawKey, value] of Object.entries(stackConfig)) {
    const key = qualify(rawKey);
    if (isSecure(value)) {
      values[key] = placeholders[key] ?? `PLACEHOLDER-${key.replace(/[^A-Za-z0-9]/g, "-")}`;
      secretKeys.add(key);
      notes.push(`${key} is encrypted; the plan uses an obviously fake placeholder in its place`);
      continue;
    }
    values[key] = asConfigString(value);
  }

  const missing: string[] = [];
  const problems: StackProblem[] = [];
  for (const declKey of Object.keys(project.config).sort()) {
    const decl = project.config[declKey];
    const key = qualify(declKey);
    if (!(key in values)) {
      const fallback = decl.default ?? decl.value;
      if (fallback === undefined || fallback === null) {
        if (!key.startsWith(`${project.name}:`)) continue;
        if (environments.length > 0 && placeholders[key] !== undefined) {
          values[key] = placeholders[key];
          notes.push(`${key} is not in the stack file: it may come from ${environments.join(", ")}; the plan uses a placeholder`);
        } else {
          missing.push(declKey);
        }
        continue;
      }
      values[key] = asConfigString(fallback);
      continue;
    }
    if (decl.secret && !secretKeys.has(key)) {
      problems.push({ key, message: `Stack '${stackName}' with configuration key '${declKey}' must be encrypted as it's secret` });
    } else if (decl.type && !matchesType(decl, values[key])) {
      problems.push({ key, message: `Stack '${stackName}' with configuration key '${declKey}' must be of type '${typeName(decl)}'` });
    }
  }
  if (missing.length > 0) {
    problems.unshift({ key: missing.map(qualify).join(","), message: `Stack '${stackName}' is missing configuration ${formatMissing(missing)}` });
  }
  const merged = { values, secretKeys: [...secretKeys].sort(), notes };
  if (problems.length > 0) throw new StackConfigError(problems, merged);
  return merged;
}
