/**
 * The first `pulumi up` after the program became a consumer of the OpenClawGateway package
 * component. Every resource now sits under the component, so every URN changed; the
 * component's aliases must make the engine take each old resource over rather than create a
 * new one and delete the old (a new server, a new tailnet device, a new gateway token).
 *
 * fixtures/pre-package-urns.json holds the engine URNs the last release before the
 * component (b52ceba) gave each configuration, evaluated there with this harness. The old
 * state is today's first deployment with each URN put back where that release had it; the
 * test first proves that this gives exactly the fixture's URNs.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { ResourceState, StackState } from "../../tools/lib/engine";
import { TestConfig, up } from "../helpers/stack";
import { RENAMED, TOP, legacyUrn } from "../helpers/legacyLayout";

const FIXTURE = JSON.parse(readFileSync(join(__dirname, "fixtures", "pre-package-urns.json"), "utf8")) as Record<
  string,
  { configuration: TestConfig; urns: string[] }
>;

/** Resources added after that release (their URNs under the component): the upgrade creates them. */
const ADDED_SINCE = ["openclaw-gateway-host", "openclaw-gateway-drift-check"];

function legacyState(state: StackState): StackState {
  const out = new Map<string, ResourceState>();
  for (const r of state.values()) {
    if (r.type === TOP || ADDED_SINCE.includes(r.name)) continue;
    const urn = legacyUrn(r.urn);
    const entry: ResourceState = {
      ...r,
      urn,
      type: RENAMED[r.type] ?? r.type,
      name: urn.split("::").pop() ?? r.name,
      ...(r.dependencies ? { dependencies: r.dependencies.filter((d) => !d.includes(`${TOP}::`)).map(legacyUrn) } : {}),
      ...(r.propertyDependencies
        ? { propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.filter((d) => !d.includes(`${TOP}::`)).map(legacyUrn)])) }
        : {}),
    };
    out.set(urn, entry);
  }
  return out;
}

describe.each(Object.keys(FIXTURE))("upgrading a stack deployed before the package (%s)", (name) => {
  const { configuration, urns } = FIXTURE[name];

  it("finds every resource under its old URN and changes nothing", async () => {
    const first = await up(configuration);
    const prior = legacyState(first.state);
    expect([...prior.keys()].sort()).toEqual(urns);

    const next = await up(configuration, { prior });
    const changes = next.steps.filter((s) => s.op !== "same").map((s) => `${s.name} (${s.type}): ${s.op}`);
    // The component itself is new (it has no cloud counterpart), and so are the resources added
    // since that release: the host step and the drift check.
    expect(changes.sort()).toEqual(
      [`openclaw (${TOP}): create`, "openclaw-gateway-drift-check (pulumi-nodejs:dynamic:Resource): create", "openclaw-gateway-host (command:remote:Command): create"].sort(),
    );
    // Every old resource was taken over through an alias, the providers and grandchildren included.
    const taken = next.steps.filter((s) => s.aliasedFrom).map((s) => s.aliasedFrom).sort();
    expect(taken).toEqual(urns.filter((u) => !u.includes("pulumi:pulumi:Stack")));

    // And the run after that is a no-op on the new URNs.
    const third = await up(configuration, { prior: next.state });
    expect(third.steps.filter((s) => s.op !== "same")).toEqual([]);
  });
});
