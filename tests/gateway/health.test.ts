/**
 * The light health check (gateway/scripts/health.js, every five minutes on the server): what
 * counts as a problem, and what reaches the owner across runs: one message for new problems,
 * one when they clear, nothing repeated, never a flood.
 */
import { HealthFacts, LIMITS, MAX_MESSAGES_PER_HOUR, READY_GRACE_MS, judgeHealth, nextStatus } from "../../gateway/scripts/health.js";
import { gatewayFiles } from "../../gateway";
import { renderGatewayUnit, renderHealthService, renderHealthTimer } from "../../gateway/unit";

const GIB = 1024 ** 3;
const healthy: HealthFacts = {
  active: "active",
  restarts: 3,
  memoryCurrent: 0.5 * GIB,
  memoryMax: 2.4 * GIB,
  health: 200,
  ready: { status: 200, failing: [], uptimeMs: 3_600_000 },
  serveProblems: [],
  diskShare: 0.3,
  inodeShare: 0.1,
  memoryPressure: 0,
};
const MINUTE = 60_000;

describe("what the health check counts as a problem", () => {
  it("finds none on a healthy server", () => {
    expect(judgeHealth(healthy, 3)).toEqual({});
  });

  it.each([
    ["the unit stopped", { active: "failed" }, "gateway-down", /unit is failed/],
    ["no answer on /health", { health: 0 }, "gateway-unanswered", /does not answer \/health/],
    ["the Serve route gone", { serveProblems: ["serve: no route"] }, "serve", /Serve route: serve: no route/],
    ["memory near the limit", { memoryCurrent: LIMITS.memoryShare * 2.4 * GIB }, "memory", /uses \d+ MiB of its 2458 MiB limit \(80%\)/],
    ["the disk filling", { diskShare: 0.9 }, "disk", /90% full/],
    ["inodes running out", { inodeShare: 0.86 }, "inodes", /86% of its inodes/],
    ["swapping", { memoryPressure: 35 }, "pressure", /stalled 35%/],
  ])("%s", (_label, change, id, text) => {
    const problems = judgeHealth({ ...healthy, ...change }, 3);
    expect(Object.keys(problems)).toEqual([id]);
    expect(problems[id]).toMatch(text);
  });

  it("counts restarts since the last check: one is a restart, two or more a crash loop", () => {
    expect(judgeHealth({ ...healthy, restarts: 4 }, 3)).toEqual({});
    expect(judgeHealth({ ...healthy, restarts: 5 }, 3).restarts).toMatch(/restarted 2 times/);
    // The first run has nothing to compare with.
    expect(judgeHealth({ ...healthy, restarts: 50 }, undefined)).toEqual({});
  });

  it("finds Telegram's polling dead by OpenClaw's readiness, once the start's grace is over", () => {
    const telegram = { ready: { status: 503, failing: ["telegram"], uptimeMs: READY_GRACE_MS + 1 } };
    expect(judgeHealth({ ...healthy, ...telegram }, 3)).toEqual({ telegram: expect.stringMatching(/^Telegram is not receiving/) });
    // Other blockers are named as OpenClaw names them; a 503 without details still counts.
    expect(judgeHealth({ ...healthy, ready: { status: 503, failing: ["telegram", "state-database"], uptimeMs: READY_GRACE_MS } }, 3)).toEqual({
      telegram: expect.any(String),
      "not-ready": "the gateway is not ready (state-database)",
    });
    expect(judgeHealth({ ...healthy, ready: { status: 0 } }, 3)).toEqual({ "not-ready": "the gateway is not ready (HTTP no answer)" });
    // A gateway that has just started is still connecting its channels: not yet a problem.
    expect(judgeHealth({ ...healthy, ready: { status: 503, failing: ["telegram"], uptimeMs: READY_GRACE_MS - 1 } }, 3)).toEqual({});
    // A gateway that does not answer at all is one problem, not two.
    expect(Object.keys(judgeHealth({ ...healthy, health: 0, ready: { status: 0 } }, 3))).toEqual(["gateway-unanswered"]);
  });

  it("finds off-site backups failing or late, once they had the time to run", () => {
    const now = Date.parse("2026-12-07T12:00:00Z");
    const HOUR = 3_600_000;
    const judge = (offsite: HealthFacts["offsite"]) => judgeHealth({ ...healthy, offsite }, 3);
    expect(judge({ configuredAt: now - 100 * HOUR, now, status: { ok: true, at: new Date(now - 20 * HOUR).toISOString() } })).toEqual({});
    expect(judge({ configuredAt: now - 100 * HOUR, now, status: { ok: true, at: new Date(now - 37 * HOUR).toISOString() } })).toEqual({
      offsite: "no off-site backup since 2026-12-05T23:00:00.000Z",
    });
    expect(judge({ configuredAt: now - 2 * HOUR, now, status: { ok: false, at: new Date(now - HOUR).toISOString(), error: "upload refused" } })).toEqual({
      offsite: "the last off-site backup failed (upload refused)",
    });
    // Just configured, no backup yet: not a problem until a day and a half has passed.
    expect(judge({ configuredAt: now - 10 * HOUR, now })).toEqual({});
    expect(judge({ configuredAt: now - 40 * HOUR, now })).toEqual({ offsite: expect.stringMatching(/no off-site backup stored yet/) });
  });

  it("does not count a stopped gateway as unanswered too", () => {
    expect(Object.keys(judgeHealth({ ...healthy, active: "inactive", health: 0 }, 3))).toEqual(["gateway-down"]);
  });
});

describe("what reaches the owner, run after run", () => {
  const down = { "gateway-down": "the gateway's unit is failed" };
  const disk = { disk: "/home/openclaw is 90% full" };

  it("tells a new problem once, says nothing while it lasts, and once when it clears", () => {
    let t = 0;
    const first = nextStatus(undefined, down, t, "claw");
    expect(first.messages).toEqual(["openclaw-vps: claw has a problem:\n- the gateway's unit is failed\nDetails: sudo journalctl -u openclaw-health.service"]);
    const again = nextStatus(first.status, down, (t += 5 * MINUTE), "claw");
    expect(again.messages).toEqual([]);
    const more = nextStatus(again.status, { ...down, ...disk }, (t += 5 * MINUTE), "claw");
    expect(more.messages).toEqual(["openclaw-vps: claw has a problem:\n- /home/openclaw is 90% full\nDetails: sudo journalctl -u openclaw-health.service"]);
    const fine = nextStatus(more.status, {}, (t += 5 * MINUTE), "claw");
    expect(fine.messages).toEqual(["openclaw-vps: claw is fine again:\n- no longer: the gateway's unit is failed\n- no longer: /home/openclaw is 90% full"]);
    expect(fine.status).toMatchObject({ ok: true, told: {} });
    expect(nextStatus(fine.status, {}, (t += 5 * MINUTE), "claw").messages).toEqual([]);
  });

  it(`never sends more than ${MAX_MESSAGES_PER_HOUR} an hour: a flapping problem waits, and is told later`, () => {
    let status = nextStatus(undefined, {}, 0, "claw").status;
    let sent = 0;
    for (let run = 0; run < 12; run++) {
      const step = nextStatus(status, run % 2 === 0 ? down : {}, run * 5 * MINUTE, "claw");
      sent += step.messages.length;
      status = step.status;
    }
    expect(sent).toBe(MAX_MESSAGES_PER_HOUR);
    // Messages at 0, 5, 10 and 15 minutes; from then on the flapping problem waits, untold.
    expect(status.told).toEqual({});
    // An hour after the first message there is room again: the problem, back, is told.
    const later = nextStatus(status, down, 61 * MINUTE, "claw");
    expect(later.messages).toEqual([expect.stringContaining("the gateway's unit is failed")]);
  });

  it("keeps what it told across runs in the status it writes", () => {
    const first = nextStatus(undefined, down, 0, "claw");
    const reread = JSON.parse(JSON.stringify(first.status)) as typeof first.status;
    expect(nextStatus(reread, down, 5 * MINUTE, "claw").messages).toEqual([]);
  });
});

describe("on the server", () => {
  it("runs every five minutes as a light oneshot that may write only its status", () => {
    expect(renderHealthTimer()).toContain("OnUnitActiveSec=5min");
    const unit = renderHealthService();
    expect(unit).toContain("ExecStart=/usr/bin/node /usr/local/lib/openclaw-vps/health.js");
    expect(unit).toContain("ProtectSystem=strict");
    expect(unit).toContain("ReadWritePaths=/var/lib/openclaw-vps");
    expect(unit).toContain("CPUQuota=50%");
  });

  it("sizes the gateway's memory from the server's: reclaimed above half, ended above 60%", () => {
    expect(renderGatewayUnit()).toMatch(/^MemoryHigh=50%$/m);
    expect(renderGatewayUnit()).toMatch(/^MemoryMax=60%$/m);
  });

  it("installs the check and its units with the gateway's files", () => {
    const files = gatewayFiles({ tailnetHost: "claw.tail1234.ts.net", models: { anthropic: true, openai: false }, sandboxImage: "img", sandboxNetwork: "none" });
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(["/usr/local/lib/openclaw-vps/health.js", "/etc/systemd/system/openclaw-health.service", "/etc/systemd/system/openclaw-health.timer"]),
    );
  });
});
