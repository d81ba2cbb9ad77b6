#!/usr/bin/env node
// The drift check: the live host against the manifest this deployment shipped with it
// (/etc/openclaw-vps/manifest.json, rendered by gateway/manifest.ts from the same settings as
// every file it names). verify.sh runs it, so the deploy gate and the daily self-check fail on
// drift; `pulumi up` runs it over SSH before it plans (components/driftCheck.ts), and re-runs
// the steps that re-assert the rendered state when it finds any.
//
// Usage:
//   drift.js check MANIFEST        one problem per line, `drift: <file>: <what>`; exit 0 when
//                                  the host is as deployed, 1 on drift, 2 when the manifest
//                                  cannot be read (fails closed)
//   drift.js carry RENDERED LIVE MANIFEST
//                                  the rendered openclaw.json with the keys OpenClaw itself
//                                  writes while it runs (the manifest's `config.carried`)
//                                  taken from the live one: what configure.sh installs, so a
//                                  pairing approval's command owner is not thrown away
//
// Never prints a secret: of .env only the key names are compared.
"use strict";

const { createHash } = require("crypto");
const { execFileSync } = require("child_process");
const fs = require("fs");

const MANIFEST_VERSION = 1;

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** A command's result, never throwing: {code, stdout, stderr}. */
function run(cmd, args) {
  try {
    const stdout = execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    return { code: 0, stdout, stderr: "" };
  } catch (e) {
    return { code: typeof e.status === "number" ? e.status : -1, stdout: String(e.stdout ?? ""), stderr: String(e.stderr ?? e.message ?? "") };
  }
}

const oneLine = (text) => String(text).trim().split("\n").join(" ").slice(0, 200);

/** Each file: there, with the rendered content, mode and owner (root). */
function checkFiles(files) {
  const problems = [];
  for (const f of files) {
    let st;
    let content;
    try {
      st = fs.lstatSync(f.path);
      if (!st.isFile()) {
        problems.push(`drift: ${f.path}: is not a regular file`);
        continue;
      }
      content = fs.readFileSync(f.path);
    } catch (e) {
      problems.push(`drift: ${f.path}: ${e.code === "ENOENT" ? "missing" : `cannot be read (${e.code ?? e.message})`}`);
      continue;
    }
    if (createHash("sha256").update(content).digest("hex") !== f.sha256) problems.push(`drift: ${f.path}: changed since the deploy`);
    const mode = `0${(st.mode & 0o7777).toString(8)}`;
    if (mode !== f.mode) problems.push(`drift: ${f.path}: mode ${mode}, expected ${f.mode}`);
    if (st.uid !== 0) problems.push(`drift: ${f.path}: owned by uid ${st.uid}, expected root`);
  }
  return problems;
}

/** The value at a key path, and a copy of the document without it. */
function without(doc, paths) {
  const copy = JSON.parse(JSON.stringify(doc));
  for (const path of paths) {
    let node = copy;
    for (const key of path.slice(0, -1)) node = isObject(node) ? node[key] : undefined;
    if (isObject(node)) delete node[path[path.length - 1]];
  }
  return copy;
}

/** The leaf paths where two JSON values differ (objects key by key in any order, arrays element by element). */
function differences(a, b, at = []) {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], [...at, k]));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((x, i) => differences(x, b[i], [...at, String(i)]));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [at.join(".") || "(the whole document)"];
}

function readJson(path) {
  try {
    return { value: JSON.parse(fs.readFileSync(path, "utf8")) };
  } catch (e) {
    return { problem: e.code === "ENOENT" ? "missing" : e.code ? `cannot be read (${e.code})` : "is not JSON" };
  }
}

/** The live config equals the rendered one, but for the keys OpenClaw writes itself. */
function checkConfig(config) {
  const live = readJson(config.live);
  if (live.problem) return [`drift: ${config.live}: ${live.problem}`];
  const rendered = readJson(config.rendered);
  if (rendered.problem) return [`drift: ${config.rendered}: ${rendered.problem}`];
  const diff = differences(without(rendered.value, config.carried), without(live.value, config.carried));
  if (diff.length === 0) return [];
  const more = diff.length > 3 ? ` (and ${diff.length - 3} more)` : "";
  return [`drift: ${config.live}: differs from the rendered config (${config.rendered}) at ${diff.slice(0, 3).join(", ")}${more}`];
}

/** The key names of an env file, never its values. */
function envNames(text) {
  return [...new Set(text.split("\n").map((l) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(l)?.[1]).filter(Boolean))].sort();
}

/** .env holds exactly the keys the configure step put there (names only). */
function checkEnv(env) {
  let have;
  let want;
  try {
    have = envNames(fs.readFileSync(env.file, "utf8"));
  } catch (e) {
    return [`drift: ${env.file}: ${e.code === "ENOENT" ? "missing" : `cannot be read (${e.code ?? e.message})`}`];
  }
  try {
    want = fs.readFileSync(env.names, "utf8").split("\n").filter(Boolean).sort();
  } catch (e) {
    return [`drift: ${env.names}: ${e.code === "ENOENT" ? "missing (the configure step writes it)" : `cannot be read (${e.code ?? e.message})`}`];
  }
  return [
    ...have.filter((n) => !want.includes(n)).map((n) => `drift: ${env.file}: holds ${n}, which the deploy did not put there`),
    ...want.filter((n) => !have.includes(n)).map((n) => `drift: ${env.file}: lacks ${n}, which the deploy put there`),
  ];
}

/**
 * No unit of ours is changed from outside its file: a drop-in directory or a runtime copy
 * (both override the file the deploy wrote, whose hash is checked with the files).
 */
function checkUnits(units) {
  const problems = [];
  for (const unit of units) {
    for (const dir of [`/etc/systemd/system/${unit}.d`, `/run/systemd/system/${unit}.d`, `/etc/systemd/system.control/${unit}.d`, `/run/systemd/system.control/${unit}.d`]) {
      let entries = [];
      try {
        entries = fs.readdirSync(dir);
      } catch {
        entries = [];
      }
      for (const e of entries.sort()) problems.push(`drift: ${dir}/${e}: a drop-in the deploy did not write`);
    }
    if (fs.existsSync(`/run/systemd/system/${unit}`)) problems.push(`drift: /run/systemd/system/${unit}: a runtime copy overrides the deployed unit`);
  }
  return problems;
}

/** A KEY=value file's values (quotes removed), such as /etc/default/ufw. */
function shellValues(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].trim().replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
  }
  return out;
}

/** Lines added to and missing from a set, as problems about one subject. */
function setDrift(subject, have, want, what) {
  return [
    ...have.filter((l) => !want.includes(l)).map((l) => `drift: ${subject}: ${what} the deploy did not add: ${l}`),
    ...want.filter((l) => !have.includes(l)).map((l) => `drift: ${subject}: missing ${what}: ${l}`),
  ];
}

/** UFW on, its defaults as set, and exactly the rules the host firewall added. */
function checkUfw(ufw) {
  const problems = [];
  const status = run("ufw", ["status"]);
  const first = status.stdout.split("\n")[0] ?? "";
  if (first !== `Status: ${ufw.status}`) problems.push(`drift: UFW: ${first || oneLine(status.stderr) || `ufw status exited ${status.code}`}, expected Status: ${ufw.status}`);
  let defaults = {};
  try {
    defaults = shellValues(fs.readFileSync(ufw.defaultsFile, "utf8"));
  } catch (e) {
    problems.push(`drift: ${ufw.defaultsFile}: cannot be read (${e.code ?? e.message})`);
  }
  for (const [key, value] of Object.entries(ufw.defaults)) {
    if (defaults[key] !== value) problems.push(`drift: ${ufw.defaultsFile}: ${key} is ${defaults[key] ?? "not set"}, expected ${value}`);
  }
  const added = run("ufw", ["show", "added"]);
  if (added.code !== 0) return [...problems, `drift: ${ufw.rulesFile}: ufw show added exited ${added.code}: ${oneLine(added.stderr)}`];
  const rules = added.stdout.split("\n").filter((l) => l.startsWith("ufw "));
  return [...problems, ...setDrift(ufw.rulesFile, rules, ufw.rules, "a rule")];
}

/** DOCKER-USER holds exactly the rules docker-guard.sh (and, with coding, coding-egress.sh) insert. */
function checkDockerUser(rules) {
  const out = run("iptables", ["-S", "DOCKER-USER"]);
  if (out.code !== 0) return [`drift: iptables DOCKER-USER: cannot be read (iptables -S exited ${out.code}: ${oneLine(out.stderr)})`];
  // Docker's own last rule (older releases) returns to FORWARD: it adds nothing.
  const have = out.stdout.split("\n").filter((l) => l.startsWith("-A DOCKER-USER ") && l !== "-A DOCKER-USER -j RETURN");
  return setDrift("iptables DOCKER-USER", have, rules, "a rule");
}

/** Each timer enabled and running. */
function checkTimers(timers) {
  const problems = [];
  for (const t of timers) {
    const enabled = run("systemctl", ["is-enabled", t]).stdout.trim();
    const active = run("systemctl", ["is-active", t]).stdout.trim();
    if (enabled !== "enabled" || active !== "active") problems.push(`drift: /etc/systemd/system/${t}: is ${enabled || "unknown"} and ${active || "unknown"}, expected enabled and active`);
  }
  return problems;
}

/** Every check the manifest asks for; an unknown or malformed manifest is a problem. */
function checkManifest(manifest) {
  if (!isObject(manifest) || manifest.version !== MANIFEST_VERSION || !Array.isArray(manifest.files)) {
    return [`drift: the manifest is not version ${MANIFEST_VERSION} with a list of files (unknown shape)`];
  }
  return [
    ...checkFiles(manifest.files),
    ...(manifest.config ? checkConfig(manifest.config) : []),
    ...(manifest.env ? checkEnv(manifest.env) : []),
    ...checkUnits(manifest.units ?? []),
    ...(manifest.ufw ? checkUfw(manifest.ufw) : []),
    ...(manifest.dockerUser ? checkDockerUser(manifest.dockerUser) : []),
    ...checkTimers(manifest.timers ?? []),
  ];
}

/** The rendered config with the carried keys the live one holds (configure.sh installs the result). */
function carry(renderedText, liveText, carried) {
  let live;
  try {
    live = JSON.parse(liveText);
  } catch {
    return renderedText;
  }
  const out = JSON.parse(renderedText);
  let added = false;
  for (const path of carried) {
    let from = live;
    for (const key of path) from = isObject(from) ? from[key] : undefined;
    if (from === undefined) continue;
    let to = out;
    for (const key of path.slice(0, -1)) {
      if (!isObject(to[key])) to[key] = {};
      to = to[key];
    }
    to[path[path.length - 1]] = from;
    added = true;
  }
  // Nothing to carry: the rendered text itself, byte for byte.
  return added ? `${JSON.stringify(out, null, 2)}\n` : renderedText;
}

module.exports = { MANIFEST_VERSION, checkManifest, checkFiles, checkConfig, checkEnv, checkUnits, differences, envNames, carry, shellValues };

if (require.main === module) {
  const [kind, ...args] = process.argv.slice(2);
  const usage = () => {
    console.error("usage: drift.js check MANIFEST | drift.js carry RENDERED LIVE MANIFEST");
    process.exit(2);
  };
  const manifestAt = (path) => {
    try {
      return JSON.parse(fs.readFileSync(path, "utf8"));
    } catch (e) {
      console.log(`drift: ${path}: ${e.code === "ENOENT" ? "missing" : e.code ? `cannot be read (${e.code})` : "is not JSON"}`);
      process.exit(2);
    }
  };
  if (kind === "check" && args.length === 1) {
    const problems = checkManifest(manifestAt(args[0]));
    for (const p of problems) console.log(p);
    process.exit(problems.length > 0 ? 1 : 0);
  } else if (kind === "carry" && args.length === 3) {
    // carry RENDERED LIVE MANIFEST: which keys are carried is the manifest's to say.
    const manifest = manifestAt(args[2]);
    let liveText = "";
    try {
      liveText = fs.readFileSync(args[1], "utf8");
    } catch {
      liveText = "";
    }
    process.stdout.write(carry(fs.readFileSync(args[0], "utf8"), liveText, manifest.config?.carried ?? []));
  } else {
    usage();
  }
}
