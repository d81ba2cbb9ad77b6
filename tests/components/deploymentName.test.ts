/**
 * The deployment's name on the operator's machine (deploymentName): the carried state's
 * directory and the deploy key's file. One name per deployment, for every valid project,
 * stack and gateway name; the name every stack had before where that stays one deployment's.
 */
import fc from "fast-check";
import { DEFAULT_NAME, NAME_PART, deploymentName, formerDeploymentName } from "../../components/openclawGateway";
import { shellArg } from "../../cloud-init/shell";
import { deploymentArb } from "../helpers/arbitraries";
import { minimalConfig, run, unwrap } from "../helpers/stack";

type Deployment = { project: string; stack: string; name: string };
const named = (d: Deployment) => deploymentName(d.project, d.stack, d.name);
const key = (d: Deployment) => JSON.stringify([d.project, d.stack, d.name]);

/**
 * Every deployment whose names are at most three of `a`, `.`, `-` (and the default gateway):
 * small enough to try all, and every way a `-` can fall between the parts is among them.
 */
function everySmallDeployment(): Deployment[] {
  const parts = ["a", ".", "-"].flatMap((x) => ["", ...["a", ".", "-"]].flatMap((y) => ["", "a", ".", "-"].map((z) => x + y + z)));
  const unique = [...new Set(parts)];
  const gateways = [DEFAULT_NAME, ...unique.filter((p) => /^[A-Za-z0-9]/.test(p))];
  return unique.flatMap((project) => unique.flatMap((stack) => gateways.map((name) => ({ project, stack, name }))));
}

/** Two different deployments that the naming gives one name, among every small one. */
function collision(name: (d: Deployment) => string): [Deployment, Deployment] | undefined {
  const seen = new Map<string, Deployment>();
  for (const d of everySmallDeployment()) {
    const n = name(d);
    const other = seen.get(n);
    if (other) return [other, d];
    seen.set(n, d);
  }
  return undefined;
}

describe("deploymentName", () => {
  it("gives different deployments different names (any valid project, stack and gateway name)", () => {
    fc.assert(
      fc.property(deploymentArb, deploymentArb, (a, b) => {
        fc.pre(key(a) !== key(b));
        expect(named(a)).not.toBe(named(b));
      }),
      { numRuns: 5000 },
    );
  });

  it("reads back as the deployment it names: the parts are recovered from the name alone", () => {
    const parse = (n: string): Deployment => {
      if (!n.includes("+")) {
        const at = n.lastIndexOf("-");
        return { project: n.slice(0, at), stack: n.slice(at + 1), name: DEFAULT_NAME };
      }
      const [project, stack, name = DEFAULT_NAME] = n.split("+");
      return { project, stack, name };
    };
    fc.assert(fc.property(deploymentArb, (d) => expect(parse(named(d))).toEqual(d)), { numRuns: 2000 });
  });

  it("the three collisions of the former names: each pair now has two names", () => {
    // Gateway eu of stack prod, and the default gateway of stack prod-eu.
    expect(formerDeploymentName("acme", "prod", "eu")).toBe(formerDeploymentName("acme", "prod-eu", DEFAULT_NAME));
    expect([deploymentName("acme", "prod", "eu"), deploymentName("acme", "prod-eu", DEFAULT_NAME)]).toEqual(["acme+prod+eu", "acme+prod-eu"]);
    // (prod, team-a) and (prod-team, a).
    expect(formerDeploymentName("acme", "prod", "team-a")).toBe(formerDeploymentName("acme", "prod-team", "a"));
    expect([deploymentName("acme", "prod", "team-a"), deploymentName("acme", "prod-team", "a")]).toEqual(["acme+prod+team-a", "acme+prod-team+a"]);
    // Project acme-infra stack prod, and project acme stack infra-prod.
    expect(formerDeploymentName("acme-infra", "prod", DEFAULT_NAME)).toBe(formerDeploymentName("acme", "infra-prod", DEFAULT_NAME));
    expect([deploymentName("acme-infra", "prod", DEFAULT_NAME), deploymentName("acme", "infra-prod", DEFAULT_NAME)]).toEqual(["acme-infra-prod", "acme+infra-prod"]);
  });

  it("gives every small deployment its own name, where the former names collide", () => {
    expect(everySmallDeployment().length).toBeGreaterThan(10_000);
    expect(collision((d) => formerDeploymentName(d.project, d.stack, d.name))).toBeDefined();
    expect(collision(named)).toBeUndefined();
  });

  it("keeps the name every existing stack of this program has: the default gateway of a stack without a hyphen", () => {
    expect(deploymentName("openclaw-vps", "prod", DEFAULT_NAME)).toBe("openclaw-vps-prod");
    expect(deploymentName("my-claw", "staging", DEFAULT_NAME)).toBe("my-claw-staging");
    fc.assert(
      fc.property(deploymentArb, (d) => {
        const kept = d.name === DEFAULT_NAME && !d.stack.includes("-");
        expect(named(d) === formerDeploymentName(d.project, d.stack, d.name)).toBe(kept);
      }),
      { numRuns: 2000 },
    );
  });

  it("is one directory name and one shell word (sshCommand names the key file bare)", () => {
    fc.assert(
      fc.property(deploymentArb, (d) => {
        const n = named(d);
        expect(n).toMatch(/^[A-Za-z0-9_.+-]+$/);
        expect(n).not.toMatch(/^\.\.?$/);
        expect(shellArg(n)).toBe(n);
        for (const part of [d.project, d.stack, d.name]) expect(part).toMatch(NAME_PART);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("the component", () => {
  it("refuses a stack name Pulumi itself would refuse (its validation turned off), which could make two deployments' names one", async () => {
    await expect(run(minimalConfig(), { stack: "prod+eu" })).rejects.toThrow(/stack: given "prod\+eu"; expected letters, digits, dots, hyphens and underscores/);
  });

  it("names the key file by the deployment's name in sshCommand: the former name where it was one deployment's, the new one elsewhere", async () => {
    const ssh = async (stack: string) => unwrap((await run(minimalConfig(), { stack })).outputs.sshCommand.value);
    expect(await ssh("prod")).toBe("ssh -i ~/.ssh/openclaw-vps-prod ops@openclaw.tail1234.ts.net");
    expect(await ssh("prod-eu")).toBe("ssh -i ~/.ssh/openclaw-vps+prod-eu ops@openclaw.tail1234.ts.net");
  });
});
