/**
 * Day 2 across drift, through the lifecycle harness (tools/lib/engine.ts), which is told what
 * the server's drift check finds (EMULATED_HOST; the rehearsal and
 * tests/engine/driftCheck.test.ts ask the real engine the same):
 * - a host as deployed: an up plans nothing;
 * - a drifted host: the drift check is updated and its epoch moves on, so files, host,
 *   configure and verify run again in that up (install and sandbox do not: what they put in
 *   place is not what drifts);
 * - put back: the next up plans nothing;
 * - a stack from before the drift check: the first up creates it and the host step, and runs
 *   files, configure and verify once (their triggers gained the epoch); the next plans nothing.
 */
import { EMULATED_HOST } from "../../commands/lib/planEvaluation";
import { Deployment, ResourceState } from "../../tools/lib/engine";
import { minimalConfig, up } from "../helpers/stack";

const plan = (d: Deployment) => d.steps.filter((s) => s.op !== "same").map((s) => `${s.name}: ${s.op}`).sort();
const runs = (d: Deployment) => d.steps.filter((s) => s.runs).map((s) => `${s.name}: ${s.runs}`).sort();
const REASSERT = ["files", "host", "configure", "verify"].map((s) => `openclaw-gateway-${s}`);

afterEach(() => {
  EMULATED_HOST.drifted = false;
});

describe("drift, across ups", () => {
  it("re-runs the steps that re-assert the rendered state when the host drifted, and nothing before or after", async () => {
    const first = await up(minimalConfig());
    const clean = await up(minimalConfig(), { prior: first.state });
    expect(plan(clean)).toEqual([]);

    EMULATED_HOST.drifted = true;
    const drifted = await up(minimalConfig(), { prior: clean.state });
    expect(plan(drifted)).toEqual(["openclaw-gateway-drift-check: update", ...REASSERT.map((s) => `${s}: replace`)].sort());
    expect(runs(drifted)).toEqual(REASSERT.map((s) => `${s}: create`).sort());
    const epoch = (d: Deployment) => [...d.state.values()].find((r) => r.name === "openclaw-gateway-drift-check")?.outputs.epoch;
    expect(epoch(drifted)).toBe(Number(epoch(clean)) + 1);

    EMULATED_HOST.drifted = false;
    expect(plan(await up(minimalConfig(), { prior: drifted.state }))).toEqual([]);
  });

  it("on a stack from before the drift check: creates it and the host step, runs files, configure and verify once, then nothing", async () => {
    const today = await up(minimalConfig());
    // That release's state: no drift check, no host step, and the steps' triggers without the epoch.
    const before = new Map<string, ResourceState>();
    for (const [urn, r] of today.state) {
      if (r.name === "openclaw-gateway-drift-check" || r.name === "openclaw-gateway-host") continue;
      // Without the epoch (files, configure: their last trigger) and, for verify, without the
      // host step's triggers (its 3rd to 6th: files' epoch, then the host's three) too. A list
      // with a secret hash in it is stored as a secret.
      const former: Record<string, (t: unknown[]) => unknown[]> = {
        "openclaw-gateway-files": (t) => t.slice(0, -1),
        "openclaw-gateway-configure": (t) => t.slice(0, -1),
        "openclaw-gateway-verify": (t) => [...t.slice(0, 2), ...t.slice(6, -1)],
      };
      const triggers = r.inputs.triggers as unknown[] | { value: unknown[] } | undefined;
      const was = former[r.name];
      const trimmed = !was || triggers === undefined ? triggers : Array.isArray(triggers) ? was(triggers) : { ...triggers, value: was(triggers.value) };
      before.set(urn, { ...r, inputs: { ...r.inputs, triggers: trimmed }, outputs: { ...r.outputs, triggers: trimmed } });
    }
    const upgrade = await up(minimalConfig(), { prior: before });
    expect(plan(upgrade)).toEqual(
      ["openclaw-gateway-drift-check: create", "openclaw-gateway-host: create", ...["files", "configure", "verify"].map((s) => `openclaw-gateway-${s}: replace`)].sort(),
    );
    expect(runs(upgrade)).toEqual(REASSERT.map((s) => `${s}: create`).sort());
    expect(plan(await up(minimalConfig(), { prior: upgrade.state }))).toEqual([]);
  });
});
