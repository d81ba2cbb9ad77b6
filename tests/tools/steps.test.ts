/**
 * The program's commands as the rehearsal runs them (tools/lib/steps.ts): taken from the
 * real program's registrations, in an order the engine could run them.
 */
import { Step, commandSteps } from "../../tools/lib/steps";
import { minimalConfig, run } from "../helpers/stack";

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
    expect(names(steps)).toEqual(["wait", "files", "host", "install", "sandbox", "configure", "verify"]);
    const configure = byName(steps, "configure");
    expect(configure.kind).toBe("remote");
    expect(configure.stdin).toMatch(/^OPENCLAW_GATEWAY_TOKEN=[0-9a-f]{64}\n$/);
    expect(configure.connection).toMatchObject({ host: "openclaw.tail1234.ts.net", user: "ops", port: 22, dialErrorLimit: 20, perDialTimeout: 30 });
    expect(configure.connection?.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(byName(steps, "wait")).toMatchObject({ kind: "local", create: expect.stringMatching(/^node components\/local\/wait-for-host\.js openclaw\.tail1234\.ts\.net 22 900 'ssh-ed25519 AAAA[A-Za-z0-9+/]+=*'$/) });
  });

  it("refuses a dependency cycle rather than guessing an order", () => {
    const reg = (name: string, deps: string[]) => ({
      type: "command:local:Command", name, urn: `urn:${name}`, parentUrn: "", custom: true, inputs: { create: "true" }, provider: "",
      protect: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [], dependencies: deps, propertyDependencies: {},
    });
    expect(() => commandSteps([reg("a", ["urn:b"]), reg("b", ["urn:a"])])).toThrow(/a dependency cycle among a, b/);
  });
});
