/**
 * Day 2 for stacks deployed before the files step reported first boot's progress: their state
 * records the files step's command as that release wrote it (cloud-init's wait sent to
 * /dev/null). Through the lifecycle harness (tools/lib/engine.ts, pulumi-command 1.2.1's
 * rules: a changed `create` with no `update` is an in-place update that runs `create`):
 * - the first `pulumi up` after the change updates the files step in place and nothing else:
 *   its triggers (the server's id, the bundle's hash) are the same, so no other step runs, and
 *   the run itself finds first boot long done (no progress line) and every file as it is
 *   (`files: 0 changed`: tests/components/firstBoot.test.ts runs it so);
 * - the next `up` changes nothing.
 */
import { READY_MARKER } from "../../cloud-init";
import { firstBootWait } from "../../components/firstBoot";
import { ResourceState, StackState } from "../../tools/lib/engine";
import { minimalConfig, up } from "../helpers/stack";

const FILES = "openclaw-gateway-files";

/** The files step's command as the release before the change wrote it. */
const FORMER_CREATE = [
  "if ! sudo cloud-init status --wait --long >/dev/null; then",
  "  echo 'first boot failed: see sudo cloud-init status --long and /var/log/cloud-init-output.log on the server' >&2; exit 1;",
  "fi;",
  `test -f ${READY_MARKER} || { echo 'bootstrap did not finish: see /var/log/cloud-init-output.log' >&2; exit 1; };`,
  "sudo bash -s",
].join(" ");

/** Today's state with the files step's command put back as that release recorded it. */
function formerState(state: StackState): StackState {
  const out = new Map<string, ResourceState>();
  for (const [urn, r] of state) {
    out.set(urn, r.name === FILES ? { ...r, inputs: { ...r.inputs, create: FORMER_CREATE }, outputs: { ...r.outputs, create: FORMER_CREATE } } : r);
  }
  return out;
}

describe("a stack deployed before the files step reported first boot's progress", () => {
  it("updates the files step in place on the first up after the change, runs nothing else, and then changes nothing", async () => {
    const today = await up(minimalConfig());
    expect(today.state.get([...today.state.keys()].find((u) => u.endsWith(`::${FILES}`)) ?? "")?.inputs.create).toBe(`${firstBootWait()} sudo bash -s`);
    const prior = formerState(today.state);

    const next = await up(minimalConfig(), { prior });
    expect([...next.state.keys()].sort()).toEqual([...prior.keys()].sort());
    const changed = next.steps.filter((s) => s.op !== "same");
    expect(changed.map((s) => [s.name, s.op, s.runs, [...s.changed].sort()])).toEqual([[FILES, "update", "create", ["create"]]]);

    const third = await up(minimalConfig(), { prior: next.state });
    expect(third.steps.filter((s) => s.op !== "same").map((s) => s.name)).toEqual([]);
  });
});
