/**
 * The gateway scripts check before they change: run twice, the second run changes nothing,
 * and a rotated secret rewrites only the .env and restarts the gateway
 * (tests/conformance/idempotency.sh, with recording stand-ins for systemctl, tailscale, docker).
 */
import { join } from "path";
import { gatewayFiles } from "../../gateway";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";

it("a second run of each step changes nothing; a new secret restarts the gateway", async () => {
  const [first] = await renderMatrix();
  const results = runResultScript(join(__dirname, "idempotency.sh"), [first.dir]);
  expect(results).toMatchObject({
    // The first run writes every file the bundle carries.
    files1_changed: `${gatewayFiles({ tailnetHost: "x", models: { anthropic: false, openai: false }, sandboxImage: "i", sandboxNetwork: "none" }).length} changed`,
    files2_changed: "0 changed",
    configure1_restarts: "1",
    configure1_serve_set: "1",
    configure2_restarts: "0",
    configure2_serve_set: "0",
    configure2_hostname_set: "0",
    configure1_operator_removed: "1",
    configure2_operator_removed: "0",
    configure2_serve_reset: "0",
    configure2_writes: "0",
    rotate_restarts: "1",
    rotate_writes: "/home/openclaw/.openclaw/.env",
    // heartbeatUrl: a root-only file, never the gateway's .env; set or removed, no restart.
    heartbeat1_writes: "/etc/openclaw-vps/heartbeat.env",
    heartbeat1_restarts: "0",
    heartbeat_mode: "600 root",
    heartbeat_in_env: "0",
    heartbeat2_writes: "0",
    heartbeat3_restarts: "0",
    heartbeat_after_removal: "absent",
    configure1_backup_timer: "1",
    configure2_backup_timer: "0",
    sandbox1_builds: "1",
    sandbox2_builds: "0",
    modes: "700 openclaw /home/openclaw/.openclaw,600 openclaw /home/openclaw/.openclaw/.env,600 openclaw /home/openclaw/.openclaw/openclaw.json",
  });
});
