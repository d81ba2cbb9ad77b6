/**
 * A version switch the new release refuses is rolled back by verify.sh, with the real
 * OpenClaw: 2026.9.5 cannot open the state 2026.9.6 wrote, so its audit exits 1 with an error
 * document, and the check must still reach its verdict and the rollback
 * (tests/conformance/verify-refused.sh).
 */
import { dirname, join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { NODE24, OPENCLAW_ENTRY, OPENCLAW_VERSION, REFUSING_ENTRY, REFUSING_VERSION, requireOpenClaw } from "./openclawTools";

it("rolls back to the version that wrote the state, restarts it once, and fails with OpenClaw's reason", async () => {
  requireOpenClaw();
  const [first] = await renderMatrix();
  const results = runResultScript(join(__dirname, "verify-refused.sh"), [first.dir, NODE24, dirname(OPENCLAW_ENTRY), dirname(REFUSING_ENTRY)]);
  expect(results).toMatchObject({ audit_by_good: "0", exit: "1", current: OPENCLAW_VERSION, marker: "gone", restarts: "1" });
  const summary = JSON.parse(results.summary) as { ok: boolean; problems: string[] };
  expect(summary.ok).toBe(false);
  expect(summary.problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^openclaw security audit failed: This OpenClaw build cannot open your existing data\./),
      `the upgrade was rolled back to ${OPENCLAW_VERSION}; set openclawVersion to ${OPENCLAW_VERSION} or fix the problems above`,
    ]),
  );
  expect(results.reason).toContain(`Refused by OpenClaw ${REFUSING_VERSION}`);
});
