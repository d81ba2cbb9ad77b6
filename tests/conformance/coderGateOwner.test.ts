/**
 * The coder gate staging a branch from a clone another user owns, as on the server: the
 * sandbox's uid 1000 owns the workspace, the gate runs as the gateway's account. git refuses
 * a repository of another owner ("dubious ownership") unless it is trusted, and runs
 * upload-pack for a local path without the command line's settings: the gate's own trust
 * file must let exactly that clone through. Needs root (to hand the clone to uid 1000), as
 * every conformance check does.
 */
import { execFileSync } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { makeClone } from "../helpers/coderClone";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gate = require("../../gateway/plugins/coder-gate/gate.cjs") as {
  settings(config: unknown, env: Record<string, string | undefined>): unknown;
  stage(s: unknown, repo: string, branch: string, sha: string): Promise<{ sha: string; subject: string }>;
};

describe("the coder gate and the sandbox's clone", () => {
  let root: string;
  let sha: string;
  let settings: unknown;

  beforeEach(() => {
    if (process.getuid?.() !== 0) throw new Error("conformance checks run as root (tests/conformance/README.md)");
    root = mkdtempSync(join(tmpdir(), "coder-gate-owner-"));
    sha = makeClone(join(root, "workspace", "me", "app"));
    execFileSync("chown", ["-R", "1000:1000", join(root, "workspace")]);
    settings = gate.settings({ agentId: "coder", workspace: join(root, "workspace"), mirrors: join(root, "mirrors"), repositories: ["me/app"] }, {});
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("git itself refuses the clone as it stands", () => {
    expect(() => execFileSync("git", ["-C", join(root, "workspace", "me", "app"), "status"], { env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" }, stdio: "pipe" })).toThrow(/dubious ownership/);
  });

  it("stages the branch from it: the commit the owner is asked about", async () => {
    expect(await gate.stage(settings, "me/app", "fix/typo", sha)).toMatchObject({ sha, subject: "Fix the greeting" });
  });
});
