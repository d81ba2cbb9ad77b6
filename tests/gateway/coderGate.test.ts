/**
 * The coder gate's rules and writes (gateway/plugins/coder-gate/gate.cjs), with real git on
 * real repositories and a GitHub API stand-in on loopback that keeps the rules the calls rely
 * on (a merge names the head it expects, and is refused when the head moved).
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync, readFileSync, chmodSync } from "fs";
import { git, makeClone } from "../helpers/coderClone";
import { createServer, IncomingMessage, Server, ServerResponse } from "http";
import { AddressInfo } from "net";
import { tmpdir } from "os";
import { join } from "path";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gate = require("../../gateway/plugins/coder-gate/gate.cjs") as {
  remoteWrite(command: unknown): string | null;
  settings(config: unknown, env: Record<string, string | undefined>): Settings;
  stage(s: Settings, repo: string, branch: string, sha: string): Promise<{ sha: string; subject: string; author: string }>;
  push(s: Settings, staged: unknown): Promise<string>;
  createPullRequest(s: Settings, p: unknown): Promise<string>;
  pullRequest(s: Settings, repo: string, n: number): Promise<{ sha: string; state: string }>;
  mergePullRequest(s: Settings, p: unknown): Promise<string>;
};
interface Settings {
  readonly repositories: readonly string[];
  readonly token: string;
}

const sh = git;

describe("what counts as a write to a remote", () => {
  const writes = [
    "git push origin feat",
    "git -C repo -c a=b push -u origin HEAD",
    "npm test && git push",
    "bash -lc 'git push'",
    "gh pr create --fill",
    "gh pr merge 12 --squash",
    "gh api -X POST repos/o/r/pulls -f title=x",
    "gh api repos/o/r/issues -f title=x",
    "gh api --method=PATCH repos/o/r",
    "curl -X POST https://api.github.com/repos/o/r/pulls",
    "curl -d '{}' https://api.github.com/repos/o/r/issues",
    "python3 -c \"import subprocess;subprocess.run(['git','push'])\"",
    "echo Z2l0IHB1c2g= | base64 -d | sh",
    "gh release create v1",
    "gh repo delete o/r --yes",
    "git send-pack ../x main",
    'eval "$CMD"',
    "gh workflow run ci.yml",
    "GIT_TRACE=1 git push --force-with-lease",
    "git \\\npush",
    "wget --post-data=x https://github.com/o/r",
  ];
  const reads = [
    "git clone https://github.com/o/r",
    "git fetch origin",
    "git pull --ff-only",
    "git commit -am 'x'",
    "git checkout -b feat",
    "npm test",
    "make check",
    "git status",
    "git log --oneline -5",
    "gh pr view 12",
    "gh pr list",
    "gh api repos/o/r/pulls",
    "curl -s https://api.github.com/repos/o/r",
    "pytest -q",
    "git rebase origin/main",
    "git merge origin/main",
  ];
  it.each(writes)("holds %j", (command) => expect(gate.remoteWrite(command)).not.toBeNull());
  it.each(reads)("lets %j run", (command) => expect(gate.remoteWrite(command)).toBeNull());
  it("holds what is not text", () => expect(gate.remoteWrite({ command: "git push" })).not.toBeNull());
});

describe("settings", () => {
  it("requires where the workspace and the mirrors are", () => {
    expect(() => gate.settings({ agentId: "coder", workspace: "/w" }, {})).toThrow("mirrors is not configured");
  });
  it("reads the token from the environment, not the config", () => {
    const s = gate.settings({ agentId: "coder", workspace: "/w", mirrors: "/m", repositories: ["Me/App"] }, { CODER_GITHUB_TOKEN: "t0k" });
    expect(s.token).toBe("t0k");
    expect(s.repositories).toEqual(["me/app"]);
  });
});

describe("a push, from the mirror", () => {
  let root: string;
  let s: Settings;
  let work: string;
  let remote: string;
  let sha: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "coder-gate-"));
    remote = join(root, "github", "me", "app.git");
    mkdirSync(remote, { recursive: true });
    sh(remote, "init", "--quiet", "--bare");
    work = join(root, "workspace", "me", "app");
    sha = makeClone(work);
    s = gate.settings(
      { agentId: "coder", workspace: join(root, "workspace"), mirrors: join(root, "mirrors"), repositories: ["me/app"], gitBaseUrl: `file://${join(root, "github")}` },
      {},
    );
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("stages the branch and says what it holds, then pushes exactly that commit", async () => {
    const staged = await gate.stage(s, "me/app", "fix/typo", sha);
    expect(staged).toMatchObject({ sha, subject: "Fix the greeting", author: "Ada <ada@example.com>" });
    // Staging writes nothing to the remote.
    expect(() => sh(remote, "rev-parse", "--verify", "--quiet", "refs/heads/fix/typo")).toThrow();
    expect(await gate.push(s, staged)).toBe(`pushed ${sha.slice(0, 12)} to me/app as fix/typo`);
    expect(sh(remote, "rev-parse", "refs/heads/fix/typo")).toBe(sha);
  });

  it("refuses a commit the branch does not point at", async () => {
    const first = sh(work, "rev-parse", "HEAD~1");
    await expect(gate.stage(s, "me/app", "fix/typo", first)).rejects.toThrow(`is at ${sha}, not ${first}`);
  });

  it("refuses repositories outside the list, bad branch names and short ids", async () => {
    await expect(gate.stage(s, "me/other", "fix/typo", sha)).rejects.toThrow("not one of the coder's repositories");
    await expect(gate.stage(s, "me/app", "--upload-pack=touch x", sha)).rejects.toThrow("not a branch name");
    await expect(gate.stage(s, "me/app", "a..b", sha)).rejects.toThrow("not a branch name");
    await expect(gate.stage(s, "me/app", "fix/typo", sha.slice(0, 12))).rejects.toThrow("full 40-character");
    await expect(gate.stage(s, "../app", "fix/typo", sha)).rejects.toThrow("owner/name");
  });

  it("runs none of the workspace's hooks or configured programs", async () => {
    const marker = join(root, "ran");
    // What a sandbox could leave in its clone: hooks, an fsmonitor, a push URL elsewhere.
    const hook = `#!/bin/sh\ntouch ${marker}\n`;
    for (const name of ["pre-push", "post-checkout", "reference-transaction", "pre-receive"]) {
      writeFileSync(join(work, ".git", "hooks", name), hook);
      chmodSync(join(work, ".git", "hooks", name), 0o755);
    }
    sh(work, "config", "core.fsmonitor", `touch ${marker}`);
    sh(work, "config", "uploadpack.packObjectsHook", `touch ${marker}`);
    sh(work, "remote", "add", "origin", join(root, "elsewhere.git"));
    sh(work, "config", "remote.origin.pushurl", join(root, "elsewhere.git"));
    const staged = await gate.stage(s, "me/app", "fix/typo", sha);
    await gate.push(s, staged);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(root, "elsewhere.git"))).toBe(false);
    expect(sh(remote, "rev-parse", "refs/heads/fix/typo")).toBe(sha);
    // The mirror is the gateway's own: its config names no program the workspace wrote.
    const mirrorConfig = readFileSync(join(root, "mirrors", "me", "app.git", "config"), "utf8");
    expect(mirrorConfig).not.toContain(marker);
  });
});

describe("pull requests, through the GitHub API", () => {
  let server: Server;
  let s: Settings;
  const calls: { method: string; url: string; auth: string; body: unknown }[] = [];
  const pr = { number: 7, title: "Fix the greeting", state: "open", head: { ref: "fix/typo", sha: "a".repeat(40) }, base: { ref: "main" } };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
        calls.push({ method: req.method ?? "", url: req.url ?? "", auth: req.headers.authorization ?? "", body });
        const send = (status: number, data: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(data));
        };
        if (req.method === "POST" && req.url === "/repos/me/app/pulls") return send(201, { number: 7, html_url: "https://github.test/me/app/pull/7" });
        if (req.method === "GET" && req.url === "/repos/me/app/pulls/7") return send(200, pr);
        if (req.method === "PUT" && req.url === "/repos/me/app/pulls/7/merge") {
          // GitHub's rule: a merge naming another head is refused (409).
          if ((body as { sha?: string }).sha !== pr.head.sha) return send(409, { message: "Head branch was modified. Review and try the merge again." });
          return send(200, { merged: true, sha: "b".repeat(40) });
        }
        send(404, { message: "Not Found" });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    s = gate.settings({ agentId: "coder", workspace: "/w", mirrors: "/m", apiBaseUrl: `http://127.0.0.1:${port}` }, { CODER_GITHUB_TOKEN: "github_pat_test" });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => calls.splice(0));

  it("opens one with the write token", async () => {
    expect(await gate.createPullRequest(s, { repo: "me/app", head: "fix/typo", base: "main", title: " Fix the greeting ", body: "Typo." })).toBe(
      "opened pull request #7: https://github.test/me/app/pull/7",
    );
    expect(calls).toEqual([
      { method: "POST", url: "/repos/me/app/pulls", auth: "Bearer github_pat_test", body: { title: "Fix the greeting", head: "fix/typo", base: "main", body: "Typo." } },
    ]);
  });

  it("merges only the head the owner was shown", async () => {
    expect(await gate.mergePullRequest(s, { repo: "me/app", number: 7, sha: "a".repeat(40), method: "squash" })).toContain("merged pull request #7 (squash)");
    await expect(gate.mergePullRequest(s, { repo: "me/app", number: 7, sha: "c".repeat(40) })).rejects.toThrow("409 Head branch was modified");
    expect(calls.map((c) => (c.body as { sha: string }).sha)).toEqual(["a".repeat(40), "c".repeat(40)]);
  });

  it("reads the pull request the merge question names", async () => {
    expect(await gate.pullRequest(s, "me/app", 7)).toMatchObject({ sha: "a".repeat(40), state: "open" });
    await expect(gate.pullRequest(s, "me/app", 8)).rejects.toThrow("404 Not Found");
  });
});
