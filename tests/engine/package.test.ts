/**
 * The component package through the real CLI: what `pulumi package add` and
 * `pulumi package get-schema` get from the plugin (started by the Node.js language host
 * through @pulumi/pulumi's run-plugin) is the checked-in pkg/schema.json, compared as the CLI
 * encodes both: the CLI re-encodes a schema through its Go structs, so neither side is ever
 * byte-equal to the file itself.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cli, installStandIns, toolchainBin } from "../../tools/lib/realEngine";
import { describeReal } from "./dayTwo";

const REPO = path.resolve(__dirname, "..", "..");
const bin = toolchainBin() ?? "";
/**
 * What the CLI printed besides npm's report of installing the package's own dependencies,
 * which it does (the Node.js host's InstallDependencies, `npm install`) before it starts the plugin.
 */
const beyondInstall = (stderr: string) =>
  stderr
    .split("\n")
    .filter((l) => !/^((up to date|(added|changed|removed|audited) \d+ packages?)(, .*)? in [\d.]+m?s|\d+ packages? (is|are) looking for funding|\s+run `npm fund` for details|)$/.test(l))
    .join("\n");

describeReal("the package through the real CLI", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-package-"));
    // The package's dependencies' plugins: without them the CLI tries to download each one,
    // automatic acquisition off or not.
    installStandIns(bin, home(), path.join(scratch, "plugins"));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const home = () => path.join(scratch, "home");

  it("the plugin serves the checked-in schema", () => {
    const served = cli(bin, ["package", "get-schema", REPO], scratch, home());
    expect(beyondInstall(served.stderr)).toBe("");
    expect(served.code).toBe(0);
    const committed = cli(bin, ["package", "get-schema", path.join(REPO, "pkg", "schema.json")], scratch, home());
    expect(committed.code).toBe(0);
    expect(JSON.parse(served.stdout)).toMatchObject({ name: "openclaw-vps", resources: { "openclaw-vps:index:OpenClawGateway": expect.any(Object) } });
    expect(served.stdout).toBe(committed.stdout);
    // The file itself differs from both: compare through the CLI, never with the file.
    expect(served.stdout).not.toBe(fs.readFileSync(path.join(REPO, "pkg", "schema.json"), "utf8"));
  });

  it("starts for a TypeScript consumer whose tsconfig.json is not strict (run-plugin type-checks with the consumer's)", () => {
    const consumer = path.join(scratch, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: false, target: "ES2020", module: "commonjs" } }));
    const served = cli(bin, ["package", "get-schema", REPO], consumer, home());
    expect({ code: served.code, stderr: beyondInstall(served.stderr) }).toEqual({ code: 0, stderr: "" });
    const committed = cli(bin, ["package", "get-schema", path.join(REPO, "pkg", "schema.json")], consumer, home());
    expect(served.stdout).toBe(committed.stdout);
  });

  it("is refused from the repository's own root, where Pulumi.yaml and PulumiPlugin.yaml sit side by side", () => {
    // workspace.LoadBaseProjectFrom: a plugin and a project at the same depth is an error;
    // so CI and docs/package.md run package commands from outside the repository.
    const r = cli(bin, ["package", "get-schema", "."], REPO, home());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("detected both PulumiPlugin.yaml and Pulumi.yaml");
  });
});
