#!/usr/bin/env node
// The light health check, every few minutes (openclaw-health.timer; docs/operations.md): the
// gateway's unit active and answering /health on loopback, its channels receiving (Telegram's
// polling alive, by OpenClaw's own readiness on /readyz), the Serve route in place, its
// memory against the unit's limit, restarts (a crash loop), disk and inodes where the state
// and the workspace live, memory pressure. Cheap: a few reads and one HTTP request; the daily
// self-check (verify.sh) stays the deep one.
// Alerts go to the owner on Telegram (alert.js): one message when problems appear, one when
// they clear, never more than MAX_MESSAGES_PER_HOUR; the problems already told are kept in
// STATUS, so the next run neither repeats nor forgets them. Prints the status as JSON.
// The dead-man's switch: after a clean check, one heartbeat (a GET) to the URL in
// HEARTBEAT_FILE (heartbeatUrl, root's only); the service behind it tells the owner when the
// heartbeats stop, which the server itself cannot. The URL is never printed.
// Usage: node health.js
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const STATUS = process.env.OPENCLAW_VPS_HEALTH_STATUS || "/var/lib/openclaw-vps/health.json";
const UNIT = "openclaw-gateway.service";
const HEALTH_URL = "http://127.0.0.1:18789/health";
/**
 * OpenClaw's readiness: 503 with `failing` naming each channel whose account is not running,
 * disconnected past its reconnect grace or stuck (Telegram's long polling among them), and
 * other blockers (a database, a plugin reload). Details are given to local callers only.
 */
const READY_URL = "http://127.0.0.1:18789/readyz";
/** Readiness is not judged in the first minutes after a start: OpenClaw's channel connect grace is 2 min. */
const READY_GRACE_MS = 5 * 60_000;
/** Where the gateway's state and the coder's workspace live. */
const DATA_DIR = "/home/openclaw";

/** The thresholds, in one place: alerts come well before a limit is reached. */
const LIMITS = {
  /** Of the unit's MemoryMax (the kernel ends the gateway at 100%). */
  memoryShare: 0.8,
  diskShare: 0.85,
  inodeShare: 0.85,
  /** Share of the last 60 s in which some task stalled on memory (PSI "some avg60"), in %. */
  memoryPressure: 20,
  /** Restarts of the gateway since the last check: one is a restart, more is a loop. */
  restarts: 2,
};
const MAX_MESSAGES_PER_HOUR = 4;
/** Off-site backups (offsite.sh): configured when its settings exist; its last result. */
const OFFSITE_ENV = "/etc/openclaw-vps/offsite.env";
const OFFSITE_STATUS = "/var/lib/openclaw-vps/offsite.json";
/** A daily backup, spread over an hour: a day and a half without a stored one is a problem. */
const OFFSITE_MAX_AGE_MS = 36 * 3600_000;
const HEARTBEAT_FILE = process.env.OPENCLAW_VPS_HEARTBEAT_FILE || "/etc/openclaw-vps/heartbeat.env";
const HEARTBEAT_KEY = "OPENCLAW_VPS_HEARTBEAT_URL=";

/** The heartbeat URL from its file, or undefined (no dead-man's switch configured). */
function heartbeatUrl(file = HEARTBEAT_FILE) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const line = text.split("\n").find((l) => l.startsWith(HEARTBEAT_KEY));
  return line ? line.slice(HEARTBEAT_KEY.length).trim() || undefined : undefined;
}

/**
 * One heartbeat: a GET, tried up to `tries` times `pauseMs` apart, each bounded by 10 s (a
 * heartbeat service's ping answers at once). "sent", or throws with the reason, never the URL.
 */
async function sendHeartbeat(url, { tries = 3, pauseMs = 5000 } = {}) {
  let reason = "";
  for (let i = 1; i <= tries; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return "sent";
      reason = `HTTP ${res.status}`;
      // The service refused this URL (unknown check): trying again changes nothing.
      if (res.status >= 400 && res.status < 500) break;
    } catch (err) {
      reason = err.name === "TimeoutError" ? "no answer in 10 s" : `could not reach the service (${err.cause?.code || err.name})`;
    }
    if (i < tries) await new Promise((r) => setTimeout(r, pauseMs));
  }
  throw new Error(reason);
}

/**
 * The problems in the facts, by id (the same problem keeps its id across runs). Missing facts
 * are not problems here unless they mean the gateway is gone; the daily check is strict.
 */
function judgeHealth(facts, previousRestarts) {
  const problems = {};
  const add = (id, text) => (problems[id] = text);
  if (facts.active !== "active") add("gateway-down", `the gateway's unit is ${facts.active || "unknown"}`);
  else if (facts.health !== 200) add("gateway-unanswered", `the gateway does not answer /health on loopback (${facts.health || "no answer"})`);
  else if (facts.ready && facts.ready.status !== 200 && !(Number.isFinite(facts.ready.uptimeMs) && facts.ready.uptimeMs < READY_GRACE_MS)) {
    const failing = Array.isArray(facts.ready.failing) ? facts.ready.failing.map(String) : [];
    if (failing.includes("telegram")) add("telegram", "Telegram is not receiving: OpenClaw's readiness lists telegram as failing (sudo -u openclaw openclaw channels status --probe)");
    const other = failing.filter((f) => f !== "telegram");
    if (other.length > 0 || failing.length === 0) add("not-ready", `the gateway is not ready (${other.length > 0 ? other.join(", ") : `HTTP ${facts.ready.status || "no answer"}`})`);
  }
  if (facts.serveProblems && facts.serveProblems.length > 0) add("serve", `the Serve route: ${facts.serveProblems.join("; ")}`);
  if (Number.isFinite(facts.memoryCurrent) && Number.isFinite(facts.memoryMax) && facts.memoryMax > 0) {
    const share = facts.memoryCurrent / facts.memoryMax;
    if (share >= LIMITS.memoryShare) add("memory", `the gateway uses ${mib(facts.memoryCurrent)} of its ${mib(facts.memoryMax)} limit (${pct(share)})`);
  }
  if (Number.isFinite(facts.restarts) && Number.isFinite(previousRestarts) && facts.restarts - previousRestarts >= LIMITS.restarts) {
    add("restarts", `the gateway restarted ${facts.restarts - previousRestarts} times since the last check`);
  }
  if (Number.isFinite(facts.diskShare) && facts.diskShare >= LIMITS.diskShare) add("disk", `${DATA_DIR} is ${pct(facts.diskShare)} full`);
  if (Number.isFinite(facts.inodeShare) && facts.inodeShare >= LIMITS.inodeShare) add("inodes", `${DATA_DIR} has used ${pct(facts.inodeShare)} of its inodes`);
  if (facts.offsite) {
    const { configuredAt, status, now } = facts.offsite;
    const last = status && status.ok ? Date.parse(status.at) : NaN;
    if (status && status.ok === false) add("offsite", `the last off-site backup failed (${status.error || "see journalctl -u openclaw-offsite-backup"})`);
    else if (now - (Number.isFinite(last) ? last : configuredAt) > OFFSITE_MAX_AGE_MS) {
      add("offsite", Number.isFinite(last) ? `no off-site backup since ${status.at}` : "no off-site backup stored yet, a day and a half after it was configured");
    }
  }
  if (Number.isFinite(facts.memoryPressure) && facts.memoryPressure >= LIMITS.memoryPressure) {
    add("pressure", `memory pressure: tasks stalled ${facts.memoryPressure}% of the last minute (swapping)`);
  }
  return problems;
}

/**
 * The next status and the messages to send, from the last status and this run's problems:
 * new problems are told once, together; cleared ones (that were told) are told once; nothing
 * when nothing changed; at most MAX_MESSAGES_PER_HOUR, the rest waits for a later run.
 */
function nextStatus(previous, problems, now, host) {
  const prev = previous || {};
  const told = { ...(prev.told || {}) };
  const sent = (prev.sent || []).filter((t) => now - t < 3600_000);
  const messages = [];
  const fresh = Object.keys(problems).filter((id) => !(id in told));
  const cleared = Object.keys(told).filter((id) => !(id in problems));
  const room = () => sent.length + messages.length < MAX_MESSAGES_PER_HOUR;
  if (fresh.length > 0 && room()) {
    messages.push([`openclaw-vps: ${host} has ${fresh.length === 1 ? "a problem" : `${fresh.length} problems`}:`, ...fresh.map((id) => `- ${problems[id]}`), "Details: sudo journalctl -u openclaw-health.service"].join("\n"));
    for (const id of fresh) told[id] = { since: now, text: problems[id] };
  }
  if (cleared.length > 0 && room()) {
    messages.push([`openclaw-vps: ${host} is fine again:`, ...cleared.map((id) => `- no longer: ${told[id].text}`)].join("\n"));
    for (const id of cleared) delete told[id];
  }
  return { status: { checkedAt: new Date(now).toISOString(), ok: Object.keys(problems).length === 0, problems, told, sent: [...sent, ...messages.map(() => now)] }, messages };
}

const mib = (bytes) => `${Math.round(bytes / 1048576)} MiB`;
const pct = (share) => `${Math.round(share * 100)}%`;

// ---------------------------------------------------------------------- the facts, on the server
function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", timeout: 20_000, stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
}

async function gather() {
  const show = Object.fromEntries(
    run("systemctl", ["show", UNIT, "-p", "ActiveState,NRestarts,MemoryCurrent,MemoryMax"])
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const number = (v) => (/^\d+$/.test(v || "") ? Number(v) : NaN);
  let health = 0;
  try {
    health = (await fetch(HEALTH_URL, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    health = 0;
  }
  let ready;
  if (health === 200) {
    try {
      const res = await fetch(READY_URL, { signal: AbortSignal.timeout(5000) });
      const body = await res.json().catch(() => ({}));
      ready = { status: res.status, failing: body.failing, uptimeMs: body.uptimeMs };
    } catch {
      ready = { status: 0 };
    }
  }
  const judge = require(path.join(__dirname, "judge.js"));
  const self = run("tailscale", ["status", "--json", "--peers=false"]);
  let dns = "";
  try {
    dns = JSON.parse(self).Self.DNSName.replace(/\.$/, "");
  } catch {
    dns = "";
  }
  const serveProblems = dns ? judge.judgeServe(run("tailscale", ["serve", "status", "--json"]), dns) : ["tailscale gives no DNS name for this node"];
  const df = run("df", ["-P", "--output=pcent,ipcent", DATA_DIR]).trim().split("\n").pop() || "";
  const [disk, inodes] = df.split(/\s+/).map((x) => Number(String(x).replace("%", "")) / 100);
  let memoryPressure = NaN;
  try {
    memoryPressure = Number(/some avg10=[\d.]+ avg60=([\d.]+)/.exec(fs.readFileSync("/proc/pressure/memory", "utf8"))[1]);
  } catch {
    memoryPressure = NaN;
  }
  let offsite;
  try {
    const configuredAt = fs.statSync(OFFSITE_ENV).mtimeMs;
    let status;
    try {
      status = JSON.parse(fs.readFileSync(OFFSITE_STATUS, "utf8"));
    } catch {
      status = undefined;
    }
    offsite = { configuredAt, status, now: Date.now() };
  } catch {
    offsite = undefined;
  }
  return {
    offsite,
    active: show.ActiveState,
    restarts: number(show.NRestarts),
    memoryCurrent: number(show.MemoryCurrent),
    memoryMax: number(show.MemoryMax),
    health,
    ready,
    serveProblems,
    diskShare: disk,
    inodeShare: inodes,
    memoryPressure,
  };
}

async function main() {
  let previous = {};
  try {
    previous = JSON.parse(fs.readFileSync(STATUS, "utf8"));
  } catch {
    previous = {};
  }
  const facts = await gather();
  const problems = judgeHealth(facts, previous.restarts);
  const host = run("hostname", []).trim() || "the server";
  const { status, messages } = nextStatus(previous, problems, Date.now(), host);
  status.restarts = facts.restarts;
  const { sendToOwner } = require(path.join(__dirname, "alert.js"));
  for (const text of messages) {
    try {
      console.error(`health: ${(await sendToOwner(text)) === "sent" ? "told the owner on Telegram" : "Telegram is off: told no one"}: ${text.split("\n")[0]}`);
    } catch (err) {
      console.error(`health: the alert could not be sent (${err.message})`);
    }
  }
  for (const text of Object.values(problems)) console.error(`health: PROBLEM ${text}`);
  const url = heartbeatUrl();
  if (url && status.ok) {
    try {
      await sendHeartbeat(url);
      status.heartbeat = { at: status.checkedAt, sent: true };
      console.error("health: heartbeat sent");
    } catch (err) {
      status.heartbeat = { at: status.checkedAt, sent: false, error: err.message };
      console.error(`health: the heartbeat could not be sent (${err.message})`);
    }
  } else if (url) {
    status.heartbeat = { at: status.checkedAt, sent: false, error: "withheld: the check found problems" };
    console.error("health: no heartbeat: the check found problems");
  }
  fs.mkdirSync(path.dirname(STATUS), { recursive: true });
  fs.writeFileSync(`${STATUS}.new`, `${JSON.stringify(status)}\n`, { mode: 0o640 });
  fs.renameSync(`${STATUS}.new`, STATUS);
  console.log(JSON.stringify({ ok: status.ok, problems: Object.values(problems) }));
  return 0;
}

module.exports = { judgeHealth, nextStatus, heartbeatUrl, sendHeartbeat, LIMITS, MAX_MESSAGES_PER_HOUR, READY_GRACE_MS };

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`health: ${err.stack || err}`);
      process.exit(1);
    },
  );
}
