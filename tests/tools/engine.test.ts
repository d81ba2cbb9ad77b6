/**
 * The lifecycle harness itself, on small hand-made programs whose outcome on the real engine
 * is documented (the source of each expectation is named in the test).
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as hcloud from "@pulumi/hcloud";
import * as random from "@pulumi/random";
import { Deployment, DeployOptions, EngineRefusal, StackState, changes, deploy } from "../../tools/lib/engine";
import { unwrap } from "../../commands/lib/mockRuntime";

const base: DeployOptions = { project: "harness", stack: "test", config: {}, secretKeys: [] };

/** A server with ignored user data and a command that runs on it. */
function serverProgram(location: string, userData: string, ignore = true, protect = false) {
  return () => {
    const provider = new hcloud.Provider("hc", { token: "x".repeat(64) });
    const server = new hcloud.Server(
      "srv",
      { name: "srv", serverType: "cx23", image: "ubuntu-24.04", location, userData },
      { provider, ignoreChanges: ignore ? ["userData"] : [], protect },
    );
    const step = new command.local.Command("step", { create: "true", triggers: [server.id] });
    const after = new command.local.Command("after", { create: "echo hi" }, { dependsOn: [server] });
    return { outputs: { id: server.id, step: step.id, after: after.id } };
  };
}

function step(d: Deployment, name: string) {
  const s = d.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name}`);
  return s;
}

function stored(state: StackState, name: string): Record<string, unknown> {
  const r = [...state.values()].find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}`);
  return unwrap(r.inputs) as Record<string, unknown>;
}

describe("the lifecycle harness", () => {
  it("first run creates everything; the same program again changes nothing", async () => {
    const a = await deploy(serverProgram("fsn1", "one"), base);
    expect(a.steps.filter((s) => s.type !== "pulumi:pulumi:Stack").every((s) => s.op === "create")).toBe(true);
    const b = await deploy(serverProgram("fsn1", "one"), { ...base, prior: a.state });
    expect(changes(b)).toEqual([]);
  });

  it("ignoreChanges: a new value alone is no change (the old input is kept in state)", async () => {
    const a = await deploy(serverProgram("fsn1", "first boot A"), base);
    const b = await deploy(serverProgram("fsn1", "first boot B"), { ...base, prior: a.state });
    expect(step(b, "srv").op).toBe("same");
    expect(stored(b.state, "srv").userData).toBe("first boot A");
  });

  it("ignoreChanges: a replacement is created from the program's value (step_generator.go re-checks goal.Properties)", async () => {
    const a = await deploy(serverProgram("fsn1", "first boot A"), base);
    const b = await deploy(serverProgram("fsn1", "first boot B"), { ...base, prior: a.state });
    const c = await deploy(serverProgram("nbg1", "first boot C"), { ...base, prior: b.state });
    expect(step(c, "srv")).toMatchObject({ op: "replace", because: ["location"] });
    expect(stored(c.state, "srv").userData).toBe("first boot C");
    // A --replace target likewise (isTargetedReplace: checked from goal.Properties).
    const d = await deploy(serverProgram("nbg1", "first boot D"), { ...base, prior: c.state, replace: ["srv"] });
    expect(stored(d.state, "srv").userData).toBe("first boot D");
  });

  it("protect: a replacement is refused only when both the old state and the goal protect the resource (pulumi/pulumi#8873)", async () => {
    const a = await deploy(serverProgram("fsn1", "A", true, true), base);
    const lifted = await deploy(serverProgram("hel1", "A", true, false), { ...base, prior: a.state });
    expect(step(lifted, "srv").op).toBe("replace");
  });

  it("without ignoreChanges a user data change replaces the server (hcloud: user_data ForceNew)", async () => {
    const a = await deploy(serverProgram("fsn1", "A", false), base);
    const b = await deploy(serverProgram("fsn1", "B", false), { ...base, prior: a.state });
    expect(step(b, "srv")).toMatchObject({ op: "replace", because: ["userData"] });
    expect(stored(b.state, "srv").userData).toBe("B");
  });

  it("a replaced server has a new id: a command triggered by it is replaced and runs create; dependsOn alone re-runs nothing", async () => {
    const a = await deploy(serverProgram("fsn1", "A"), base);
    const b = await deploy(serverProgram("hel1", "A"), { ...base, prior: a.state });
    expect(step(b, "step")).toMatchObject({ op: "replace", because: ["triggers"], runs: "create" });
    expect(step(b, "after").op).toBe("same");
  });

  it("a protected resource that must be replaced stops the deployment", async () => {
    const a = await deploy(serverProgram("fsn1", "A", true, true), base);
    await expect(deploy(serverProgram("hel1", "A", true, true), { ...base, prior: a.state })).rejects.toThrow(EngineRefusal);
  });

  it("--replace replaces the named resource and whatever its new outputs reach", async () => {
    const a = await deploy(serverProgram("fsn1", "A"), base);
    const b = await deploy(serverProgram("fsn1", "A"), { ...base, prior: a.state, replace: ["srv"] });
    expect(step(b, "srv")).toMatchObject({ op: "replace", because: ["--replace"] });
    expect(step(b, "step").op).toBe("replace");
  });

  it("commands: an input other than triggers is an update, which runs `update`, or `create` without one (pulumi-command 1.2.1)", async () => {
    const prog = (stdin: string, update?: string) => () => {
      const c = new command.local.Command("c", { create: "cat", stdin, ...(update ? { update } : {}) });
      return { outputs: { out: c.stdout } };
    };
    const a = await deploy(prog("one"), base);
    expect(step(a, "c")).toMatchObject({ op: "create", runs: "create" });
    const b = await deploy(prog("two"), { ...base, prior: a.state });
    expect(step(b, "c")).toMatchObject({ op: "update", changed: ["stdin"], runs: "create" });
    const c = await deploy(prog("three", "cat >/dev/null"), { ...base, prior: b.state });
    expect(step(c, "c")).toMatchObject({ op: "update", runs: "update" });
  });

  it("random values: a keeper change replaces them with new bytes, which reach their consumers", async () => {
    const prog = (version: string) => () => {
      const bytes = new random.RandomBytes("b", { length: 32, keepers: { version } });
      const c = new command.local.Command("use", { create: "cat", stdin: bytes.hex });
      return { outputs: { hex: bytes.hex, c: c.id } };
    };
    const a = await deploy(prog("1"), base);
    const b = await deploy(prog("2"), { ...base, prior: a.state });
    expect(step(b, "b").op).toBe("replace");
    expect(step(b, "use")).toMatchObject({ op: "update", changed: ["stdin"] });
    expect(b.evaluation.outputs.hex.value).not.toBe(a.evaluation.outputs.hex.value);
    const again = await deploy(prog("2"), { ...base, prior: b.state });
    expect(again.evaluation.outputs.hex.value).toBe(b.evaluation.outputs.hex.value);
    expect(changes(again)).toEqual([]);
  });

  it("a resource the program no longer declares is deleted, and a command's delete runs", async () => {
    const prog = (keep: boolean) => () => {
      if (keep) new command.local.Command("gone", { create: "true", delete: "echo bye" });
      return { outputs: {} };
    };
    const a = await deploy(prog(true), base);
    const b = await deploy(prog(false), { ...base, prior: a.state });
    expect(step(b, "gone")).toMatchObject({ op: "delete", runs: "delete" });
  });

  it("replaceWith and replaceOnChanges (SDK 3.248 options) replace as documented", async () => {
    const prog = (length: number, label: string) => () => {
      const key = new random.RandomBytes("k", { length });
      const c = new command.local.Command("w", { create: "true" }, { replaceWith: [key] });
      const d = new command.local.Command("r", { create: `echo ${label}` }, { replaceOnChanges: ["create"] });
      return { outputs: { c: c.id, d: d.id } };
    };
    const a = await deploy(prog(16, "x"), base);
    const b = await deploy(prog(32, "y"), { ...base, prior: a.state });
    expect(step(b, "w").op).toBe("replace");
    expect(step(b, "r")).toMatchObject({ op: "replace", because: ["create"] });
  });

  it("refuses a resource type it has no rule for", async () => {
    const prog = () => {
      class Thing extends pulumi.CustomResource {}
      new Thing("made:up/thing:Thing", "t", {});
      return { outputs: {} };
    };
    await expect(deploy(prog, base)).rejects.toThrow("no replace rule for made:up/thing:Thing");
  });

  it("delete before replace: the dependents replaced with it are deleted first, deepest first; dependsOn-only and update-only ones are not (calculateDependentReplacements)", async () => {
    const prog = (location: string) => () => {
      const provider = new hcloud.Provider("hc", { token: "x".repeat(64) });
      const server = new hcloud.Server("srv", { name: "srv", serverType: "cx23", image: "ubuntu-24.04", location }, { provider, deleteBeforeReplace: true });
      const a = new command.local.Command("a", { create: "true", delete: "echo a", triggers: [server.id] });
      const b = new command.local.Command("b", { create: "true", delete: "echo b", triggers: [server.id], environment: { FROM_A: a.stdout } });
      const onlyDependsOn = new command.local.Command("c", { create: "true" }, { dependsOn: [server] });
      const onlyCreate = new command.local.Command("d", { create: pulumi.interpolate`echo ${server.id}` });
      return { outputs: { a: a.id, b: b.id, c: onlyDependsOn.id, d: onlyCreate.id } };
    };
    const first = await deploy(prog("fsn1"), base);
    const moved = await deploy(prog("hel1"), { ...base, prior: first.state });
    expect(step(moved, "srv")).toMatchObject({ op: "replace", deletesFirst: ["b", "a"] });
    expect(step(moved, "c").op).toBe("same");
    expect(step(moved, "d")).toMatchObject({ op: "update", runs: "create" });
  });
});
