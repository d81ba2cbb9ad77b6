#!/usr/bin/env node
// The part of the tailnet policy file this deployment needs (tailnetPolicy: managed), kept in
// the user's policy without touching the rest of it. Run by `pulumi up` on this machine
// (components/openclawGateway.ts), never on the server.
//
//   node components/local/tailnet-policy.js apply
//     Reads OPENCLAW_VPS_POLICY_WANT ({"deployment", "tagOwners": {tag: owners}, "grants": [...]})
//     and adds what the policy lacks: a tag with no owners yet, a grant with no equal one.
//     Each addition is one line of its own, under a comment naming the deployment, at the top
//     of its section; every other byte of the file (comments, order, formatting) is kept.
//     Prints what it added, as one JSON line: the delete removes exactly that.
//   node components/local/tailnet-policy.js recorded
//     The command's update (a credential or the helper's path changed; changed entries
//     replace the command instead): prints the record again and changes nothing.
//   node components/local/tailnet-policy.js remove
//     Removes the lines `apply` printed (from PULUMI_COMMAND_STDOUT, which pulumi-command sets
//     for a delete), if they are still there as written; lines a person changed stay.
//
// The policy is read as HuJSON and written back with If-Match (its ETag): a policy changed
// in between is read again (412), never overwritten. Credentials from the environment only:
// TAILSCALE_API_KEY, or TAILSCALE_OAUTH_CLIENT_ID + TAILSCALE_OAUTH_CLIENT_SECRET (scope
// policy_file); TAILSCALE_BASE_URL overrides https://api.tailscale.com.
"use strict";
const { parse, parseTree, findNodeAtLocation } = require("jsonc-parser");

const { accessToken, base } = require("./tailscale-api");
const tailnet = encodeURIComponent(process.env.TAILSCALE_TAILNET || "-");
const HUJSON = { allowTrailingComma: true, disallowComments: false };
const TRIES = 5;

/** The marker line above each addition. */
const mark = (deployment) => `// openclaw-vps ${deployment}: added by pulumi up, removed with the stack`;

function parsed(text) {
  const errors = [];
  const value = parse(text, errors, HUJSON);
  if (errors.length > 0 || value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("the tailnet policy is not a HuJSON object");
  return value;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The policy text with what `want` lacks added, and the lines added: pure. A tag that has
 * owners keeps them; a grant equal to an existing one is not added again.
 */
function addTo(text, want) {
  const policy = parsed(text);
  const lines = [];
  const missingTags = Object.entries(want.tagOwners || {}).filter(([tag]) => !(policy.tagOwners && tag in policy.tagOwners));
  const missingGrants = (want.grants || []).filter((g) => !(policy.grants || []).some((x) => same(x, g)));
  let out = text;
  const sections = [
    ["tagOwners", "{", "}", missingTags.map(([tag, owners]) => `${JSON.stringify(tag)}: ${JSON.stringify(owners)},`)],
    ["grants", "[", "]", missingGrants.map((g) => `${JSON.stringify(g)},`)],
  ];
  for (const [key, open, close, entries] of sections) {
    if (entries.length === 0) continue;
    const tree = parseTree(out, [], HUJSON);
    const node = findNodeAtLocation(tree, [key]);
    const indent = "    ";
    const block = entries.map((e) => `\n${indent}${mark(want.deployment)}\n${indent}${e}`).join("");
    if (node) {
      out = out.slice(0, node.offset + 1) + block + out.slice(node.offset + 1);
    } else {
      out = out.slice(0, tree.offset + 1) + `\n  ${JSON.stringify(key)}: ${open}${block}\n  ${close},` + out.slice(tree.offset + 1);
    }
    for (const e of entries) lines.push(`${indent}${e}`);
  }
  parsed(out);
  return { text: out, added: lines };
}

/** The policy text without the lines `addTo` added (and their markers), where they are unchanged. */
function removeFrom(text, deployment, added) {
  let out = text;
  const kept = [];
  for (const line of added) {
    const exact = `\n${line.replace(/\S.*$/, "")}${mark(deployment)}\n${line}`;
    const at = out.indexOf(exact);
    if (at < 0) {
      kept.push(line.trim());
      continue;
    }
    out = out.slice(0, at) + out.slice(at + exact.length);
  }
  parsed(out);
  return { text: out, kept };
}


async function readPolicy() {
  const res = await fetch(`${base}/api/v2/tailnet/${tailnet}/acl`, {
    headers: { authorization: `Bearer ${await accessToken()}`, accept: "application/hujson" },
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`reading the tailnet policy: HTTP ${res.status} (the credentials need the policy_file scope)`);
  return { text: await res.text(), etag: res.headers.get("etag") };
}

/** Writes `text` if the policy is still `etag`; false when it changed in between (412). */
async function writePolicy(text, etag) {
  const res = await fetch(`${base}/api/v2/tailnet/${tailnet}/acl`, {
    method: "POST",
    headers: { authorization: `Bearer ${await accessToken()}`, "content-type": "application/hujson", ...(etag ? { "if-match": etag } : {}) },
    body: text,
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status === 412) return false;
  if (!res.ok) throw new Error(`writing the tailnet policy: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return true;
}

/** Read, change, write with If-Match; read again when someone changed it in between. */
async function update(change) {
  for (let i = 1; i <= TRIES; i++) {
    const { text, etag } = await readPolicy();
    const result = change(text);
    if (result.text === text) return result;
    if (await writePolicy(result.text, etag)) return result;
    console.error(`tailnet-policy: the policy changed while it was being updated; reading it again (${i}/${TRIES})`);
  }
  throw new Error(`the tailnet policy kept changing: not updated after ${TRIES} tries`);
}

/** What `apply` printed (PULUMI_COMMAND_STDOUT, which pulumi-command sets for an update and a delete), if anything. */
function recordedAdditions() {
  try {
    const recorded = JSON.parse((process.env.PULUMI_COMMAND_STDOUT || "").trim().split("\n").pop() || "");
    return recorded && typeof recorded.deployment === "string" && Array.isArray(recorded.added) ? recorded : undefined;
  } catch {
    return undefined;
  }
}

function wantedDeployment() {
  const want = JSON.parse(process.env.OPENCLAW_VPS_POLICY_WANT || "null");
  if (!want || typeof want.deployment !== "string") throw new Error("OPENCLAW_VPS_POLICY_WANT is not set");
  return want.deployment;
}

async function main(argv) {
  const [command] = argv;
  if (command === "apply") {
    const want = JSON.parse(process.env.OPENCLAW_VPS_POLICY_WANT || "null");
    if (!want || typeof want.deployment !== "string") throw new Error("OPENCLAW_VPS_POLICY_WANT is not set");
    const { added } = await update((text) => addTo(text, want));
    console.error(`tailnet-policy: ${added.length === 0 ? "the policy already has what this deployment needs" : `added ${added.length} line(s) for ${want.deployment}`}`);
    console.log(JSON.stringify({ deployment: want.deployment, added }));
    return 0;
  }
  if (command === "recorded") {
    // The command's update (only other inputs changed: a credential, the helper's path; new
    // entries replace the command): the policy is left alone, and the record of what apply
    // added is printed again, so that the delete still removes exactly that.
    const recorded = recordedAdditions();
    console.error(`tailnet-policy: unchanged; ${recorded ? `${recorded.added.length} line(s) of ${recorded.deployment} recorded` : "nothing recorded"}`);
    console.log(JSON.stringify(recorded ?? { deployment: wantedDeployment(), added: [] }));
    return 0;
  }
  if (command === "remove") {
    const recorded = recordedAdditions();
    if (!recorded || !Array.isArray(recorded.added) || recorded.added.length === 0) {
      console.error("tailnet-policy: nothing was added to the policy: nothing to remove");
      return 0;
    }
    const { kept } = await update((text) => removeFrom(text, recorded.deployment, recorded.added));
    for (const line of kept) console.error(`tailnet-policy: left in place, changed since it was added: ${line}`);
    console.error(`tailnet-policy: removed ${recorded.added.length - kept.length} line(s) of ${recorded.deployment}`);
    return 0;
  }
  console.error("usage: node components/local/tailnet-policy.js apply|recorded|remove");
  return 2;
}

module.exports = { addTo, removeFrom, mark };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`tailnet-policy: ${err.message}`);
      process.exit(1);
    },
  );
}
