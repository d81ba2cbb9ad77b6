import { existsSync, readFileSync, readdirSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { KEYS, KEY_NAMES, PROJECT_NAME } from "../../config/keys";

const project = parse(readFileSync(join(__dirname, "../../Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, { type: string; description: string; default?: unknown; secret?: boolean; items?: { type: string } }>;
};

describe("Pulumi.yaml documents every key the program reads", () => {
  it("names the project as the config namespace", () => {
    expect(project.name).toBe(PROJECT_NAME);
  });

  it("declares exactly the keys of config/keys.ts", () => {
    expect(Object.keys(project.config).sort()).toEqual([...KEY_NAMES].sort());
  });

  it.each(KEY_NAMES)("%s: same type, description and default", (key) => {
    const declared = project.config[key];
    const spec = KEYS[key];
    expect(declared.type).toBe(spec.type);
    expect(declared.description).toBe(spec.description);
    if ("default" in spec) expect(declared.default).toEqual(spec.default);
    else expect(declared).not.toHaveProperty("default");
    if (spec.type === "array") expect(declared.items).toEqual({ type: "string" });
  });

  it("keeps every optional key optional: a declared secret would make the CLI require it", () => {
    for (const key of KEY_NAMES) {
      const declared = project.config[key];
      if (declared.secret) expect("default" in declared).toBe(false);
    }
  });

  it("marks every credential as secret in its description", () => {
    for (const key of KEY_NAMES) {
      const spec = KEYS[key];
      const isSecret = "secret" in spec && spec.secret === true;
      expect(spec.description.startsWith("(secret")).toBe(isSecret);
    }
  });

  it("has no key that could open an inbound port", () => {
    for (const key of KEY_NAMES) {
      expect(key).not.toMatch(/port|inbound|ingress|allow(ed)?(Ip|Cidr|Source)|firewall|publicAccess|expose/i);
    }
  });

  it("docs/configuration.md documents every key", () => {
    const doc = readFileSync(join(__dirname, "../../docs/configuration.md"), "utf8");
    for (const key of KEY_NAMES) expect(doc).toContain(`| \`${key}\` |`);
  });

  it("requires only the tailnet name", () => {
    expect(KEY_NAMES.filter((k) => !("default" in KEYS[k]))).toEqual(["tailnet"]);
  });
});

describe("the documentation", () => {
  it("links every page under docs/ from the README, and every link resolves", () => {
    const root = join(__dirname, "../..");
    const readme = readFileSync(join(root, "README.md"), "utf8");
    for (const page of readdirSync(join(root, "docs"))) expect(readme).toContain(`docs/${page}`);
    for (const [, target] of readme.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
      if (!target.startsWith("http")) expect(existsSync(join(root, target))).toBe(true);
    }
  });
});
