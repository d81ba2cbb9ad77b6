/**
 * The real gateway, started with the rendered config (without Telegram, so it stops
 * promptly) in a network namespace with only loopback: tests/conformance/gateway-boot.sh.
 */
import { join } from "path";
import { plan, tempDir, writeStackFile } from "../helpers/planCli";
import { NODE24, OPENCLAW_ENTRY, requireOpenClaw } from "./openclawTools";
import { runResultScript } from "./tools";
import { judgeHealth } from "../../gateway/scripts/health.js";

it("listens on loopback only, refuses requests without the token, and accepts only the right token", async () => {
  requireOpenClaw();
  const out = join(tempDir("gateway-boot-"), "out");
  const stack = writeStackFile({
    "openclaw-vps:tailnet": "tail1234.ts.net",
    "openclaw-vps:tailscaleAuthKey": "\n    secure: v1:conformance:placeholder",
    "openclaw-vps:anthropicApiKey": "\n    secure: v1:conformance:placeholder",
  });
  expect((await plan("--config", stack, "--out", out)).code).toBe(0);

  const results = runResultScript(join(__dirname, "gateway-boot.sh"), [join(out, "openclaw.json"), NODE24, OPENCLAW_ENTRY]);
  expect(results.listeners.split(",").sort()).toEqual(["127.0.0.1:38789", "[::1]:38789"]);
  expect(results).toMatchObject({ health: "200", api_without_token: "401", invoke_without_token: "401", invoke_with_token: "200" });
  // What the health check reads from /readyz is there, in the shape it judges, and clean.
  const ready = JSON.parse(results.readyz) as { ready: boolean; failing: string[]; uptimeMs: number };
  expect(ready).toMatchObject({ ready: true, failing: [], uptimeMs: expect.any(Number) });
  const facts = { active: "active", health: 200, ready: { status: 200, failing: ready.failing, uptimeMs: ready.uptimeMs } };
  expect(judgeHealth(facts, undefined)).toEqual({});
  expect(judgeHealth({ ...facts, ready: { status: 503, failing: ["telegram"], uptimeMs: 3_600_000 } }, undefined)).toHaveProperty("telegram");
  expect(JSON.parse(results.ws_wrong_token)).toMatchObject({ helloOk: false, errorCode: "AUTH_TOKEN_MISMATCH", closeCode: 1008 });
  expect(JSON.parse(results.ws_right_token)).toMatchObject({ helloOk: true, closeCode: 1000 });
});
