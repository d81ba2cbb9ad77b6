/**
 * The daily self-check with the real OpenClaw (tests/conformance/selfcheck-alert.sh): a clean
 * deployment sends nothing and records ok; a dirty one records the problem and sends exactly
 * one message to the owner, through a loopback stand-in for the Telegram Bot API.
 */
import { dirname, join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { NODE24, OPENCLAW_ENTRY, requireOpenClaw } from "./openclawTools";

it("sends nothing when clean, one message to the owner when not, and keeps the bot token out of every output", async () => {
  requireOpenClaw();
  // The first matrix entry has Telegram with an owner id.
  const [first] = await renderMatrix();
  const r = runResultScript(join(__dirname, "selfcheck-alert.sh"), [first.dir, NODE24, dirname(OPENCLAW_ENTRY)]);
  expect(r).toMatchObject({ clean_exit: "0", clean_requests: "0", clean_alert: "0", dirty_exit: "1", dirty_requests: "1", token_in_output: "0", status_mode: "640" });
  expect(JSON.parse(r.clean_status)).toMatchObject({ ok: true, exit: 0, summary: { ok: true, problems: [] } });
  // The stand-in's second listener breaks two rules: the gateway's, and every listener's.
  expect(JSON.parse(r.dirty_status)).toMatchObject({
    ok: false,
    exit: 1,
    summary: {
      problems: [
        "the gateway listens on 0.0.0.0:18789, not only on loopback",
        "listeners: 0.0.0.0:18789 (process unknown) is reachable beyond loopback and the tailnet",
      ],
    },
  });
  const request = JSON.parse(r.dirty_request) as { method: string; path: string; body: string };
  expect(request.method).toBe("POST");
  expect(request.path).toBe("/bot123456789:STANDIN-bot-token_abcdefghijklmnopqrs/sendMessage");
  const body = JSON.parse(request.body) as { chat_id: string; text: string };
  expect(body.chat_id).toBe("123456789");
  expect(body.text).toContain("the gateway listens on 0.0.0.0:18789, not only on loopback");
  expect(r.dirty_alert).toContain("alert: sent to the owner on Telegram");
});
