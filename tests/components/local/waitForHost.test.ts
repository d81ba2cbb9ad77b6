/**
 * components/local/wait-for-host.js, the deploy's wait for the new server: it decides by the host key
 * ssh-keyscan shows. A stand-in ssh-keyscan on PATH keeps the real one's behaviour that
 * matters here: a host that does not answer within -T prints nothing (and exits 0), and
 * `-t TYPE` limits the lines to that type. While the host does not answer, it says so on
 * stderr at least every 30 s (the progress is driven here by a fake clock).
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "fs";
import { createServer, Server } from "net";
import { AddressInfo } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { limitMs } from "../../limits";
import { PROGRESS_SECONDS, RETRY_SECONDS, progressLine, startProgress } from "../../../components/local/wait-for-host";

const SCRIPT = join(__dirname, "../../../components/local/wait-for-host.js");
const PINNED = "AAAAC3NzaC1lZDI1NTE5AAAAIBqr0DL2vs9N+KQ3wobDbcbpVvNd3C7moRk2ipOnnH4P";
const OTHER = "AAAAC3NzaC1lZDI1NTE5AAAAIECIIEqZbtpRmkOhZ6ye30Crc2PAUhaNzkLhYUdxzves";

/** A stand-in ssh-keyscan answering, scan after scan, with the given keys ("" = no answer in time). */
function keyscan(answers: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "keyscan-"));
  const script = [
    "#!/bin/sh",
    `n=$(cat ${dir}/count 2>/dev/null || echo 0); echo $((n + 1)) > ${dir}/count`,
    'type=""; while [ $# -gt 0 ]; do [ "$1" = -t ] && type=$2; shift; done',
    ...answers.map((a, i) => `[ "$n" = ${i} ] && { [ -n "${a}" ] && { [ -z "$type" ] || [ "$type" = ssh-ed25519 ]; } && echo "127.0.0.1 ssh-ed25519 ${a}"; exit 0; }`),
    "exit 0",
    "",
  ].join("\n");
  writeFileSync(join(dir, "ssh-keyscan"), script);
  chmodSync(join(dir, "ssh-keyscan"), 0o755);
  return dir;
}

describe("wait-for-host.js and the host key", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  const wait = (answers: string[]) =>
    spawnSync(process.execPath, [SCRIPT, "127.0.0.1", String(port), "20", `ssh-ed25519 ${PINNED}`], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${keyscan(answers)}:${process.env.PATH ?? ""}` },
      timeout: limitMs(15),
    });

  it("passes the pinned key", () => {
    const r = wait([PINNED]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("shows the pinned host key");
  });

  it("says before each scan that it is asking for the host key, so no 30 s scan is silent", () => {
    const r = wait(["", PINNED]);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("asking 127.0.0.1:"))).toEqual([
      `asking 127.0.0.1:${port} for its ssh-ed25519 host key (ssh-keyscan, at most 30 s)`,
      `asking 127.0.0.1:${port} for its host keys of every type (ssh-keyscan, at most 30 s)`,
    ]);
  });

  it("passes a busy host whose first answer came too late, when the next shows the pinned key", () => {
    const r = wait(["", PINNED]);
    expect(`${r.stdout}${r.stderr}`).not.toContain("offers only");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("shows the pinned host key");
  });

  it("stops at another key, whichever scan shows it", () => {
    expect(wait([OTHER]).status).toBe(1);
    const late = wait(["", OTHER]);
    expect(late.status).toBe(1);
    expect(late.stderr).toContain("not this stack's");
  });
});

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return p;
}

describe("wait-for-host.js while the host does not answer", () => {
  it("prints a progress line with the elapsed time and the last connect error, then fails as before", async () => {
    const port = await closedPort();
    // A 1 s limit: the first attempt is refused at once (a progress line), the next one, 5 s
    // later, is past the limit (the failure).
    const r = spawnSync(process.execPath, [SCRIPT, "127.0.0.1", String(port), "1"], { encoding: "utf8", timeout: limitMs(15) });
    expect(r.status).toBe(1);
    // stdout is the step's recorded outcome: nothing here, as before.
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^waiting for 127\\.0\\.0\\.1:${port} to answer: \\d+ s so far, at most 1 s; last error: ECONNREFUSED$`));
    // The failure's message, word for word as it was.
    expect(lines.slice(1).join("\n")).toBe(
      [
        `127.0.0.1:${port} did not answer within 1 s (last error: ECONNREFUSED).`,
        "Check, in this order:",
        "  1. this machine is on the tailnet with MagicDNS on (tailscale status);",
        "  2. the tailnet admin page lists the server, under this name and not as name-1",
        "     (a stale device with the same name takes the name: remove it);",
        "  3. the server's console log in the cloud's web console: cloud-init output,",
        "     especially the tailscale-join step (an expired or used auth key, a tag the key",
        "     may not use, or a tag missing from the tailnet policy).",
      ].join("\n"),
    );
  });

  it("prints nothing but the outcome when the host answers at the first attempt", async () => {
    const listening = createServer((c) => c.end());
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    const port = (listening.address() as AddressInfo).port;
    try {
      const r = spawnSync(process.execPath, [SCRIPT, "127.0.0.1", String(port), "20"], { encoding: "utf8", timeout: limitMs(15) });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: `127.0.0.1:${port} answered after 1 attempt(s)\n`, stderr: "" });
    } finally {
      listening.close();
    }
  });

  it("says so at once and then every PROGRESS_SECONDS (at most 30 s) until stopped, with the elapsed time from the wait's start", () => {
    expect(PROGRESS_SECONDS).toBeLessThanOrEqual(30);
    expect(PROGRESS_SECONDS).toBe(20);
    expect(RETRY_SECONDS).toBe(5);
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const printed: { at: number; line: string }[] = [];
      let lastError = "ENOTFOUND";
      const startMs = Date.now() - 3_000; // the first attempt failed 3 s after the wait began
      const stop = startProgress({
        everyMs: PROGRESS_SECONDS * 1000,
        startMs,
        now: () => Date.now(),
        setInterval: (f, ms) => setInterval(f, ms),
        clearInterval: (id) => clearInterval(id as ReturnType<typeof setInterval>),
        print: (line) => printed.push({ at: Date.now() - startMs, line }),
        describe: (elapsedMs) => progressLine("openclaw.tail1234.ts.net", "22", "900", elapsedMs, lastError),
      });
      jest.advanceTimersByTime(25_000);
      lastError = "ETIMEDOUT";
      jest.advanceTimersByTime(40_000);
      stop();
      jest.advanceTimersByTime(120_000);
      expect(printed.map((p) => p.line)).toEqual([
        "waiting for openclaw.tail1234.ts.net:22 to answer: 3 s so far, at most 900 s; last error: ENOTFOUND",
        "waiting for openclaw.tail1234.ts.net:22 to answer: 23 s so far, at most 900 s; last error: ENOTFOUND",
        "waiting for openclaw.tail1234.ts.net:22 to answer: 43 s so far, at most 900 s; last error: ETIMEDOUT",
        "waiting for openclaw.tail1234.ts.net:22 to answer: 63 s so far, at most 900 s; last error: ETIMEDOUT",
      ]);
      const gaps = printed.slice(1).map((p, i) => p.at - printed[i].at);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
    } finally {
      jest.useRealTimers();
    }
  });

  it("names a wait with no failed attempt yet as such", () => {
    expect(progressLine("h", "22", "900", 999, "")).toBe("waiting for h:22 to answer: 0 s so far, at most 900 s; last error: none yet");
  });
});
