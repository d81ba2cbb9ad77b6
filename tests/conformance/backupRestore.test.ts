/**
 * The daily backup and the documented restore, with the real OpenClaw: a 0600 archive in a
 * 0700 directory, and a restore that brings back the config and secrets with their modes
 * (tests/conformance/backup-restore.sh).
 */
import { join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { NODE24, OPENCLAW_ENTRY, requireOpenClaw } from "./openclawTools";

it("backs the state up and restores it, keeping the damaged state aside", async () => {
  requireOpenClaw();
  const [first] = await renderMatrix();
  const results = runResultScript(join(__dirname, "backup-restore.sh"), [first.dir, NODE24, OPENCLAW_ENTRY]);
  expect(results).toMatchObject({
    backup: "backup: 1 archives kept in /var/backups/openclaw",
    archive_mode: "600 openclaw",
    dir_mode: "700 openclaw",
    restored_config: "same",
    restored_env_lines: "1",
    restored_modes: "700 openclaw,600 openclaw,600 openclaw",
    state_kept_aside: "1",
    gateway_calls: "systemctl stop openclaw-gateway.service,systemctl start openclaw-gateway.service",
  });
});
