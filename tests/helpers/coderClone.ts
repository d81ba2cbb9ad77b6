/** A workspace clone as the coder leaves one, for the coder gate's tests: `main`, then `fix/typo` one commit ahead. */
import { execFileSync } from "child_process";
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";

/** git in `cwd`, with Ada as author and committer and no global config; its output, trimmed. */
export const git = (cwd: string, ...args: string[]): string =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_AUTHOR_NAME: "Ada", GIT_AUTHOR_EMAIL: "ada@example.com", GIT_COMMITTER_NAME: "Ada", GIT_COMMITTER_EMAIL: "ada@example.com" },
  }).trim();

/** Makes the clone at `work`; the id of fix/typo's commit, "Fix the greeting". */
export function makeClone(work: string): string {
  mkdirSync(work, { recursive: true });
  git(work, "init", "--quiet", "-b", "main");
  writeFileSync(join(work, "README.md"), "hello\n");
  git(work, "add", ".");
  git(work, "commit", "--quiet", "-m", "Add the readme");
  git(work, "checkout", "--quiet", "-b", "fix/typo");
  writeFileSync(join(work, "README.md"), "hello, world\n");
  git(work, "commit", "--quiet", "-am", "Fix the greeting");
  return git(work, "rev-parse", "HEAD");
}
