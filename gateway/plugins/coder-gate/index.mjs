// The coder gate, as an OpenClaw plugin (docs/coding.md). Three tools the coder agent calls
// to write to GitHub, run here on the gateway host with the write token the sandbox never
// sees, and a before_tool_call hook that holds each call until the owner answers the approval
// request on Telegram: "Allow Once" runs it, "Deny" or no answer in time leaves GitHub as it
// was. The same hook refuses remote writes typed into the sandbox's shell.
import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import gate from "./gate.cjs";

const text = (message) => ({ content: [{ type: "text", text: message }] });

const TOOLS = [
  {
    name: "coder_push",
    description:
      "Push a branch of a repository you cloned to /workspace/<owner>/<name> to GitHub. The owner approves it on Telegram first; the exact commit given is pushed.",
    parameters: {
      type: "object",
      additionalProperties: false,
      required: ["repo", "branch", "sha"],
      properties: {
        repo: { type: "string", description: "owner/name" },
        branch: { type: "string", description: "the branch, the same name in the workspace and on GitHub" },
        sha: { type: "string", description: "the full commit id the branch points at (git rev-parse HEAD)" },
      },
    },
    run: async (s, p) => gate.push(s, await gate.stage(s, p.repo, p.branch, p.sha)),
    ask: async (s, p) => {
      const staged = await gate.stage(s, p.repo, p.branch, p.sha);
      return `Push ${staged.sha.slice(0, 12)} "${staged.subject}" (${staged.author}) to ${staged.repo} as branch ${staged.branch}`;
    },
  },
  {
    name: "coder_pr_create",
    description: "Open a pull request on GitHub from a branch you pushed. The owner approves it on Telegram first.",
    parameters: {
      type: "object",
      additionalProperties: false,
      required: ["repo", "head", "base", "title"],
      properties: {
        repo: { type: "string", description: "owner/name" },
        head: { type: "string", description: "the pushed branch" },
        base: { type: "string", description: "the branch to merge into, e.g. main" },
        title: { type: "string" },
        body: { type: "string" },
      },
    },
    run: (s, p) => gate.createPullRequest(s, p),
    ask: async (s, p) => {
      const a = gate.pullRequestArgs(s, p);
      return `Open a pull request on ${a.repo}: ${a.head} into ${a.base}, "${a.title}"`;
    },
  },
  {
    name: "coder_pr_merge",
    description: "Merge a pull request on GitHub. The owner approves it on Telegram first; only the head commit given is merged.",
    parameters: {
      type: "object",
      additionalProperties: false,
      required: ["repo", "number", "sha"],
      properties: {
        repo: { type: "string", description: "owner/name" },
        number: { type: "integer", description: "the pull request's number" },
        sha: { type: "string", description: "the pull request's head commit, as you checked it" },
        method: { type: "string", enum: ["merge", "squash", "rebase"] },
      },
    },
    run: (s, p) => gate.mergePullRequest(s, p),
    ask: async (s, p) => {
      gate.checkSha(p.sha);
      const pr = await gate.pullRequest(s, p.repo, p.number);
      if (pr.state !== "open") throw new Error(`pull request #${pr.number} is ${pr.state}`);
      if (pr.sha !== p.sha) throw new Error(`pull request #${pr.number} is at ${pr.sha}, not ${p.sha}`);
      return `Merge pull request #${pr.number} on ${p.repo} (${p.method || "merge"}): ${pr.head} ${pr.sha.slice(0, 12)} into ${pr.base}, "${pr.title}"`;
    },
  },
];

export default definePluginEntry({
  id: "openclaw-vps-coder-gate",
  name: "Coder gate",
  description: "The coder agent's writes to GitHub run on the gateway host, each only after the owner approves it on Telegram.",
  register(api) {
    const s = gate.settings(api.pluginConfig, process.env);
    const byName = new Map(TOOLS.map((t) => [t.name, t]));

    for (const tool of TOOLS) {
      api.registerTool({
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters,
        async execute(_id, params) {
          try {
            return text(await tool.run(s, params ?? {}));
          } catch (err) {
            return text(`${tool.name} failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        },
      });
    }

    api.on(
      "before_tool_call",
      async (event, ctx) => {
        const tool = byName.get(event.toolName);
        if (!tool) {
          // exec and process: the sandbox's shell. Writes to a remote go through the tools.
          if (ctx.agentId !== s.agentId) return;
          const typed = event.toolName === "exec" ? event.params?.command : JSON.stringify(event.params ?? {});
          const reason = gate.remoteWrite(typed);
          if (!reason) return;
          return {
            block: true,
            blockReason: `Writes to GitHub do not run in the sandbox (${reason}). Use coder_push, coder_pr_create or coder_pr_merge: each asks the owner on Telegram.`,
          };
        }
        // The gate's own tools belong to the coder alone, and each asks first.
        if (ctx.agentId !== s.agentId) return { block: true, blockReason: `${tool.name} is the coder's tool` };
        let description;
        try {
          description = await tool.ask(s, event.params ?? {});
        } catch (err) {
          return { block: true, blockReason: err instanceof Error ? err.message : String(err) };
        }
        return {
          requireApproval: {
            title: "The coder wants to write to GitHub",
            description,
            severity: "critical",
            allowedDecisions: ["allow-once", "deny"],
            timeoutMs: s.timeoutMs,
          },
        };
      },
      { matcher: ["exec", "process", ...TOOLS.map((t) => t.name)], priority: 100 },
    );
  },
});
