/**
 * An upgrade across a state migration that fails verification is undone whole: the old
 * release and the state from before the switch, with the real OpenClaw pair (2026.9.6
 * migrates 2026.9.5's database, which 2026.9.5 then refuses). tests/conformance/upgrade-restore.sh.
 */
import { dirname, join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { NODE24, OPENCLAW_ENTRY, OPENCLAW_VERSION, REFUSING_ENTRY, REFUSING_VERSION, requireOpenClaw } from "./openclawTools";

it("restores the previous version and the pre-upgrade state, so the previous version opens it, and fails with the reason", async () => {
  requireOpenClaw();
  const [first] = await renderMatrix();
  // The old release is the refusing one; the new one the configured one.
  const r = runResultScript(join(__dirname, "upgrade-restore.sh"), [first.dir, NODE24, dirname(REFUSING_ENTRY), dirname(OPENCLAW_ENTRY)]);
  expect(r).toMatchObject({
    old_before: "0",
    install: "0",
    backup_line: "1",
    switched: OPENCLAW_VERSION,
    new: "0",
    // The migration is real: the old release refuses the migrated state.
    old_on_migrated: "1",
    verify: "1",
    current: REFUSING_VERSION,
    // After the rollback the old release opens its state again.
    old_after: "0",
    old_after_error: "",
    // The migrated state is kept aside, not deleted.
    aside: "1",
    marker: "gone",
    backup_pointer: "gone",
    systemctl: "systemctl stop openclaw-gateway,systemctl start openclaw-gateway,",
  });
  expect(r.reason).toContain(`the upgrade was rolled back to ${REFUSING_VERSION}`);
  expect(r.reason).toContain("the gateway listens on 0.0.0.0:18789, not only on loopback");
});
