/**
 * docs/configuration.md sets a whole list in one command with `pulumi config set-all --json`.
 * Here that line runs as written, with the real CLI, on a throwaway stack of this project
 * (a file backend, a passphrase), and the stack file must then hold the list, not its text.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_NAME } from "../../config/keys";
import { scratchCliEnv, toolchainBin } from "../../tools/lib/realEngine";
import { limitMs } from "../limits";
import { describeReal } from "./dayTwo";

const REPO = path.resolve(__dirname, "..", "..");
const bin = toolchainBin() ?? "";

/** The doc's `pulumi config set-all` line, as written. */
function docLine(): string {
  const doc = fs.readFileSync(path.join(REPO, "docs", "configuration.md"), "utf8");
  const lines = doc.split("\n").filter((l) => l.startsWith("pulumi config set-all --json "));
  expect(lines).toHaveLength(1);
  return lines[0];
}

describeReal("setting a whole list as docs/configuration.md says, with the real CLI", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-set-all-"));
    fs.mkdirSync(path.join(scratch, "project"));
    fs.mkdirSync(path.join(scratch, "state"));
    // The project's own declarations (tailscaleTags is array<string>); the backend is the env's.
    const projectFile = fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8").replace(/^backend:\n {2}url: .*\n/m, "");
    fs.writeFileSync(path.join(scratch, "project", "Pulumi.yaml"), projectFile);
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const sh = (line: string) => {
    const r = spawnSync("bash", ["-c", line], {
      cwd: path.join(scratch, "project"),
      encoding: "utf8",
      timeout: limitMs(30),
      env: scratchCliEnv(bin, scratch),
    });
    expect({ line, code: r.status, stderr: r.status === 0 ? "" : r.stderr }).toEqual({ line, code: 0, stderr: "" });
  };
  const tags = () => (parse(fs.readFileSync(path.join(scratch, "project", "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> }).config[`${PROJECT_NAME}:tailscaleTags`];

  it("replaces the whole list, stored as a list", () => {
    sh("pulumi stack init prod --secrets-provider passphrase");
    for (const [i, tag] of ["tag:a", "tag:b", "tag:c"].entries()) sh(`pulumi config set --path 'tailscaleTags[${i}]' ${tag}`);
    expect(tags()).toEqual(["tag:a", "tag:b", "tag:c"]);
    sh(docLine());
    expect(tags()).toEqual(["tag:openclaw", "tag:prod"]);
  });
});
