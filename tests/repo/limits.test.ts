/**
 * The one place for time limits (tests/limits.json) and the network probe the conformance
 * checks decide reachability with (tests/conformance/probe.py, lib.sh `probe`): a probe that
 * could not decide says so, and is never read as blocked.
 */
import { execFile, execFileSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { createRequire } from "module";
import { createServer, Server } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { limitMs, limits, testTimeoutMs, timeFactor } from "../limits";

const CONFORMANCE = join(__dirname, "../conformance");

describe("time limits", () => {
  it("are each a quiet machine's time times one factor, which the environment may raise", () => {
    expect(timeFactor({})).toBe(limits.timeFactor);
    expect(timeFactor({ OPENCLAW_VPS_TIME_FACTOR: "10" })).toBe(10);
    expect(() => timeFactor({ OPENCLAW_VPS_TIME_FACTOR: "fast" })).toThrow('OPENCLAW_VPS_TIME_FACTOR: given "fast"; expected a positive number');
    expect(limitMs(2)).toBe(2000 * timeFactor());
    // The jest configs take theirs from here.
    const load = createRequire(__filename);
    expect(load("../../jest.config.js")).toMatchObject({ testTimeout: testTimeoutMs("unit") });
    expect(load("../../jest.conformance.config.js")).toMatchObject({ testTimeout: testTimeoutMs("conformance") });
    expect(load("../../jest.engine.config.js")).toMatchObject({ testTimeout: testTimeoutMs("engine") });
  });

  it("reach the shell checks through lib.sh's `limit`, rounded up", () => {
    const limit = (seconds: string, factor?: string) =>
      execFileSync("bash", ["-c", `. "${CONFORMANCE}/lib.sh"; limit ${seconds}`], { encoding: "utf8", env: { PATH: process.env.PATH, ...(factor ? { OPENCLAW_VPS_TIME_FACTOR: factor } : {}) } }).trim();
    expect(limit("30")).toBe(String(30 * limits.timeFactor));
    expect(limit("30", "1.5")).toBe("45");
    expect(limit("3", "0.5")).toBe("2");
    // A script a check writes and runs in another shell has it too.
    expect(execFileSync("bash", ["-c", `. "${CONFORMANCE}/lib.sh"; bash -c 'limit 2'`], { encoding: "utf8", env: { PATH: process.env.PATH, OPENCLAW_VPS_TIME_FACTOR: "3" } }).trim()).toBe("6");
  });

  it("leave no bare number of seconds in the conformance scripts' waits", () => {
    for (const script of ["docker-guard-netns.sh", "coder-egress-netns.sh", "gateway-boot.sh", "host-key-pin.sh", "serve-owner.sh", "verify-refused.sh"]) {
      const text = readFileSync(join(CONFORMANCE, script), "utf8");
      expect({ script, bare: text.match(/\btimeout [0-9]+ |\$\(seq 1 [0-9]+\)/g) }).toEqual({ script, bare: null });
    }
  });
});

describe("the probe", () => {
  let server: Server;
  let open = 0;
  let closed = 0;
  let dir = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "probe-test-"));
    server = createServer((c) => c.end("hello\n"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    open = (server.address() as { port: number }).port;
    // A port just freed: nothing listens there.
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, "127.0.0.1", r));
    closed = (spare.address() as { port: number }).port;
    await new Promise((r) => spare.close(r));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  /** lib.sh's probe, with `ip netns exec NS` standing in as a plain exec (this machine's loopback). */
  // Asynchronously: the listener answers from this process.
  async function probe(port: number, pythonStub?: string): Promise<string> {
    const bin = join(dir, pythonStub ? "stub-bin" : "bin");
    execFileSync("mkdir", ["-p", bin]);
    writeFileSync(join(bin, "ip"), '#!/bin/bash\n[ "$1 $2" = "netns exec" ] || exit 99\nshift 3\nexec "$@"\n');
    chmodSync(join(bin, "ip"), 0o755);
    if (pythonStub) {
      writeFileSync(join(bin, "python3"), pythonStub);
      chmodSync(join(bin, "python3"), 0o755);
    }
    const script = `. "${CONFORMANCE}/lib.sh"; PATH="${bin}:$PATH"; probe ns 127.0.0.1 ${port}`;
    const env = { PATH: process.env.PATH, OPENCLAW_VPS_TIME_FACTOR: "0.25" };
    return new Promise((resolve) => execFile("bash", ["-c", script], { encoding: "utf8", env, timeout: limitMs(15) }, (_e, stdout) => resolve(stdout.trim())));
  }

  it("says open for a greeting listener and blocked for a refusing port", async () => {
    expect(await probe(open)).toBe("open");
    expect(await probe(closed)).toBe("blocked");
  });

  it("says it could not decide, not blocked, when the probe itself does not finish (a busy machine)", async () => {
    expect(await probe(open, "#!/bin/bash\nexec sleep 30\n")).toBe("undecided:the probe did not finish");
  });

  it("says it could not decide when a try fails in a way that says nothing about a firewall", () => {
    const r = execFileSync("python3", [join(CONFORMANCE, "probe.py"), "no-such-host.invalid", "80", "--attempts", "2", "--timeout", "1"], { encoding: "utf8" });
    expect(r.trim()).toMatch(/^undecided:/);
  });

  it("decides open at the first answer and blocked only after every try", () => {
    const t0 = Date.now();
    expect(execFileSync("python3", [join(CONFORMANCE, "probe.py"), "127.0.0.1", String(closed), "--attempts", "3", "--timeout", "1"], { encoding: "utf8" }).trim()).toBe("refused");
    // Three tries with a pause between each.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  });
});
