/**
 * npm run rehearse:coding: coding from Telegram, deployed by the real `pulumi up` with coding
 * on and proven end to end on a booted systemd host, offline (docs/coding.md, docs/rehearsal.md).
 *
 * The gateway is the real OpenClaw, its sandbox a real Docker container on the coder's
 * internal network, its way out the real tinyproxy. What it talks to are stand-ins under the
 * real host names (rehearsal/standins/coding.py): Telegram's Bot API, playing the owner who
 * gives tasks and presses the approval buttons; the model's API, scripted to make the tool
 * calls a model makes for the task; GitHub's git and REST hosts over bare repositories.
 *
 * Proven: a task runs from a Telegram message to a pushed branch and an opened pull request,
 * each write only after "Allow Once"; "Deny" and no answer leave GitHub as it was; the
 * sandbox's shell cannot push (refused by the gate, or for want of a token that writes); from
 * inside the coder's container GitHub answers through the proxy and nothing else does; the
 * gateway's .env is out of its reach and nothing outside its workspace is writable; the
 * workspace survives a restart of the gateway, a reboot and a backup restored.
 * The last line printed is a JSON summary; the exit code is 0 only when every field is as expected.
 */
import { cliVersion, toolchainBin } from "../tools/lib/realEngine";
import { CodingWorld, Step, WorldState } from "./lib/rehearsalCoding";
import { expectThat, summaryOf } from "./lib/rehearsalProbes";
import { exitWith, prepare, runRehearsal, waitFor } from "./lib/rehearsalRun";
import { HEARTBEAT_CHECK, POLICY_PACK, Rehearsal, failed, lastLines } from "./lib/rehearsalStack";

const REPO_NAME = "owner/app";
const APP = `/workspace/${REPO_NAME}`;
/** The repository on the GitHub stand-in: a typo, its check, and a script that pushes. */
const FILES = {
  "README.md": "# App\n\nHelo, world.\n",
  check: "#!/bin/sh\n# The repository's check: no typo in the README.\n! grep -q Helo README.md\n",
  "release.sh": "#!/bin/sh\n# Publishes the current branch.\ngit push origin HEAD\n",
};

/** The coder's container: the one OpenClaw created for the coder agent's sessions. */
function coderContainer(r: Rehearsal): string {
  const lines = r.machine.sh("docker ps --filter label=openclaw.sandbox=1 --format '{{.ID}} {{.Label \"openclaw.sessionKey\"}}'", "listing the sandboxes");
  const found = lines.split("\n").find((l) => / agent:coder:/.test(l));
  expectThat(found !== undefined, "the coder's sandbox container is running", lines);
  return (found ?? "").split(" ")[0];
}

/** Shell text in the coder's container, as its user: exit code and output. */
function inSandbox(r: Rehearsal, id: string, script: string): { code: number; out: string } {
  const ran = r.machine.exec(["docker", "exec", id, "sh", "-c", script], { timeoutSeconds: 90 });
  return { code: ran.code, out: `${ran.stdout}${ran.stderr}`.trim() };
}

/**
 * Runs one scripted task from the owner's message to the coder's last reply; `answer` decides,
 * for each approval request, whether the owner presses Allow Once, Deny or nothing.
 */
async function conversation(
  r: Rehearsal,
  world: CodingWorld,
  tag: string,
  message: string,
  steps: readonly Step[],
  answer: (approvalIndex: number, s: WorldState) => "allow" | "deny" | "none",
  seconds = 300,
): Promise<{ from: number; approvals: number; pendingRefs: Record<string, string>[]; reply: string }> {
  world.task(tag, steps);
  const from = world.state().calls.length;
  world.say("coder", `${message} [task:${tag}]`);
  r.say(`the owner asks the coder: ${message}`);
  const pendingRefs: Record<string, string>[] = [];
  let handled = 0;
  const reply = await world.until(`the coder's report on ${tag}`, seconds, (s) => {
    const approvals = CodingWorld.approvals(s, from);
    for (; handled < approvals.length; handled++) {
      // What GitHub holds while the request waits: nothing may have been written yet.
      pendingRefs.push({ ...(s.repos[REPO_NAME] ?? {}) });
      const choice = answer(handled, s);
      r.say(`  approval ${handled + 1}: ${approvals[handled].text.split("\n").find((l) => l.startsWith("Description:")) ?? ""} → ${choice}`);
      if (choice !== "none") world.press("coder", approvals[handled].messageId, choice === "allow" ? approvals[handled].allow : approvals[handled].deny);
    }
    return CodingWorld.replies(s, from).find((t) => t.startsWith(`[${tag}] done`));
  });
  return { from, approvals: handled, pendingRefs, reply };
}

async function rehearseCoding(r: Rehearsal, summary: Record<string, unknown>): Promise<void> {
  const bin = toolchainBin();
  if (!bin) throw new Error("the Pulumi toolchain is not built: run npm run toolchain (docs/toolchain.md)");
  summary.engine = `pulumi ${cliVersion(bin)}`;
  await prepare(r, bin);
  summary.timings = r.timings;
  summary.plans = r.plans;

  // 1. The first `pulumi up`, coding on, under the policy pack; the gate and the audit.
  r.set({});
  const preview = await r.timed("preview", () => r.stack.runAsync("preview", ["--policy-pack", POLICY_PACK], { allowFailure: true }));
  summary.preview = preview.result.code === 0 ? "passed" : lastLines(preview.result, 8);
  const first = await r.timed("create", () => r.up("first up, coding on", {}, ["--policy-pack", POLICY_PACK]));
  if (!first.ok) throw failed(first);
  // The second `pulumi up`, nothing changed: the real engine plans nothing and runs nothing.
  const noop = await r.timed("noop", () => r.up("no change, coding on"));
  if (!noop.ok) throw failed(noop);
  summary.engineSecondRun = { plan: r.plans["no change, coding on"], ran: noop.ran.map((e) => e.name) };
  const verified = summaryOf(r.output("verification"));
  summary.audit = { critical: verified.audit?.critical, warn: verified.audit?.warn };
  expectThat(verified.ok, "verify.sh passes with coding on", verified);

  // 2. What coding set up on the host: the internal network, the proxy, the rules, the paths.
  const host = {
    network: r.machine.sh("docker network inspect openclaw-coder --format '{{.Internal}} {{(index .IPAM.Config 0).Subnet}}'", "the coder's network"),
    proxy: r.machine.sh("systemctl is-active openclaw-vps-coder-proxy.service || true", "the proxy's state"),
    listens: r.machine.sh("ss -Hltn 'sport = :3128' | awk '{ print $4 }' | paste -sd, -", "the proxy's listeners"),
    workspace: r.machine.sh("stat -c '%u %a' /home/openclaw/coder-workspace; u=$(id -u openclaw); getfacl -cpn /home/openclaw/coder-workspace | grep -c -e \"^user:$u:rwx$\" -e \"^default:user:$u:rwx$\" -e '^default:user:1000:rwx$'", "the workspace").replace(/\s+/g, " "),
    mirrors: r.machine.sh("stat -c '%U %a' /home/openclaw/.openclaw/coder-mirrors", "the mirrors"),
  };
  summary.codingHost = host.network === "true 172.31.240.0/24" && host.proxy === "active" && host.listens === "172.31.240.1:3128" && host.workspace === "1000 770 3" && host.mirrors === "openclaw 700";
  expectThat(summary.codingHost === true, "coding's network, proxy and paths", host);

  // 2b. The light health check (health.js) as its timer starts it: clean; the gateway stopped,
  //     one message to the owner from the chat bot; started again, one all-clear; nothing more.
  //     And the dead-man's switch (heartbeatUrl) at the heartbeat stand-in, a check with a
  //     period of 20 s and a grace of 20 s: the clean checks' heartbeats send nothing; while
  //     the gateway is down none is sent, and once period + grace are over the service tells
  //     the owner, once; the first clean check after sends one all-clear.
  const world = new CodingWorld(r.machine, r.addresses);
  world.heartbeatCheck(HEARTBEAT_CHECK, "claw", 20, 20);
  const watcher = () => world.state().calls.filter((c) => c.bot === "watcher").map((c) => c.params.text ?? "");
  const beats = () => world.state().heartbeat.checks[HEARTBEAT_CHECK];
  const health = () => {
    r.machine.sh("systemctl start openclaw-health.service", "the health check", 180);
    return JSON.parse(r.machine.sh("cat /var/lib/openclaw-vps/health.json", "the health status")) as { ok: boolean; problems: Record<string, string> };
  };
  const chatMessages = () => world.state().calls.filter((c) => c.bot === "chat" && c.method === "sendMessage").map((c) => c.params.text ?? "");
  const healthFacts: Record<string, unknown> = { timer: r.machine.sh("systemctl is-enabled openclaw-health.timer || true", "the health timer") };
  // The messages counted are those of the checks started here: the timer's own run (every five
  // minutes) could land while the gateway starts again and add a pair of its own.
  r.machine.sh("systemctl stop openclaw-health.timer", "pausing the health timer");
  healthFacts.clean = health().ok;
  const heartbeat: Record<string, unknown> = { afterClean: beats() };
  const sentBefore = chatMessages().length;
  r.machine.sh("systemctl stop openclaw-gateway.service", "stopping the gateway");
  healthFacts.down = Object.keys(health().problems);
  healthFacts.stillDown = Object.keys(health().problems);
  heartbeat.whileDown = beats();
  heartbeat.alerted = await waitFor(() => watcher().length > 0, 120);
  healthFacts.stillDownAfterAlert = Object.keys(health().problems);
  heartbeat.afterAlert = { ...beats(), told: watcher() };
  r.machine.sh("systemctl start openclaw-gateway.service", "starting the gateway");
  healthFacts.back = await waitFor(() => r.probes.throughServe("/health") === "200", 180);
  healthFacts.fine = health().ok;
  r.machine.sh("systemctl start openclaw-health.timer", "resuming the health timer");
  heartbeat.back = beats();
  heartbeat.told = watcher();
  heartbeat.notifications = world.state().heartbeat.notifications;
  healthFacts.messages = chatMessages().slice(sentBefore);
  const told = healthFacts.messages as string[];
  summary.healthAlerts =
    healthFacts.timer === "enabled" && healthFacts.clean === true && JSON.stringify(healthFacts.down) === '["gateway-down"]' &&
    JSON.stringify(healthFacts.stillDown) === '["gateway-down"]' && healthFacts.fine === true && told.length === 2 &&
    /has a problem:\n- the gateway's unit is inactive/.test(told[0]) && /is fine again:\n- no longer: the gateway's unit is inactive/.test(told[1]);
  summary.healthMessages = told;
  expectThat(summary.healthAlerts === true, "the health check tells the owner once when the gateway stops and once when it is back", healthFacts);
  type Beats = { status: string; pings: number; lastPing: number };
  const [DOWN, UP] = ['The check "claw" is DOWN.', 'The check "claw" is now UP.'];
  const [afterClean, whileDown, afterAlert, back] = [heartbeat.afterClean, heartbeat.whileDown, heartbeat.afterAlert, heartbeat.back] as Beats[];
  const notes = heartbeat.notifications as { at: number; status: string }[];
  summary.deadMansSwitch =
    afterClean?.status === "up" && afterClean.pings >= 1 && whileDown.pings === afterClean.pings && heartbeat.alerted === true &&
    afterAlert.status === "down" && afterAlert.pings === afterClean.pings && JSON.stringify((afterAlert as unknown as { told: string[] }).told) === JSON.stringify([DOWN]) &&
    back.status === "up" && back.pings > afterClean.pings && JSON.stringify(heartbeat.told) === JSON.stringify([DOWN, UP]) &&
    notes.length === 2 && notes[0].at - afterClean.lastPing >= 40;
  summary.deadMansSwitchTimes = notes.map((n) => `${n.status} ${Math.round(n.at - afterClean.lastPing)} s after the last heartbeat before the stop`);
  expectThat(summary.deadMansSwitch === true, "the dead-man's switch: heartbeats while clean, one alert after period + grace without them, one all-clear", heartbeat);

  // 3. The first task, approved: clone, fix, check, commit; the shell's pushes refused; the
  //    push and the pull request each run only after "Allow Once".
  const main = world.repo(REPO_NAME, FILES)["refs/heads/main"];
  const approved = await conversation(
    r,
    world,
    "fix",
    `Fix the typo in the README of ${REPO_NAME} on a branch fix/readme, run ./check, push it and open a pull request.`,
    [
      { tool: "exec", input: { command: `git clone https://github.com/${REPO_NAME} ${APP}` } },
      { tool: "exec", input: { command: `cd ${APP} && git checkout -q -b fix/readme && sed -i 's/Helo/Hello/' README.md && ./check && git commit -qam 'Fix the README typo' && git rev-parse HEAD` } },
      { tool: "exec", input: { command: `git -C ${APP} push origin fix/readme` } },
      { tool: "exec", input: { command: `cd ${APP} && ./release.sh` } },
      { tool: "coder_push", input: { repo: REPO_NAME, branch: "fix/readme", sha: "{sha}" } },
      { tool: "coder_pr_create", input: { repo: REPO_NAME, head: "fix/readme", base: "main", title: "Fix the README typo", body: "The check passes." } },
    ],
    () => "allow",
  );
  let s = world.state();
  const results = s.model.map((m) => m.lastToolResult ?? "");
  const fixSha = s.repos[REPO_NAME]?.["refs/heads/fix/readme"] ?? "";
  const approvedFacts = {
    directTools: s.model.some((m) => m.tools.includes("exec") && m.tools.includes("read") && !m.tools.includes("wait")),
    cloned: results.some((t) => /Cloning into/.test(t)),
    checkedAndCommitted: /^[0-9a-f]{40}$/m.test(results.find((t) => /\b[0-9a-f]{40}\b/.test(t)) ?? ""),
    shellPushRefused: results.some((t) => /Writes to GitHub do not run in the sandbox/.test(t)),
    hiddenPushFailed: results.some((t) => /403|Permission denied/.test(t)) && s.git.some((g) => g.push && g.token === "read"),
    approvals: approved.approvals,
    nothingWhileWaiting: approved.pendingRefs.length === 2 && approved.pendingRefs[0]["refs/heads/fix/readme"] === undefined && s.pulls.length > 0,
    pushedAfterAllow: fixSha !== "" && approved.pendingRefs[1]?.["refs/heads/fix/readme"] === fixSha,
    pullRequest: s.pulls.map((p) => `#${p.number} ${p.head.ref}→${p.base.ref} ${p.state} ${p.head.sha === fixSha}`),
    pushedByTheGate: s.git.filter((g) => g.push && g.method === "POST").map((g) => g.token),
    mainUntouched: s.repos[REPO_NAME]?.["refs/heads/main"] === main,
    reply: approved.reply.slice(0, 300),
  };
  summary.approved =
    approvedFacts.directTools && approvedFacts.cloned && approvedFacts.checkedAndCommitted && approvedFacts.shellPushRefused && approvedFacts.hiddenPushFailed &&
    approvedFacts.approvals === 2 && approvedFacts.nothingWhileWaiting && approvedFacts.pushedAfterAllow &&
    JSON.stringify(approvedFacts.pullRequest) === JSON.stringify(["#1 fix/readme→main open true"]) &&
    JSON.stringify(approvedFacts.pushedByTheGate) === JSON.stringify(["write"]) && approvedFacts.mainUntouched;
  expectThat(summary.approved === true, "the approved task", approvedFacts);

  // 4. "Deny", then no answer: GitHub as it was.
  const before = JSON.stringify(world.state().repos);
  const commitTo = (branch: string) => ({
    tool: "exec",
    input: { command: `cd ${APP} && git checkout -q -b ${branch} main && echo '${branch}' >> README.md && git commit -qam 'A change for ${branch}' && git rev-parse HEAD` },
  });
  const denied = await conversation(r, world, "deny", "Push a change to try/deny.", [commitTo("try/deny"), { tool: "coder_push", input: { repo: REPO_NAME, branch: "try/deny", sha: "{sha}" } }], () => "deny");
  s = world.state();
  summary.denied = denied.approvals === 1 && JSON.stringify(s.repos) === before && /Denied by user/.test(s.model.map((m) => m.lastToolResult ?? "").join("\n"));
  expectThat(summary.denied === true, "a denied push leaves GitHub as it was", { approvals: denied.approvals, reply: denied.reply, repos: s.repos });
  const expiredAt = Date.now();
  const timedOut = await conversation(r, world, "wait", "Push a change to try/timeout.", [commitTo("try/timeout"), { tool: "coder_push", input: { repo: REPO_NAME, branch: "try/timeout", sha: "{sha}" } }], () => "none", 240);
  s = world.state();
  const expired = CodingWorld.transcript(s, timedOut.from).some((l) => /Plugin approval expired/.test(l));
  summary.timedOut = timedOut.approvals === 1 && expired && JSON.stringify(s.repos) === before && /Approval timed out/.test(timedOut.reply + s.model.map((m) => m.lastToolResult ?? "").join("\n"));
  r.timings.approvalTimeout = Math.round((Date.now() - expiredAt) / 1000);
  expectThat(summary.timedOut === true, "an unanswered push leaves GitHub as it was", { expired, reply: timedOut.reply, repos: s.repos });

  // 5. From inside the coder's container: GitHub through the proxy, nothing else; no .env;
  //    nothing writable outside the workspace.
  const id = coderContainer(r);
  const curl = (args: string) => inSandbox(r, id, `curl -s -o /dev/null --max-time 10 -w '%{http_code} %{http_connect}' ${args}; echo " exit=$?"`).out;
  const egress = {
    githubThroughProxy: curl("https://github.com/owner/app/info/refs?service=git-upload-pack"),
    modelThroughProxy: curl("https://api.anthropic.com/v1/messages"),
    mirrorThroughProxy: curl("https://deb.debian.org/debian/"),
    githubDirect: curl("--noproxy '*' https://github.com/"),
    metadata: curl("--noproxy '*' http://169.254.169.254/"),
    tailnetHost: curl("--noproxy '*' http://100.100.1.2:22/"),
    hostGateway: curl("--noproxy '*' http://172.31.240.1:18789/"),
    hostSsh: curl("--noproxy '*' http://172.31.240.1:22/"),
    proxyDirectUnset: inSandbox(r, id, "env -u HTTPS_PROXY -u https_proxy curl -s -o /dev/null --max-time 10 -w '%{http_code}' https://github.com/; echo \" exit=$?\"").out,
  };
  const blocked = (v: string) => /^000 000 exit=(6|7|28|56)$/.test(v) || /^000 exit=(6|7|28)$/.test(v);
  summary.egress = egress;
  summary.egressAllowlisted =
    /^401 200 exit=0$/.test(egress.githubThroughProxy) && /^000 403 exit=56$/.test(egress.modelThroughProxy) && /^000 403 exit=56$/.test(egress.mirrorThroughProxy) &&
    [egress.githubDirect, egress.metadata, egress.tailnetHost, egress.hostGateway, egress.hostSsh, egress.proxyDirectUnset].every(blocked);
  expectThat(summary.egressAllowlisted === true, "the coder reaches GitHub through the proxy and nothing else", egress);
  const reach = {
    dotEnv: inSandbox(r, id, "cat /home/openclaw/.openclaw/.env").out,
    secretsInEnv: inSandbox(r, id, "env | grep -c -e CODER_GITHUB_TOKEN= -e ANTHROPIC_API_KEY= -e TELEGRAM -e OPENCLAW_GATEWAY_TOKEN || true").out,
    readToken: inSandbox(r, id, "test \"$GH_TOKEN\" = \"$(printf %s \"$GH_TOKEN\")\" && case \"$GH_TOKEN\" in github_pat_REHEARSAL_CANARY_read*) echo read;; *) echo other;; esac").out,
    writes: inSandbox(r, id, "for d in / /etc /usr /home/sandbox /opt; do touch $d/.probe 2>/dev/null && echo \"$d writable\"; done; touch /workspace/.probe && echo workspace writable && rm /workspace/.probe").out,
    mounts: r.machine.sh(`docker inspect ${id} --format '{{range .Mounts}}{{.Destination}}:{{.RW}} {{end}}'`, "the container's mounts"),
    user: inSandbox(r, id, "id -u").out,
  };
  const writableMounts = reach.mounts.split(" ").filter((m) => m.endsWith(":true")).map((m) => m.split(":")[0]);
  summary.sandboxReach =
    /No such file or directory/.test(reach.dotEnv) && reach.secretsInEnv === "0" && reach.readToken === "read" && reach.writes === "workspace writable" &&
    JSON.stringify(writableMounts) === JSON.stringify(["/workspace"]) && reach.user === "1000";
  expectThat(summary.sandboxReach === true, "the sandbox cannot read .env or write outside its workspace", reach);

  // 6. The workspace survives a gateway restart, a reboot and a backup restored: each time the
  //    coder, asked from Telegram, finds its commit.
  const recall = async (label: string) => {
    const tag = `recall-${label}`;
    const ran = await conversation(r, world, tag, "What is the last commit on fix/readme?", [{ tool: "exec", input: { command: `git -C ${APP} log -1 --format=%s fix/readme` } }], () => "none");
    return /Fix the README typo/.test(ran.reply);
  };
  const restarted = r.machine.exec(["systemctl", "restart", "openclaw-gateway.service"], { timeoutSeconds: 120 }).code === 0;
  const persisted: Record<string, boolean> = { restart: restarted && (await waitFor(() => r.probes.throughServe("/health") === "200", 180)) && (await recall("restart")) };
  r.say("rebooting the host");
  r.machine.stop();
  r.machine.boot(r.hosts.current()?.root ?? "", `${r.probes.build}/npm-cache`);
  persisted.reboot = (await waitFor(() => r.probes.throughServe("/health") === "200", 300)) && (await recall("reboot"));
  r.machine.sh("systemctl start openclaw-backup.service", "the backup service", 300);
  const archive = r.machine.sh("ls -t /var/backups/openclaw/*-openclaw-backup.tar.gz | head -n 1", "finding the archive");
  const inArchive = r.machine.sh(`tar -tzf ${archive} | grep -c 'coder-workspace/${REPO_NAME}/README.md$' || true`, "the workspace in the archive");
  const readme = r.machine.sh(`sha256sum < /home/openclaw/coder-workspace/${REPO_NAME}/README.md`, "hashing the README");
  r.machine.sh("rm -rf /home/openclaw/coder-workspace/owner", "losing the workspace");
  const restore = r.machine.exec(["/usr/local/lib/openclaw-vps/restore.sh", archive], { timeoutSeconds: 300 });
  const restored = r.machine.exec(["sh", "-c", `sha256sum < /home/openclaw/coder-workspace/${REPO_NAME}/README.md; stat -c %u /home/openclaw/coder-workspace/${REPO_NAME}`]).stdout.trim().split("\n");
  persisted.backupRestore =
    inArchive === "1" && restore.code === 0 && restored[0] === readme && restored[1] === "1000" &&
    (await waitFor(() => r.probes.throughServe("/health") === "200", 180)) && (await recall("restore"));
  summary.workspacePersists = persisted;
  expectThat(Object.values(persisted).every(Boolean), "the workspace survives a restart, a reboot and a restore", { persisted, inArchive, restore: restore.stderr.slice(-400), restored, readme });
  const again = r.verifyNow();
  summary.verifiedAfter = again.ok;
  expectThat(again.ok, "npm run verify after all of it", again.ran.stderr.slice(-500));

  // The conversation, as the owner saw it, for the docs and the reader of the log.
  summary.transcript = CodingWorld.transcript(world.state());

  // 7. pulumi destroy: nothing left.
  const destroyed = await r.timed("destroy", () => r.stack.runAsync("destroy", [], { allowFailure: true, timeoutSeconds: 900 }));
  const left = Object.entries(r.stack.cloudCounts()).filter(([, n]) => n > 0);
  summary.destroy = destroyed.result.code === 0 && left.length === 0 && r.hosts.current() === undefined ? "nothing left" : { code: destroyed.result.code, left, out: lastLines(destroyed.result, 10) };
  summary.emulationDisagreements = r.disagreements;
  summary.rehearsal = "passed";
}

const EXPECTED: Readonly<Record<string, unknown>> = {
  rehearsal: "passed",
  preview: "passed",
  audit: { critical: 0, warn: 0 },
  engineSecondRun: { plan: [], ran: [] },
  codingHost: true,
  healthAlerts: true,
  deadMansSwitch: true,
  approved: true,
  denied: true,
  timedOut: true,
  egressAllowlisted: true,
  sandboxReach: true,
  workspacePersists: { restart: true, reboot: true, backupRestore: true },
  verifiedAfter: true,
  destroy: "nothing left",
  emulationDisagreements: [],
};

exitWith(runRehearsal("coding", rehearseCoding, EXPECTED));
