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

async function main() {
  const text = fs.readFileSync(0, "utf8").trim().slice(0, MAX);
  const token = botToken();
  const owner = ownerId();
  if (!token || !owner) {
    console.error("alert: Telegram is off or has no owner id (telegramOwnerId): nothing sent");
    return 0;
  }
  const res = await fetch(`${API}/bot${token}/sendMessage`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chat_id: owner, text, disable_web_page_preview: true }),
    signal: AbortSignal.timeout(20_000),
  });
  if (!res.ok) {
    console.error(`alert: Telegram answered HTTP ${res.status}; nothing sent`);
    return 1;
  }
  console.error(`alert: sent to the owner on Telegram`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    // The message names the failure only: the URL, which holds the token, is never printed.
    console.error(`alert: could not reach Telegram (${err.name})`);
    process.exit(1);
  },
);
