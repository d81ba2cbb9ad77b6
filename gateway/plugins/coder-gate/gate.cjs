// The coder gate's rules and actions, free of OpenClaw: what counts as a write to a remote,
// which repositories and branches are acceptable, and the three writes themselves (push,
// pull request, merge), run on the gateway host with the write token. index.mjs wires them
// into OpenClaw: every write waits for the owner's approval on Telegram first.
//
// Nothing here trusts the workspace: the sandbox can write every file in it, .git/config and
// hooks included. A push therefore never runs git in the workspace: the branch is fetched
// (git upload-pack, which runs no repository hooks) into a bare mirror the sandbox cannot
// reach, and pushed from there with this module's own configuration.
"use strict";

const { execFile } = require("node:child_process");
const { mkdirSync, existsSync, writeFileSync } = require("node:fs");
const path = require("node:path");
const { Buffer } = require("node:buffer");

/** owner/name, as GitHub spells them. */
const REPO = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** A branch name git accepts and a shell or a URL cannot misread. */
const BRANCH = /^(?![-/.])(?!.*(?:\.\.|\/\/|@\{|\.lock$|\/$|\.$))[A-Za-z0-9._/-]{1,200}$/;
const SHA = /^[0-9a-f]{40}$/;

/**
 * Commands the coder's exec (or a running process) may not run: writes to a remote belong
 * to the gate's tools. A cooperative layer only: the sandbox holds no write credential, which
 * is what keeps a script from pushing; this tells the model where the writes go.
 */
const REMOTE_WRITES = [
  [/\bgit\b[^\n]*?\b(?:push|send-pack)\b/i, "git push"],
  [/receive-pack/i, "git receive-pack"],
  [
    /\bgh\b[^\n]*?\b(?:pr|issue|repo|release|gist|label|workflow|run|secret|variable|project|ruleset|cache)\b[^\n]*?\b(?:create|merge|close|reopen|edit|comment|review|ready|delete|fork|rename|archive|unarchive|sync|transfer|lock|unlock|pin|unpin|develop|upload|run|rerun|cancel|enable|disable|set|add|remove|link|unlink)\b/i,
    "a gh command that writes",
  ],
  [/\bgh\b[^\n]*?\bapi\b[^\n]*?(?:-X\s*|--method[=\s]+)(?:POST|PUT|PATCH|DELETE)\b/i, "gh api with a writing method"],
  [/\bgh\b[^\n]*?\bapi\b[^\n]*?\s(?:-f|-F|--field|--raw-field|--input)(?:\s|=)/i, "gh api with fields (a POST)"],
  [/\bgh\b[^\n]*?\bauth\b[^\n]*?\b(?:setup-git|login|refresh|token)\b/i, "gh auth"],
  [
    /^(?=[\s\S]*\b(?:curl|wget|xh|http)\b)(?=[\s\S]*github)(?=[\s\S]*(?:-X\s*(?:POST|PUT|PATCH|DELETE)|--request[=\s]+(?:POST|PUT|PATCH|DELETE)|\s-d\b|--data|\s-F\b|--form|--json|--upload-file|\s-T\b|--method[=\s]+(?:POST|PUT|PATCH|DELETE)|--post))/i,
    "an HTTP write to GitHub",
  ],
  [/\bpush\b/i, "the word push"],
  [/api\.github\.com[^\s'"]*\/(?:pulls|merges|merge|git\/refs|contents|releases|issues|comments|dispatches)/i, "a GitHub API write path"],
  [/\bbase64\b[^\n]*(?:-d|--decode)\b[^\n]*\|\s*(?:ba|z|da)?sh\b/i, "a decoded script piped to a shell"],
  [/\beval\b/i, "eval"],
];

/** Why a command counts as a write to a remote, or null when it does not. */
function remoteWrite(command) {
  if (typeof command !== "string") return "a command that is not text";
  const flat = command.replace(/\\\n/g, " ");
  for (const [pattern, reason] of REMOTE_WRITES) if (pattern.test(flat)) return reason;
  return null;
}

/** The gate's settings, with defaults; refuses what would make a write go elsewhere. */
function settings(config, env) {
  const c = config || {};
  for (const key of ["agentId", "workspace", "mirrors"]) {
    if (typeof c[key] !== "string" || c[key] === "") throw new Error(`coder gate: ${key} is not configured`);
  }
  const token = env[c.tokenEnv || "CODER_GITHUB_TOKEN"] || "";
  return {
    agentId: c.agentId,
    workspace: c.workspace,
    mirrors: c.mirrors,
    repositories: Array.isArray(c.repositories) ? c.repositories.map((r) => r.toLowerCase()) : [],
    token,
    gitBaseUrl: (c.gitBaseUrl || "https://github.com").replace(/\/+$/, ""),
    apiBaseUrl: (c.apiBaseUrl || "https://api.github.com").replace(/\/+$/, ""),
    timeoutMs: 1000 * (c.approvalTimeoutSeconds || 600),
  };
}

/** The repository named by the model, if it is one the coder may write to. */
function checkRepo(s, repo) {
  if (typeof repo !== "string" || !REPO.test(repo)) throw new Error(`repo must be owner/name, got ${JSON.stringify(repo)}`);
  if (s.repositories.length > 0 && !s.repositories.includes(repo.toLowerCase())) {
    throw new Error(`${repo} is not one of the coder's repositories (${s.repositories.join(", ")})`);
  }
  return repo;
}

function checkBranch(branch) {
  if (typeof branch !== "string" || !BRANCH.test(branch)) throw new Error(`not a branch name git accepts: ${JSON.stringify(branch)}`);
  return branch;
}

function checkSha(sha) {
  if (typeof sha !== "string" || !SHA.test(sha)) throw new Error("sha must be the full 40-character commit id (git rev-parse HEAD)");
  return sha;
}

/** git with no system, global or repository-supplied programs: no hooks, no fsmonitor, no helpers. */
function git(args, options = {}) {
  const env = {
    PATH: process.env.PATH || "/usr/bin:/bin",
    HOME: "/nonexistent",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    ...(options.env || {}),
  };
  const hardened = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "protocol.ext.allow=never", "-c", "credential.helper="];
  return new Promise((resolve, reject) => {
    execFile("git", [...hardened, ...args], { env, timeout: options.timeoutMs || 300_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.filter((a) => !a.startsWith("http")).slice(0, 3).join(" ")} failed: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}

/** The bare mirror of a repository, owned by the gateway and out of the sandbox's reach. */
async function mirror(s, repo) {
  const dir = path.join(s.mirrors, `${repo.toLowerCase()}.git`);
  if (!existsSync(path.join(dir, "HEAD"))) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    await git(["init", "--quiet", "--bare", dir]);
  }
  return dir;
}

/**
 * Takes the branch from the workspace's clone (<workspace>/<owner>/<name>) into the mirror and
 * says what it holds: the commit the owner is asked about is the commit that is pushed.
 */
async function stage(s, repo, branch, sha) {
  checkRepo(s, repo);
  checkBranch(branch);
  checkSha(sha);
  const source = path.join(s.workspace, repo);
  if (!existsSync(source)) throw new Error(`no clone of ${repo} at ${source}: clone it to /workspace/${repo} first`);
  const dir = await mirror(s, repo);
  // upload-pack serves the workspace's objects; the source is another user's (the sandbox's)
  // clone. git runs upload-pack for a local path without the command line's settings, so the
  // exception for exactly this clone is in a global config file of the gate's own.
  const trust = path.join(s.mirrors, ".safe-directories");
  const quoted = (p) => `"${p.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  writeFileSync(trust, `[safe]\n\tdirectory = ${quoted(source)}\n\tdirectory = ${quoted(`${source}/.git`)}\n`, { mode: 0o600 });
  await git(["-C", dir, "fetch", "--quiet", "--no-tags", "--", source, `+refs/heads/${branch}:refs/staged/${branch}`], { env: { GIT_CONFIG_GLOBAL: trust } });
  const head = (await git(["-C", dir, "rev-parse", `refs/staged/${branch}`])).trim();
  if (head !== sha) throw new Error(`${branch} in the workspace is at ${head}, not ${sha}: push the commit the branch points at`);
  const log = (await git(["-C", dir, "log", "-1", "--format=%an <%ae>%n%s", sha])).trim().split("\n");
  return { repo, branch, sha, author: log[0], subject: log[1] || "" };
}

/** Pushes exactly the staged commit. The token travels in git's environment, never its arguments. */
async function push(s, staged) {
  const dir = await mirror(s, staged.repo);
  const url = `${s.gitBaseUrl}/${staged.repo}.git`;
  const env = {};
  if (s.token && url.startsWith("https://")) {
    const basic = Buffer.from(`x-access-token:${s.token}`).toString("base64");
    Object.assign(env, { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: `http.${s.gitBaseUrl}/.extraheader`, GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}` });
  }
  await git(["-C", dir, "push", "--quiet", "--", url, `${staged.sha}:refs/heads/${staged.branch}`], { env });
  return `pushed ${staged.sha.slice(0, 12)} to ${staged.repo} as ${staged.branch}`;
}

/** One GitHub REST call with the write token; errors say what GitHub said. */
async function github(s, method, route, body) {
  const response = await fetch(`${s.apiBaseUrl}${route}`, {
    method,
    headers: {
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      "user-agent": "openclaw-vps-coder-gate",
      ...(s.token ? { authorization: `Bearer ${s.token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { message: text.slice(0, 200) };
  }
  if (!response.ok) throw new Error(`GitHub ${method} ${route}: ${response.status} ${data.message || ""}`.trim());
  return data;
}

function pullRequestArgs(s, p) {
  const repo = checkRepo(s, p.repo);
  const head = checkBranch(p.head);
  const base = checkBranch(p.base);
  if (typeof p.title !== "string" || p.title.trim() === "" || p.title.length > 256) throw new Error("title: 1-256 characters");
  const body = typeof p.body === "string" ? p.body.slice(0, 20_000) : "";
  return { repo, head, base, title: p.title.trim(), body };
}

async function createPullRequest(s, p) {
  const a = pullRequestArgs(s, p);
  const pr = await github(s, "POST", `/repos/${a.repo}/pulls`, { title: a.title, head: a.head, base: a.base, body: a.body });
  return `opened pull request #${pr.number}: ${pr.html_url || ""}`.trim();
}

/** The pull request as GitHub has it now, for the owner's question and the merge's guard. */
async function pullRequest(s, repo, number) {
  checkRepo(s, repo);
  if (!Number.isInteger(number) || number < 1) throw new Error("number: the pull request's number");
  const pr = await github(s, "GET", `/repos/${repo}/pulls/${number}`);
  return { number, title: pr.title || "", head: (pr.head && pr.head.ref) || "", sha: (pr.head && pr.head.sha) || "", base: (pr.base && pr.base.ref) || "", state: pr.state };
}

/** Merges only if the head is still the commit the owner approved (GitHub refuses otherwise). */
async function mergePullRequest(s, p) {
  checkRepo(s, p.repo);
  checkSha(p.sha);
  const method = ["merge", "squash", "rebase"].includes(p.method) ? p.method : "merge";
  const result = await github(s, "PUT", `/repos/${p.repo}/pulls/${p.number}/merge`, { sha: p.sha, merge_method: method });
  return `merged pull request #${p.number} (${method}): ${result.sha || ""}`.trim();
}

module.exports = { remoteWrite, settings, checkRepo, checkBranch, checkSha, stage, push, createPullRequest, pullRequest, mergePullRequest, pullRequestArgs };
