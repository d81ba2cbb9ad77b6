/**
 * The files step's wait for first boot (components/firstBoot.ts), run as the step runs it:
 * the very command text, by bash (the admin's login shell, which sshd hands the command to)
 * and by sh, with the bundle on stdin. Stand-ins on PATH:
 * - `cloud-init`, which answers `status` as the real tool does: Debian 12's 22.4 prints
 *   `status: X`, then with `--long` `boot_status_code`, `last_update` and `detail:` with the
 *   detail on the next line, and exits 1 on `error`, else 0; releases from 23.4 print
 *   `extended_status` (`error - running` while it still runs), `detail: X` on one line, and
 *   exit 2 on a recoverable error. `--wait` waits while it is running or not yet started
 *   (here: skips to the first other state), printing dots, then prints the final status;
 * - `sudo`, which just runs the command;
 * - `date +%s` and `sleep`, a fake clock: sleeping moves it, and each status query may too.
 * The bootstrap's marker is the one thing the test points elsewhere (`test` is a builtin).
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { READY_MARKER } from "../../cloud-init";
import { FIRST_BOOT_POLL_SECONDS, FIRST_BOOT_PROGRESS_SECONDS, firstBootWait } from "../../components/firstBoot";
import { limitMs } from "../limits";

/** One answer of `cloud-init status`. */
interface Status {
  /** What `status:` says (22.4: running, not run, done, error; later: not started, ...). */
  readonly status: string;
  /** Later releases only: `extended_status:` (e.g. `error - running`, `degraded done`). */
  readonly extended?: string;
  readonly detail: string;
}

/** A status as the release prints it with --long, and the exit code it gives. */
function render(s: Status, release: "22.4" | "24.4"): { text: string; exit: number } {
  if (release === "22.4") {
    const text = [`status: ${s.status}`, "boot_status_code: enabled-by-generator", "last_update: Thu, 01 Jan 2026 10:00:00 +0000", "detail:", s.detail].join("\n");
    return { text, exit: s.status === "error" ? 1 : 0 };
  }
  const ext = s.extended ?? s.status;
  const text = [`status: ${s.status}`, `extended_status: ${ext}`, "boot_status_code: enabled-by-generator", `detail: ${s.detail}`, "errors: []", "recoverable_errors: {}"].join("\n");
  return { text, exit: ext.startsWith("error") ? 1 : ext.startsWith("degraded") ? 2 : 0 };
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** How many `cloud-init status` calls without --wait, and with it. */
  readonly polls: number;
  readonly waits: number;
}

/**
 * Runs the files step's command: `answers` are what successive polls see, the last one stays.
 * `queryCost` seconds pass on the fake clock with each status query.
 */
function runStep(shell: string, answers: readonly Status[], opts: { release?: "22.4" | "24.4"; marker?: boolean; queryCost?: number; broken?: boolean } = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), "first-boot-"));
  const release = opts.release ?? "22.4";
  const marker = join(dir, "bootstrap-complete");
  if (opts.marker ?? true) writeFileSync(marker, "");
  writeFileSync(join(dir, "clock"), "0\n");
  writeFileSync(join(dir, "polls"), "0\n");
  writeFileSync(join(dir, "waits"), "0\n");
  const still = (s: Status) => /running|not run|not started/.test(s.extended ?? s.status);
  const finalIndex = answers.findIndex((s) => !still(s));
  const answer = (i: number) => {
    const { text, exit } = render(answers[i], release);
    return `  ${i}) cat <<'EOF'\n${text}\nEOF\n     exit ${exit} ;;`;
  };
  const tool = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  tool("sudo", 'exec "$@"');
  tool("date", `[ "$1" = +%s ] || { echo "date $*: not stood in" >&2; exit 2; }\ncat ${dir}/clock`);
  tool("sleep", `n=$(cat ${dir}/clock); echo $((n + $1)) > ${dir}/clock`);
  tool(
    "cloud-init",
    opts.broken
      ? 'echo "Traceback (most recent call last): ..." >&2; exit 1'
      : [
          '[ "$1" = status ] || { echo "cloud-init $*: not stood in" >&2; exit 2; }',
          `n=$(cat ${dir}/clock); echo $((n + ${opts.queryCost ?? 0})) > ${dir}/clock`,
          'wait=""; for a in "$@"; do [ "$a" = --wait ] && wait=1; done',
          `if [ -n "$wait" ]; then`,
          `  w=$(cat ${dir}/waits); echo $((w + 1)) > ${dir}/waits`,
          `  if [ "$(cat ${dir}/polls)" -lt ${finalIndex} ]; then printf '...'; fi`,
          `  i=${finalIndex}; printf '\\n'`,
          "else",
          `  i=$(cat ${dir}/polls); echo $((i + 1)) > ${dir}/polls; [ "$i" -gt ${answers.length - 1} ] && i=${answers.length - 1}`,
          "fi",
          'case "$i" in',
          ...answers.map((_, i) => answer(i)),
          "esac",
        ].join("\n"),
  );
  const rendered = `${firstBootWait()} sudo bash -s`;
  expect(rendered.split(READY_MARKER).length).toBe(2);
  const r = spawnSync(shell, ["-c", rendered.replace(READY_MARKER, marker)], {
    encoding: "utf8",
    input: "echo 'files: 0 changed'\n",
    env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}` },
    timeout: limitMs(10),
  });
  const count = (f: string) => Number(readFileSync(join(dir, f), "utf8").trim());
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, polls: count("polls"), waits: count("waits") };
}

const running = (stage: string): Status => ({ status: "running", detail: `Running in stage: ${stage}` });
const DONE: Status = { status: "done", detail: "DataSourceHetzner" };
const FAILED = "first boot failed: see sudo cloud-init status --long and /var/log/cloud-init-output.log on the server";
const line = (seconds: number, state: string) => `waiting for first boot to finish (cloud-init): ${seconds} s so far; status: ${state}`;

describe.each(["bash", "sh"])("the files step's wait for first boot, run by %s", (shell) => {
  it("prints a progress line at once and every 20 s while cloud-init runs (its status and stage), then installs the bundle", () => {
    // Polls every 5 s: not run twice, then the stages, then done at 50 s.
    const answers = [
      { status: "not run", detail: "Cloud-init enabled by systemd cloud-init-generator" },
      { status: "not run", detail: "Cloud-init enabled by systemd cloud-init-generator" },
      running("init-local"),
      running("init"),
      running("init"),
      running("modules-config"),
      running("modules-config"),
      running("modules-final"),
      running("modules-final"),
      running("modules-final"),
      DONE,
    ];
    const r = runStep(shell, answers);
    expect(r.code).toBe(0);
    // stdout is the bundle's report alone, as the rehearsal reads it.
    expect(r.stdout).toBe("files: 0 changed\n");
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      line(0, "not run (Cloud-init enabled by systemd cloud-init-generator)"),
      line(20, "running (Running in stage: init)"),
      line(40, "running (Running in stage: modules-final)"),
    ]);
    expect({ polls: r.polls, waits: r.waits }).toEqual({ polls: 11, waits: 1 });
  });

  it("keeps lines under 30 s apart when each status query is slow", () => {
    const answers = [...Array.from({ length: 12 }, () => running("modules-final")), DONE];
    const r = runStep(shell, answers, { queryCost: 4 });
    expect(r.code).toBe(0);
    const seconds = r.stderr
      .trimEnd()
      .split("\n")
      .map((l) => Number(/: (\d+) s so far/.exec(l)?.[1]));
    expect(seconds.length).toBeGreaterThanOrEqual(3);
    const gaps = seconds.slice(1).map((s, i) => s - seconds[i]);
    expect(Math.max(...gaps)).toBeLessThan(30);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(FIRST_BOOT_PROGRESS_SECONDS);
  });

  it("is silent when first boot has already finished (a re-run on a running server)", () => {
    const r = runStep(shell, [DONE]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr, polls: r.polls, waits: r.waits }).toEqual({ code: 0, stdout: "files: 0 changed\n", stderr: "", polls: 1, waits: 1 });
  });

  it("fails with the same message when cloud-init ends in error (22.4: exit 1), and installs nothing", () => {
    const r = runStep(shell, [running("modules-final"), running("modules-final"), { status: "error", detail: '("scripts_user", RuntimeError("Runparts: 1 failures (part-001) in 1 attempted commands"))' }]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toEqual([line(0, "running (Running in stage: modules-final)"), FAILED]);
  });

  it("waits through a later release's `error - running` as --wait does, and fails on a recoverable error (exit 2) as before", () => {
    const r = runStep(
      shell,
      [
        { status: "not started", detail: "Cloud-init enabled by systemd cloud-init-generator" },
        { status: "error", extended: "error - running", detail: "DataSourceHetzner" },
        { status: "running", extended: "degraded running", detail: "DataSourceHetzner" },
        { status: "done", extended: "degraded done", detail: "DataSourceHetzner" },
      ],
      { release: "24.4" },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toEqual([line(0, "not started (Cloud-init enabled by systemd cloud-init-generator)"), FAILED]);
    expect(r.polls).toBe(4);
  });

  it("goes on to the bundle after a later release's done (exit 0)", () => {
    const r = runStep(shell, [{ status: "running", detail: "Running in stage: init" }, { status: "done", detail: "DataSourceHetzner" }], { release: "24.4" });
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: "files: 0 changed\n", stderr: `${line(0, "running (Running in stage: init)")}\n` });
  });

  it("fails as before when first boot is done but the bootstrap's marker is missing", () => {
    const r = runStep(shell, [DONE], { marker: false });
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 1, stdout: "", stderr: "bootstrap did not finish: see /var/log/cloud-init-output.log\n" });
  });

  it("leaves the decision to the unchanged check when it cannot read a status (the loop ends at once)", () => {
    const r = runStep(shell, [DONE], { broken: true });
    // (what the tool printed on stderr stays, as it always did)
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 1, stdout: "", stderr: `Traceback (most recent call last): ...\n${FAILED}\n` });
  });
});

describe("the production intervals", () => {
  it("print a line at least every 30 s: due every 20 s, at the next poll (5 s)", () => {
    expect(FIRST_BOOT_PROGRESS_SECONDS).toBe(20);
    expect(FIRST_BOOT_POLL_SECONDS).toBe(5);
    expect(FIRST_BOOT_PROGRESS_SECONDS + FIRST_BOOT_POLL_SECONDS).toBeLessThan(30);
    expect(firstBootWait()).toContain(`next=$((now + ${FIRST_BOOT_PROGRESS_SECONDS}))`);
    expect(firstBootWait()).toContain(`sleep ${FIRST_BOOT_POLL_SECONDS};`);
  });
});
