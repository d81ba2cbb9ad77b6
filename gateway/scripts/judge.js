#!/usr/bin/env node
// The gate's judgements, in one place: configure.sh and verify.sh run it on the server with
// the gateway's Node.js; the tests call its functions directly. Each judgement returns the
// list of problems it found (empty means good). Unknown or malformed input is a problem:
// the gate fails closed.
// Usage: node judge.js <validate|audit|secrets STATE_DIR|serve DNSNAME|telegram|coding|posture POSTURE_FILE|listeners IP_ADDR_TEXT|counts|describe-telegram> < input
"use strict";

const GATEWAY_BACKEND = "http://127.0.0.1:18789";

function parse(text, what) {
  try {
    return { value: JSON.parse(text) };
  } catch {
    const shown = String(text).trim().slice(0, 200);
    return { problem: `${what} printed no JSON${shown ? `: ${shown}` : " (nothing at all)"}` };
  }
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** An error in OpenClaw's CLI shape: `{"ok":false,"error":{"message":...}}`. */
function cliError(doc, what) {
  if (doc.ok === false || isObject(doc.error)) {
    const message = isObject(doc.error) && typeof doc.error.message === "string" ? doc.error.message : JSON.stringify(doc.error ?? doc);
    return `${what} failed: ${message.split("\n").join(" ")}`;
  }
  return undefined;
}

/** `openclaw config validate --json`: valid, and not one warning. */
function judgeValidate(text) {
  const { value, problem } = parse(text, "openclaw config validate");
  if (problem) return [problem];
  if (!isObject(value)) return ["openclaw config validate printed an unknown shape"];
  const error = cliError(value, "openclaw config validate");
  if (error) return [error];
  const problems = [];
  if (value.valid !== true) problems.push(`openclaw config validate: not valid: ${JSON.stringify(value.errors ?? value.issues ?? value).slice(0, 500)}`);
  const warnings = value.warnings ?? [];
  if (!Array.isArray(warnings)) problems.push("openclaw config validate: warnings is not a list");
  else if (warnings.length > 0) problems.push(`openclaw config validate: ${warnings.length} warning(s): ${JSON.stringify(warnings).slice(0, 500)}`);
  return problems;
}

const SEVERE = new Set(["critical", "warn", "warning", "high", "error"]);

/**
 * `openclaw security audit --json`: the summary and the findings must both be present, and
 * both say clean. A CLI error, an unknown shape or a severity spelled another way fails.
 */
function judgeAudit(text) {
  const { value, problem } = parse(text, "openclaw security audit");
  if (problem) return [problem];
  if (!isObject(value)) return ["openclaw security audit printed an unknown shape"];
  const error = cliError(value, "openclaw security audit");
  if (error) return [error];
  const problems = [];
  const s = value.summary;
  if (!isObject(s) || !Number.isInteger(s.critical) || !Number.isInteger(s.warn)) {
    problems.push("openclaw security audit: no summary with critical and warn counts (unknown shape)");
  } else {
    if (s.critical !== 0) problems.push(`openclaw security audit: ${s.critical} critical`);
    if (s.warn !== 0) problems.push(`openclaw security audit: ${s.warn} warn`);
  }
  if (!Array.isArray(value.findings)) {
    problems.push("openclaw security audit: no findings list (unknown shape)");
  } else {
    for (const f of value.findings) {
      const severity = isObject(f) && typeof f.severity === "string" ? f.severity.toLowerCase() : "missing";
      if (severity === "info") continue;
      const id = isObject(f) ? (f.checkId ?? "?") : "?";
      const title = isObject(f) ? (f.title ?? "") : "";
      problems.push(SEVERE.has(severity) ? `${severity} ${id}: ${title}` : `finding ${id} with severity ${severity}`);
    }
  }
  return problems;
}

/**
 * The secrets this deployment's `.env` holds under names OpenClaw's model providers read by
 * themselves (gateway/openclawConfig.ts ENV_NAMES). `openclaw secrets audit` reports every
 * such name in `.env` as plaintext, by name alone, whatever refers to it; the file is where
 * they are meant to be (0600 in a 0700 directory, checked separately), so these findings,
 * and only these, are accepted.
 */
const MODEL_KEY_NAMES = ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"];
const SECRETS_AUDIT_CODES = new Set(["PLAINTEXT_FOUND", "REF_UNRESOLVED", "REF_SHADOWED", "STORE_PLAINTEXT_RESIDUE", "LEGACY_RESIDUE", "PLACEHOLDER_VALUE"]);

/**
 * `openclaw secrets audit --json` (report version 1): no plaintext secret in openclaw.json,
 * auth stores or generated models.json, every SecretRef resolvable, none shadowed. The one
 * accepted finding is a model key in the state directory's `.env` (above). A CLI error, a
 * report of another version or shape, a status other than clean/findings/unresolved, or
 * exec refs left unchecked fail.
 */
function judgeSecretsAudit(text, stateDir) {
  const { value, problem } = parse(text, "openclaw secrets audit");
  if (problem) return [problem];
  if (!isObject(value)) return ["openclaw secrets audit printed an unknown shape"];
  const error = cliError(value, "openclaw secrets audit");
  if (error) return [error];
  if (value.version !== 1) return [`openclaw secrets audit: report version ${JSON.stringify(value.version)} is not the one this check knows (1)`];
  if (!["clean", "findings", "unresolved"].includes(value.status)) return [`openclaw secrets audit: unknown status ${JSON.stringify(value.status)}`];
  if (!Array.isArray(value.findings) || !isObject(value.summary)) return ["openclaw secrets audit: no findings list or summary (unknown shape)"];
  if (value.status === "clean" && value.findings.length > 0) return ["openclaw secrets audit: status clean with findings (unknown shape)"];
  const problems = [];
  const envFile = `${String(stateDir).replace(/\/+$/, "")}/.env`;
  for (const f of value.findings) {
    const code = isObject(f) && typeof f.code === "string" ? f.code : "missing";
    const where = isObject(f) ? `${f.file ?? "?"}:${f.jsonPath ?? "?"}` : "?";
    const accepted =
      code === "PLAINTEXT_FOUND" && f.file === envFile && MODEL_KEY_NAMES.some((name) => f.jsonPath === `$env.${name}`);
    if (accepted) continue;
    const message = isObject(f) && typeof f.message === "string" ? `: ${f.message}` : "";
    problems.push(SECRETS_AUDIT_CODES.has(code) ? `secrets audit: ${code} ${where}${message}` : `secrets audit: finding with unknown code ${code} at ${where}`);
  }
  const unresolved = value.summary.unresolvedRefCount;
  if (!Number.isInteger(unresolved)) problems.push("openclaw secrets audit: no unresolvedRefCount in the summary (unknown shape)");
  else if ((unresolved > 0 || value.status === "unresolved") && problems.length === 0) problems.push(`openclaw secrets audit: ${unresolved} unresolved ref(s) without a finding`);
  const skipped = isObject(value.resolution) ? value.resolution.skippedExecRefs : undefined;
  if (!Number.isInteger(skipped)) problems.push("openclaw secrets audit: no resolution.skippedExecRefs (unknown shape)");
  else if (skipped !== 0) problems.push(`openclaw secrets audit: ${skipped} exec ref(s) not checked`);
  return problems;
}

/**
 * An IPv6 address as its eight 16-bit groups, or null when it is not one. Accepts the
 * compressed forms and an embedded IPv4 tail (`::ffff:127.0.0.1`).
 */
function ipv6Groups(text) {
  let s = String(text).toLowerCase();
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (tail) {
    const o = tail.slice(1).map(Number);
    if (o.some((x) => x > 255)) return null;
    s = `${s.slice(0, tail.index)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const groups = [...head, ...Array(Math.max(fill, 0)).fill("0"), ...rest];
  if (fill < 0 || groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

const isIPv4 = (s) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split(".").every((o) => Number(o) <= 255);

/**
 * One address in a form both `ss` and `ip` texts compare equal in: IPv4 dotted (an
 * IPv4-mapped IPv6 address becomes its IPv4), IPv6 as eight hex groups; null if neither.
 */
function canonicalAddress(text) {
  const s = String(text).replace(/^\[|\]$/g, "");
  if (isIPv4(s)) return s.split(".").map(Number).join(".");
  const g = ipv6Groups(s);
  if (!g) return null;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return [g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255].join(".");
  return g.map((x) => x.toString(16)).join(":");
}

/** The addresses `ip -o addr show dev tailscale0` lists (none when the device is missing). */
function tailnetAddresses(ipText) {
  const out = [];
  for (const m of String(ipText ?? "").matchAll(/\binet6?\s+([0-9a-fA-F:.]+)\/\d+/g)) {
    const a = canonicalAddress(m[1]);
    if (a) out.push(a);
  }
  return out;
}

/** Devices whose bound sockets take connections from nowhere else: the tailnet's and loopback. */
const TRUSTED_DEVICES = new Set(["tailscale0", "lo"]);

/**
 * Every TCP listener (`ss -Hltnp`) must be unreachable from anything but the host itself and
 * the tailnet: bound to a loopback address (127.0.0.0/8, ::1, or IPv4-mapped loopback), to
 * an address tailscale0 holds, or to the device itself (`%tailscale0`, `%lo`). A wildcard
 * (`0.0.0.0`, `[::]`, `*`), a public or any other address fails, naming the process. A line
 * it cannot read fails too. UDP is not judged: tailscaled must receive WireGuard on the
 * public interface (its UDP port on every address) and the DHCP client listens on port 68;
 * the only way to tell those from another UDP listener would be the process name, which any
 * process can choose. Inbound UDP is stopped by the cloud firewall and UFW instead.
 */
function judgeListeners(ssText, ipText, extra = "") {
  const allowed = new Set(tailnetAddresses(ipText));
  // With coding on, the coder's proxy on its network's bridge address ("ADDR:PORT NAME"):
  // that listener exactly, held by that program alone (the rules let only the bridge reach it).
  const [extraLocal, extraProgram] = String(extra).split(" ");
  const problems = [];
  for (const line of String(ssText).split("\n")) {
    if (line.trim() === "") continue;
    const fields = line.trim().split(/\s+/);
    const local = fields[3] ?? "";
    const m = /^(\[[0-9a-fA-F:.]+\]|\*|[0-9.]+)(?:%([^\s:%]+))?:(\d+)$/.exec(local);
    if (fields[0] !== "LISTEN" || fields.length < 5 || !m) {
      problems.push(`listeners: ss printed a line this check does not know: ${line.trim().slice(0, 200)}`);
      continue;
    }
    const [, host, device] = m;
    const users = [...line.matchAll(/\("((?:[^"\\]|\\.)*)",pid=(\d+)/g)].map((u) => `${u[1]} pid ${u[2]}`);
    const who = users.length > 0 ? users.join(", ") : "process unknown";
    if (device !== undefined && TRUSTED_DEVICES.has(device)) continue;
    const programs = [...line.matchAll(/\("((?:[^"\\]|\\.)*)",pid=/g)].map((u) => u[1]);
    if (extraLocal && local === extraLocal && programs.length > 0 && programs.every((p) => p === extraProgram)) continue;
    const address = host === "*" ? null : canonicalAddress(host);
    if (address !== null && (/^127\./.test(address) || address === "0:0:0:0:0:0:0:1" || allowed.has(address))) continue;
    problems.push(`listeners: ${local} (${who}) is reachable beyond loopback and the tailnet`);
  }
  return problems;
}

/** Any `AllowFunnel` entry that is not false, at any depth (foreground sessions included). */
function funnelAnywhere(value) {
  if (Array.isArray(value)) return value.some(funnelAnywhere);
  if (!isObject(value)) return false;
  return Object.entries(value).some(([key, v]) =>
    key === "AllowFunnel" ? (isObject(v) ? Object.values(v).some((x) => x !== false) : Boolean(v)) : funnelAnywhere(v),
  );
}

/**
 * `tailscale serve status --json` must be exactly the one route this deployment owns: HTTPS
 * on 443 of the node's own name to the gateway on loopback. No other port, no other path,
 * no foreground session, no Funnel anywhere.
 */
function judgeServe(text, dnsName) {
  const { value, problem } = parse(text, "tailscale serve status");
  if (problem) return [problem];
  if (!isObject(value)) return ["tailscale serve status printed an unknown shape"];
  const problems = [];
  const host = `${String(dnsName).replace(/\.$/, "")}:443`;
  for (const key of Object.keys(value)) {
    if (!["TCP", "Web", "AllowFunnel", "Foreground"].includes(key)) problems.push(`serve: unexpected ${key}`);
  }
  if (funnelAnywhere(value)) problems.push("serve: Funnel is on (the gateway would be on the internet)");
  if (Object.keys(value.Foreground ?? {}).length > 0) problems.push("serve: a foreground session holds a Serve port");
  const tcp = value.TCP ?? {};
  if (Object.keys(tcp).join(",") !== "443" || !isObject(tcp["443"]) || tcp["443"].HTTPS !== true || Object.keys(tcp["443"]).join(",") !== "HTTPS") {
    problems.push(`serve: expected only HTTPS on 443, found ${JSON.stringify(tcp)}`);
  }
  const web = value.Web ?? {};
  const handlers = isObject(web[host]) ? web[host].Handlers : undefined;
  if (Object.keys(web).join(",") !== host || !isObject(handlers) || Object.keys(handlers).join(",") !== "/") {
    problems.push(`serve: expected only ${host} path /, found ${JSON.stringify(Object.keys(web))}`);
  } else if (!isObject(handlers["/"]) || handlers["/"].Proxy !== GATEWAY_BACKEND || Object.keys(handlers["/"]).join(",") !== "Proxy") {
    problems.push(`serve: ${host} / does not proxy to ${GATEWAY_BACKEND}: ${JSON.stringify(handlers["/"])}`);
  }
  return problems;
}

/** Telegram's policy is not audited by OpenClaw: check the keys themselves. */
function judgeTelegram(configText) {
  const { value, problem } = parse(configText, "openclaw.json");
  if (problem) return [problem];
  const t = value.channels && value.channels.telegram;
  if (!t) return [];
  const problems = [];
  if (!["pairing", "allowlist"].includes(t.dmPolicy)) problems.push(`telegram: dmPolicy ${t.dmPolicy}`);
  if ((t.allowFrom ?? []).some((x) => String(x).includes("*"))) problems.push("telegram: allowFrom has a wildcard");
  if (t.groupPolicy !== "disabled") problems.push(`telegram: groupPolicy ${t.groupPolicy}`);
  if (t.configWrites !== false) problems.push("telegram: configWrites on");
  return problems;
}

const CODER_GATE = "openclaw-vps-coder-gate";
const CODER_NETWORK = "openclaw-coder";

/**
 * With coding on (the coder gate configured), what the audit does not look at: the coder's
 * sandbox on its own network with its workspace alone, the gate loaded, every approval going
 * to the owners and nobody else, the coder unable to reach other sessions or elevate.
 * Without the gate: nothing to judge, unless a coder agent with a network appeared anyway.
 */
function judgeCoding(configText) {
  const { value, problem } = parse(configText, "openclaw.json");
  if (problem) return [problem];
  const entries = (value.agents && value.agents.entries) || {};
  const coder = entries.coder;
  const gate = value.plugins && value.plugins.entries && value.plugins.entries[CODER_GATE];
  if (!gate) {
    const sandbox = isObject(coder) && isObject(coder.sandbox) ? coder.sandbox : {};
    return isObject(sandbox.docker) && sandbox.docker.network === CODER_NETWORK ? ["coding: the coder has its network but the coder gate is not configured"] : [];
  }
  const problems = [];
  const allow = (value.plugins && value.plugins.allow) || [];
  if (gate.enabled !== true || !allow.includes(CODER_GATE)) problems.push("coding: the coder gate is not enabled and allowed");
  const sandbox = isObject(coder) && isObject(coder.sandbox) ? coder.sandbox : {};
  const docker = isObject(sandbox.docker) ? sandbox.docker : {};
  if (sandbox.mode !== "all") problems.push(`coding: the coder's sandbox mode is ${sandbox.mode}, expected all`);
  if (docker.network !== CODER_NETWORK) problems.push(`coding: the coder's sandbox network is ${docker.network}, expected ${CODER_NETWORK}`);
  if ((docker.binds ?? []).length > 0) problems.push("coding: the coder's sandbox has extra binds");
  const tools = isObject(coder) && isObject(coder.tools) ? coder.tools : {};
  if (!isObject(tools.elevated) || tools.elevated.enabled !== false) problems.push("coding: the coder's elevated tools are not off");
  for (const denied of ["sessions_spawn", "sessions_send"]) {
    if (!(tools.deny ?? []).includes(denied)) problems.push(`coding: the coder may use ${denied}`);
  }
  const t = (value.channels && value.channels.telegram) || {};
  const approvals = t.execApprovals || {};
  const owners = (t.allowFrom ?? []).map(String).sort();
  const approvers = (approvals.approvers ?? []).map(String).sort();
  if (approvals.enabled !== true || approvers.length === 0 || JSON.stringify(approvers) !== JSON.stringify(owners)) {
    problems.push(`coding: approvals go to ${JSON.stringify(approvers)}, expected the owners ${JSON.stringify(owners)}`);
  }
  const tool = value.tools || {};
  if (tool.codeMode !== false) problems.push("coding: Code Mode is not off");
  return problems;
}

/** A value as the posture check names it: JSON, cut short; `not set` for nothing. */
function shown(v) {
  if (v === undefined) return "not set";
  const text = JSON.stringify(v);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** Deep equality of JSON values: objects whatever their key order, arrays in order. */
function sameValue(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue(a[k], b[k]));
  }
  return a === b;
}

/**
 * Where `found` differs from `expected` (undefined: not set), one line per key path: objects
 * are compared key by key down to the differing key, anything else as a whole (arrays in
 * order). A key set where nothing is expected is named down to each of its own keys.
 */
function postureDiff(expected, found, path, out) {
  if (isObject(expected) && isObject(found)) {
    for (const key of [...new Set([...Object.keys(expected), ...Object.keys(found)])].sort()) postureDiff(expected[key], found[key], [...path, key], out);
    return;
  }
  if (expected === undefined && isObject(found) && Object.keys(found).length > 0) {
    for (const key of Object.keys(found).sort()) postureDiff(undefined, found[key], [...path, key], out);
    return;
  }
  if (sameValue(expected, found)) return;
  out.push(`posture: ${path.join(".")} is ${shown(found)}, expected ${shown(expected)}`);
}

const POSTURE_VERSION = 1;

/**
 * Our own posture on the live openclaw.json (gateway/posture.ts renders the rules from the
 * same settings as the config, and ships them as posture.json): the sandbox of every agent,
 * the tool policies, the exec host, Telegram's owners and groups, the gateway's bind, auth,
 * proxies and origins, each exactly as rendered. OpenClaw's audits pass configs that
 * weaken these. A posture file that is missing, not JSON or of another version fails.
 */
function judgePosture(configText, postureText) {
  let p;
  try {
    p = JSON.parse(postureText);
  } catch {
    return ["posture: posture.json is not JSON"];
  }
  if (!isObject(p) || p.version !== POSTURE_VERSION || !Array.isArray(p.rules)) {
    return [`posture: posture.json is not version ${POSTURE_VERSION} with a list of rules (unknown shape)`];
  }
  const { value, problem } = parse(configText, "openclaw.json");
  if (problem) return [`posture: ${problem}`];
  if (!isObject(value)) return ["posture: openclaw.json is not an object"];
  const problems = [];
  for (const r of p.rules) {
    const path = isObject(r) && Array.isArray(r.path) && r.path.every((k) => typeof k === "string") ? r.path : undefined;
    const kinds = isObject(r) ? ["equals", "absent", "keys"].filter((k) => k in r) : [];
    if (!path || kinds.length !== 1 || (kinds[0] === "absent" && r.absent !== true) || (kinds[0] === "keys" && !Array.isArray(r.keys))) {
      problems.push(`posture: posture.json has a rule this check does not know: ${shown(r)}`);
      continue;
    }
    let found = value;
    for (const key of path) found = isObject(found) ? found[key] : undefined;
    if (kinds[0] === "keys") {
      const have = isObject(found) ? Object.keys(found) : [];
      const want = r.keys.map(String);
      if (!isObject(found) && found !== undefined) problems.push(`posture: ${path.join(".")} is ${shown(found)}, expected an object`);
      for (const key of have.filter((k) => !want.includes(k)).sort()) problems.push(`posture: ${[...path, key].join(".")} is set, expected only ${want.join(", ")}`);
      for (const key of want.filter((k) => !have.includes(k))) problems.push(`posture: ${[...path, key].join(".")} is not set`);
      continue;
    }
    postureDiff(kinds[0] === "equals" ? r.equals : undefined, found, path, problems);
  }
  return problems;
}

/** Telegram's policy in words, for the summary line. */
function describeTelegram(configText) {
  const { value } = parse(configText, "openclaw.json");
  const t = isObject(value) && isObject(value.channels) ? value.channels.telegram : undefined;
  return isObject(t) ? `${t.dmPolicy}, groups ${t.groupPolicy}` : value === undefined ? "unknown" : "off";
}

/** The audit's counts for the summary line, or nulls when it printed none. */
function auditCounts(text) {
  const { value } = parse(text, "audit");
  const s = isObject(value) && isObject(value.summary) ? value.summary : {};
  const n = (x) => (Number.isInteger(x) ? x : null);
  return { critical: n(s.critical), warn: n(s.warn), info: n(s.info) };
}

module.exports = {
  judgeValidate,
  judgeAudit,
  judgeSecretsAudit,
  judgeServe,
  judgeTelegram,
  judgeCoding,
  judgePosture,
  judgeListeners,
  tailnetAddresses,
  canonicalAddress,
  describeTelegram,
  auditCounts,
  GATEWAY_BACKEND,
  MODEL_KEY_NAMES,
};

/** `judge.js posture FILE`: the posture file is root's (rendered by Pulumi); without it the check fails. */
function judgePostureFile(configText, path) {
  let text;
  try {
    text = require("fs").readFileSync(path, "utf8");
  } catch (e) {
    return [`posture: ${path || "the posture file"} cannot be read (${e.code ?? e.message})`];
  }
  return judgePosture(configText, text);
}

if (require.main === module) {
  const [kind, ...args] = process.argv.slice(2);
  const chunks = [];
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (d) => chunks.push(d));
  process.stdin.on("end", () => {
    const input = chunks.join("");
    const judges = {
      validate: () => judgeValidate(input),
      audit: () => judgeAudit(input),
      secrets: () => judgeSecretsAudit(input, args[0] ?? ""),
      listeners: () => judgeListeners(input, args[0] ?? "", args[1] ?? ""),
      serve: () => judgeServe(input, args[0] ?? ""),
      telegram: () => judgeTelegram(input),
      coding: () => judgeCoding(input),
      posture: () => judgePostureFile(input, args[0] ?? ""),
      // These two describe rather than judge: they always succeed.
      counts: () => {
        console.log(JSON.stringify(auditCounts(input)));
        return [];
      },
      "describe-telegram": () => {
        console.log(describeTelegram(input));
        return [];
      },
    };
    const judge = judges[kind];
    if (!judge) {
      console.error("usage: judge.js <validate|audit|secrets STATE_DIR|serve DNSNAME|telegram|coding|posture POSTURE_FILE|listeners IP_ADDR_TEXT|counts|describe-telegram> < input");
      process.exit(2);
    }
    const problems = judge();
    for (const p of problems) console.log(p);
    process.exit(problems.length > 0 ? 1 : 0);
  });
}
