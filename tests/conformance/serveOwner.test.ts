/**
 * Tailscale Serve has one owner, the configure step, with the real gateway and a stand-in
 * that keeps Tailscale's one-owner-per-port rules (tests/conformance/serve-owner.sh). The
 * config this project used to render, where the gateway managed Serve itself, is shown
 * fighting configure, so the check is known to be able to fail.
 */
import { join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { NODE24, OPENCLAW_ENTRY, requireOpenClaw } from "./openclawTools";

it("the gateway leaves Serve alone; configure's route answers and survives gateway and tailscaled restarts", async () => {
  requireOpenClaw();
  // Without Telegram: a gateway polling Telegram offline takes minutes to stop.
  const withoutTelegram = (await renderMatrix()).find((r) => r.name === "hetzner-bridge");
  if (!withoutTelegram) throw new Error("no hetzner-bridge configuration in the matrix");
  const results = runResultScript(join(__dirname, "serve-owner.sh"), [withoutTelegram.dir, NODE24, OPENCLAW_ENTRY, join(__dirname, "../../rehearsal/standins/tailscale.py")]);
  expect(results).toMatchObject({
    old_gateway_serve: "foreground",
    old_background_exit: "1",
    old_background_error: "sending serve config: updating config: foreground listener already exists for port 443",
    new_gateway_serve: "{}",
    new_ensure_exit: "0",
    new_ensure: "configure: Tailscale Serve now fronts http://127.0.0.1:18789 as https://openclaw.tail1234.ts.net/",
    new_judge: "ok",
    new_health_through_serve: "200",
    new_ensure_again: "configure: Tailscale Serve already fronts http://127.0.0.1:18789 as https://openclaw.tail1234.ts.net/",
    after_gateway_restart_judge: "ok",
    after_gateway_restart_health: "200",
    after_tailscaled_restart_judge: "ok",
    after_tailscaled_restart_health: "200",
    nobody_write_exit: "1",
    nobody_write_error: "Access denied: serve config denied",
    operator_write_exit: "0",
    cleared_operator_write_exit: "1",
  });
});
