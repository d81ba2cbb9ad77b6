/**
 * The program's commands as the rehearsal runs them (scripts/lib/steps.ts): taken from the
 * real program's registrations, in an order the engine could run them, with the engine's
 * and pulumi-command's rules for what runs again.
 */
import { PROJECT } from "../../config/keys";
import { Step, changeOf, commandFor, commandSteps } from "../../scripts/lib/steps";
import { minimalConfig, run } from "../helpers/stack";

const k = (key: string) => `${PROJECT}:${key}`;
const names = (steps: readonly Step[]) => steps.map((s) => s.name.replace("openclaw-gateway-", ""));
const byName = (steps: readonly Step[], name: string) => {
  const s = steps.find((x) => x.name === `openclaw-gateway-${name}`);
  if (!s) throw new Error(`no ${name}`);
  return s;
};

describe("commandSteps", () => {
  it("lists every command after what it depends on, with secrets unwrapped and pulumi-command's defaults", async () => {
    const ev = await run(minimalConfig());
    const steps = commandSteps(ev.registrations);
    expect(names(steps)).toEqual(["wait", "ready", "files", "install", "sandbox", "configure", "verify"]);
    const configure = byName(steps, "configure");
    expect(configure.kind).toBe("remote");
    expect(configure.stdin).toMatch(/^OPENCLAW_GATEWAY_TOKEN=[0-9a-f]{64}\n$/);
    expect(configure.connection).toMatchObject({ host: "openclaw.tail1234.ts.net", user: "ops", port: 22, dialErrorLimit: 20, perDialTimeout: 30 });
    expect(configure.connection?.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(byName(steps, "wait")).toMatchObject({ kind: "local", create: "node scripts/wait-for-host.js openclaw.tail1234.ts.net 22 900" });
  });

  it("refuses a dependency cycle rather than guessing an order", () => {
    const reg = (name: string, deps: string[]) => ({
      type: "command:local:Command", name, urn: `urn:${name}`, parentUrn: "", custom: true, inputs: { create: "true" }, provider: "",
      protect: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [], dependencies: deps, propertyDependencies: {},
    });
    expect(() => commandSteps([reg("a", ["urn:b"]), reg("b", ["urn:a"])])).toThrow(/a dependency cycle among a, b/);
  });
});

describe("changeOf and commandFor", () => {
  it("a new token replaces only the configure step (its secret hash trigger) and verify (its run id)", async () => {
    const before = commandSteps((await run(minimalConfig(), { runId: "one" })).registrations);
    const after = commandSteps((await run(minimalConfig({ plain: { [k("gatewayTokenVersion")]: "2" } }), { runId: "two" })).registrations);
    const changed = after.map((s) => [s.name.replace("openclaw-gateway-", ""), changeOf(before.find((b) => b.urn === s.urn), s)]);
    expect(changed).toEqual([
      ["wait", "same"],
      ["ready", "same"],
      ["files", "same"],
      ["install", "same"],
      ["sandbox", "same"],
      ["configure", "replace"],
      ["verify", "replace"],
    ]);
  });

  it("follows pulumi-command: triggers replace (create runs); other inputs update (update, else create)", () => {
    const base: Step = { name: "s", urn: "u", kind: "local", create: "c", triggers: ["1"], inputs: { create: "c", triggers: ["1"] } };
    expect(changeOf(undefined, base)).toBe("create");
    expect(changeOf(base, base)).toBe("same");
    expect(changeOf(base, { ...base, triggers: ["2"], inputs: { ...base.inputs, triggers: ["2"] } })).toBe("replace");
    const newStdin = { ...base, stdin: "x", inputs: { ...base.inputs, stdin: "x" } };
    expect(changeOf(base, newStdin)).toBe("update");
    expect(commandFor("update", newStdin)).toBe("c");
    expect(commandFor("update", { ...newStdin, update: "u" })).toBe("u");
    expect(commandFor("replace", { ...newStdin, update: "u" })).toBe("c");
    expect(commandFor("same", base)).toBeUndefined();
  });
});
