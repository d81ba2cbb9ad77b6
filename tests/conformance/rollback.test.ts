/**
 * An upgrade that fails verification is rolled back and still fails `pulumi up`, with the
 * reason (tests/conformance/rollback.sh runs the rendered verify.sh with stand-ins).
 */
import { spawnSync } from "child_process";
import { join } from "path";
import { renderMatrix } from "./matrix";

it("rolls a failed upgrade back, keeps a good one, and refuses a version other than the configured one", async () => {
  const [first] = await renderMatrix();
  const r = spawnSync("bash", [join(__dirname, "rollback.sh"), first.dir], { encoding: "utf8", timeout: 120_000 });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`rollback.sh exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const results = Object.fromEntries(
    r.stdout
      .split("\n")
      .filter((l) => l.startsWith("RESULT "))
      .map((l) => {
        const [key, ...rest] = l.slice("RESULT ".length).split("=");
        return [key, rest.join("=")];
      }),
  );
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
