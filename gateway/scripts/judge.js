#!/usr/bin/env node
// The gate's judgements, in one place: configure.sh and verify.sh run it on the server with
// the gateway's Node.js; the tests call its functions directly. Each judgement returns the
// list of problems it found (empty means good). Unknown or malformed input is a problem:
// the gate fails closed.
// Usage: node judge.js <validate|audit|serve DNSNAME|telegram|counts|describe-telegram> < input
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

module.exports = { judgeValidate, judgeAudit, judgeServe, judgeTelegram, describeTelegram, auditCounts, GATEWAY_BACKEND };

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
      serve: () => judgeServe(input, args[0] ?? ""),
      telegram: () => judgeTelegram(input),
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
      console.error("usage: judge.js <validate|audit|serve DNSNAME|telegram|counts|describe-telegram> < input");
      process.exit(2);
    }
    const problems = judge();
    for (const p of problems) console.log(p);
    process.exit(problems.length > 0 ? 1 : 0);
  });
}
