#!/usr/bin/env node
// Sends the text on stdin to the gateway's owner on Telegram, with the gateway's own bot:
// the token from the gateway's .env, the owner from openclaw.json (channels.telegram.allowFrom).
// Without either it sends nothing and says so. The token stays inside this process: never
// in argv, the environment or any output. Used by selfcheck.sh.
// OPENCLAW_VPS_TELEGRAM_API replaces https://api.telegram.org (tests: a loopback stand-in).
"use strict";
const fs = require("fs");

const STATE_DIR = process.env.OPENCLAW_VPS_STATE_DIR || "/home/openclaw/.openclaw";
const API = (process.env.OPENCLAW_VPS_TELEGRAM_API || "https://api.telegram.org").replace(/\/$/, "");
/** Telegram's limit for one message is 4096 characters. */
const MAX = 4000;

function botToken() {
  let env;
  try {
    env = fs.readFileSync(`${STATE_DIR}/.env`, "utf8");
  } catch {
    return undefined;
  }
  const line = env.split("\n").find((l) => l.startsWith("TELEGRAM_BOT_TOKEN="));
  return line ? line.slice("TELEGRAM_BOT_TOKEN=".length).trim() || undefined : undefined;
}

function ownerId() {
  try {
    const config = JSON.parse(fs.readFileSync(`${STATE_DIR}/openclaw.json`, "utf8"));
    const owner = config?.channels?.telegram?.allowFrom?.[0];
    return typeof owner === "string" && /^[1-9]\d{0,19}$/.test(owner) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends `text` to the owner: "sent", "off" (no Telegram or no owner: nothing to send to), or
 * throws with the reason (never the URL, which holds the token).
 */
async function sendToOwner(text) {
  const token = botToken();
  const owner = ownerId();
  if (!token || !owner) return "off";
  let res;
  try {
    res = await fetch(`${API}/bot${token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: owner, text: String(text).trim().slice(0, MAX), disable_web_page_preview: true }),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (err) {
    throw new Error(`could not reach Telegram (${err.name})`);
  }
  if (!res.ok) throw new Error(`Telegram answered HTTP ${res.status}`);
  return "sent";
}

async function main() {
  try {
    const result = await sendToOwner(fs.readFileSync(0, "utf8"));
    console.error(result === "sent" ? "alert: sent to the owner on Telegram" : "alert: Telegram is off or has no owner id (telegramOwnerId): nothing sent");
    return 0;
  } catch (err) {
    console.error(`alert: ${err.message}; nothing sent`);
    return 1;
  }
}

module.exports = { sendToOwner };

if (require.main === module) {
  main().then((code) => process.exit(code));
}
