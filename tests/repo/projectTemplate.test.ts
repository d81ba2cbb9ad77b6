/**
 * Pulumi.yaml's `template:` section: what `pulumi new <this repository>` prompts for. The whole
 * file is held against the CLI's own project schema (a copy of the pinned sdk/v3's
 * go/common/workspace/project.json in tests/fixtures; tests/engine/projectTemplate.test.ts
 * holds the copy to the module), and every prompt is for a key the program reads, secret
 * exactly when the program reads the key as a secret.
 */
import Ajv2020 from "ajv/dist/2020";
import { execFileSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { KEYS, KEY_NAMES, KeyName, KeySpec, PROJECT_NAME, PROVIDER_PLACEHOLDERS, PROVIDER_SECRET_KEYS } from "../../config/keys";

const ROOT = join(__dirname, "../..");
const schema = JSON.parse(readFileSync(join(ROOT, "tests/fixtures/pulumi-project.schema.json"), "utf8")) as object;
const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown> & {
  template: { config: Record<string, { description?: string; default?: unknown; secret?: boolean }> };
};
const prompts = project.template.config;
const prompted = Object.keys(prompts);

/** A validator for the CLI's project schema (JSON Schema 2020-12, as its $schema says). */
function projectValidator() {
  // Ajv's strict schema checks (an unknown keyword or format is refused), with what the
  // schema's authors write and JSON Schema allows: union types ("type": ["string", "null"])
  // and "properties" without "type": "object".
  const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strictTypes: false });
  return ajv.compile(schema);
}

/** A program key, or undefined for a provider key (`hcloud:token`). */
const programKey = (key: string): KeyName | undefined => (KEY_NAMES.includes(key as KeyName) ? (key as KeyName) : undefined);
const isSecret = (key: string): boolean => {
  const own = programKey(key);
  return own ? (KEYS[own] as KeySpec).secret === true : PROVIDER_SECRET_KEYS.includes(key);
};

describe("Pulumi.yaml against the CLI's project schema", () => {
  const validate = projectValidator();

  it("the copy is the CLI's project schema, for JSON Schema 2020-12", () => {
    expect(schema).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", title: "Pulumi Project" });
  });

  it("is valid as a whole, its template section included", () => {
    validate(project);
    expect(validate.errors ?? []).toEqual([]);
  });

  it("would be refused with a misspelt template field or a prompt's secret that is not a boolean", () => {
    expect(validate({ ...project, template: { ...project.template, prompts: {} } })).toBe(false);
    expect(validate.errors?.map((e) => e.keyword)).toContain("additionalProperties");
    const tailnet = prompts.tailnet;
    expect(validate({ ...project, template: { ...project.template, config: { ...prompts, tailnet: { ...tailnet, secret: "yes" } } } })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain("/template/config/tailnet/secret");
  });
});

describe("what pulumi new prompts for", () => {
  it("prompts only for keys the program reads: its own keys without a namespace, the providers' with theirs", () => {
    // The CLI prepends the project's name to a key without one, whatever the user names the
    // project; a key written `openclaw-vps:...` would not follow a renamed project.
    const unread = prompted.filter((k) => !programKey(k) && !(k in PROVIDER_PLACEHOLDERS));
    expect(unread).toEqual([]);
    expect(prompted.filter((k) => k.startsWith(`${PROJECT_NAME}:`))).toEqual([]);
  });

  it("prompts for every key the program requires (no default)", () => {
    const required = KEY_NAMES.filter((k) => !("default" in KEYS[k]));
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((k) => !prompted.includes(k))).toEqual([]);
  });

  it("prompts for what a new stack needs: the cloud, the tailnet, the owner and every usual credential", () => {
    const needed = ["cloud", "tailnet", "telegramOwnerId", "hcloud:token", "digitalocean:token", "tailscale:oauthClientId", "tailscale:oauthClientSecret", "tailscaleAuthKey", "telegramBotToken", "anthropicApiKey", "openaiApiKey"];
    expect(needed.filter((k) => !prompted.includes(k))).toEqual([]);
  });

  it("marks a prompt secret exactly when the program reads its key as a secret, so the answer is stored encrypted", () => {
    const marked = prompted.filter((k) => prompts[k].secret === true).sort();
    expect(marked).toEqual(prompted.filter(isSecret).sort());
    expect(marked.length).toBeGreaterThan(0);
  });

  it("offers the program's own default where it has one, as the string the CLI reads, and no other", () => {
    for (const key of prompted) {
      const own = programKey(key);
      const spec = own ? (KEYS[own] as KeySpec) : undefined;
      const programDefault = spec?.default === undefined || spec.default === "" ? undefined : String(spec.default);
      expect({ key, default: prompts[key].default }).toEqual({ key, default: programDefault });
    }
  });

  it("describes every prompt on its own line: the CLI asks them by namespace and name, not in this file's order", () => {
    for (const key of prompted) {
      const description = prompts[key].description ?? "";
      expect({ key, ok: description.length > 10 && !description.includes("\n") }).toEqual({ key, ok: true });
    }
  });
});

describe("the tree as pulumi new copies it", () => {
  // The CLI replaces two placeholders in every text file it copies from a template
  // (pkg/cmd/pulumi/newcmd): a dollar sign and PROJECT in braces becomes the project's name,
  // DESCRIPTION in braces its description. So a template literal naming a constant PROJECT
  // would be rewritten in the copy (`my-claw:` where `openclaw-vps:` was meant).
  const placeholder = new RegExp("\\$\\{(PROJECT|DESCRIPTION)\\}");

  it("holds neither placeholder in any file", () => {
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    const hits = files.filter((f) => existsSync(join(ROOT, f)) && placeholder.test(readFileSync(join(ROOT, f), "latin1")));
    expect(hits).toEqual([]);
  });

  it("the check finds one", () => {
    expect(placeholder.test("const k = `" + "$" + "{PROJECT}:tailnet`;")).toBe(true);
    expect(placeholder.test("const k = `" + "$" + "{PROJECT_NAME}:tailnet`;")).toBe(false);
  });

  it("ships a prod stack file whose keys carry no namespace, so they fit any project name", () => {
    const doc = parse(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> };
    expect(Object.keys(doc.config).length).toBeGreaterThan(0);
    expect(Object.keys(doc.config).filter((k) => k.includes(":"))).toEqual([]);
  });
});
