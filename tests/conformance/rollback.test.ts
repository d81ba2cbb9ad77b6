/**
 * An upgrade that fails verification is rolled back and still fails `pulumi up`, with the
 * reason (tests/conformance/rollback.sh runs the rendered verify.sh with stand-ins).
 */
import { join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";

it("rolls a failed upgrade back, keeps a good one, and refuses a version other than the configured one", async () => {
  const [first] = await renderMatrix();
  const results = runResultScript(join(__dirname, "rollback.sh"), [first.dir]);
  expect(results).toMatchObject({
    bad_exit: "1",
    bad_current: "2026.9.6",
    bad_marker: "gone",
    bad_restarts: "1",
    good_exit: "0",
    good_current: "2026.10.1",
    good_marker: "gone",
    good_restarts: "0",
    stale_exit: "1",
    stale_current: "2026.9.6",
    stale_restarts: "0",
  });
  expect(results.bad_reason).toContain("warn gateway.trusted_proxies_missing");
  expect(results.bad_reason).toContain("the upgrade was rolled back to 2026.9.6");
  expect(results.stale_reason).toContain("OpenClaw 2026.10.1 is configured but 2026.9.6 is installed as current");
});
