/**
 * What every rehearsal shares (rehearsal/rehearse.ts, day 2; rehearsal/rehearse-coding.ts, coding):
 * the plan rendered as a user renders it, the image and stand-ins built from it (cached), the
 * namespaces, the provider stand-ins and the real stack; then a scenario, its summary checked
 * against what is expected, and everything removed, however it ended.
 */
import { createHash } from "crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { homedir } from "os";
import { join } from "path";
import { evaluateStackFile } from "../../commands/lib/planEvaluation";
import { RealStack } from "../../tools/lib/realEngine";
import { REPO, cleanUpAfter, must, runTool } from "./rehearsal";
import { Probes } from "./rehearsalProbes";
import { REFUSING_OPENCLAW_VERSION } from "../../tools/lib/releases";
import { internetNames, mergeSpecs, renderSpec, specFromPlan } from "./rehearsalSpec";
import { OAUTH, OFFSITE_BUCKET, Rehearsal, SECOND_AUTH_KEY, SECRETS, STACK, STACK_FILES, VERSION, Variant, k } from "./rehearsalStack";
import { commandSteps } from "../../tools/lib/steps";
import { MOTO_SERVER, S3_STANDIN_PORT } from "./s3Standin";
import { Hosts } from "../../toolchain/providers/hosts";

/** The cache key: everything the built root and repositories depend on. */
function buildKey(spec: string): string {
  const h = createHash("sha256").update(spec);
  for (const f of ["build.sh", "standins/tailscale.py"]) h.update(readFileSync(join(REPO, "rehearsal", f)));
  return h.digest("hex").slice(0, 16);
}

/**
 * The longest chain of remote commands, each after another (what `pulumi up` waits for in
 * sequence once the host answers): commands that only share a predecessor run side by side.
 */
export function sequentialDepth(steps: readonly { urn: string; kind: string; after: readonly string[] }[]): number {
  const remote = new Set(steps.filter((s) => s.kind === "remote").map((s) => s.urn));
  const depth = new Map<string, number>();
  for (const s of steps) {
    const before = s.after.filter((u) => depth.has(u)).map((u) => depth.get(u) ?? 0);
    depth.set(s.urn, Math.max(0, ...before) + (remote.has(s.urn) ? 1 : 0));
  }
  return Math.max(0, ...depth.values());
}

export async function prepare(r: Rehearsal, bin: string): Promise<{ image: string; remoteSteps: number; sequential: number }> {
  // The plan, exactly as a user runs it: its rendered files decide what the stand-ins serve.
  // Both rehearsals' plans: the image and stand-ins serve what either needs, so they share one build.
  const planDirs: Partial<Record<Variant, string>> = {};
  for (const variant of Object.keys(STACK_FILES) as Variant[]) {
    planDirs[variant] = join(r.work, `plan-${variant}`);
    r.say(`npm run plan -- --out (${variant})`);
    must(runTool(r.log, "npm", ["run", "--silent", "plan", "--", "--config", STACK_FILES[variant], "--stack", STACK, "--out", planDirs[variant] ?? ""], { timeoutSeconds: 300 }), "npm run plan");
  }
  const planned = await evaluateStackFile(REPO, r.stackFile, STACK);
  const steps = commandSteps(planned.evaluation.registrations);

  const suffix = r.tailnetHost.split(".").slice(1).join(".");
  const spec = mergeSpecs(Object.values(planDirs).map((d) => specFromPlan(d ?? "", [VERSION, REFUSING_OPENCLAW_VERSION], suffix)));
  const specText = renderSpec(spec, r.addresses);
  const cacheRoot = process.env.REHEARSAL_CACHE ?? (process.env.CI ? join(r.work, "cache") : join(homedir(), ".cache", "openclaw-vps", "rehearsal"));
  const build = join(cacheRoot, buildKey(specText));
  writeFileSync(join(r.work, "spec.sh"), specText);
  r.say(`building the host image and stand-ins in ${build}`);
  must(runTool(r.log, "bash", [join(REPO, "rehearsal", "build.sh"), build, join(r.work, "spec.sh")], { timeoutSeconds: 1500 }), "building the image");

  // The networks; the server itself is booted by `pulumi up`, through the hcloud stand-in.
  if (!process.env.KEEP_REHEARSAL) cleanUpAfter(r.machine);
  // Off-site backups go to an S3 stand-in behind the internet stand-in (rehearsal/machine.sh).
  if (spec.offsite) {
    if (!existsSync(MOTO_SERVER)) throw new Error(`${MOTO_SERVER} is missing: run bash .ci/install-s3-standin.sh`);
    process.env.S3_STANDIN = MOTO_SERVER;
  }
  r.machine.up(build, r.tailnetHost, internetNames(spec), r.variant === "coding" ? r.codingWorld() : undefined);
  r.probes = new Probes(r.machine, build, r.tailnetHost, r.addresses);
  // The bucket, as its owner makes it in the cloud's console.
  if (spec.offsite) must(r.machine.inNamespace("inet", "curl", ["-sS", "--fail", "-X", "PUT", `http://127.0.0.1:${S3_STANDIN_PORT}/${OFFSITE_BUCKET}`]), "making the bucket");
  const hostsFile = Hosts.write({
    work: r.work,
    run: r.machine.run,
    image: join(build, "image"),
    npmCache: join(build, "npm-cache"),
    machineScript: join(REPO, "rehearsal", "machine.sh"),
    ipv4: r.addresses.HOST_ADDR,
    ipv6: r.addresses.HOST6_ADDR,
  });
  r.hosts = Hosts.fromEnv({ OPENCLAW_VPS_HOSTS: hostsFile }) as Hosts;
  // The operator's machine is on the tailnet: the drift check's ssh (components/driftCheck.ts
  // runs it from the dynamic provider's diff, not from a command the stand-ins run) goes
  // through the tailnet side of the rehearsal's network, as the stand-ins' commands do.
  const operatorBin = join(r.work, "operator-bin");
  mkdirSync(operatorBin, { recursive: true });
  writeFileSync(join(operatorBin, "ssh"), `#!/bin/sh\nexec ip netns exec ${r.machine.run}-tail /usr/bin/ssh "$@"\n`, { mode: 0o755 });
  r.stack = RealStack.create(bin, STACK, {
    PATH: [bin, operatorBin, process.env.PATH ?? ""].join(":"),
    OPENCLAW_VPS_RUN_COMMANDS: "1",
    OPENCLAW_VPS_OPERATOR_NETNS: `${r.machine.run}-tail`,
    OPENCLAW_VPS_HOSTS: hostsFile,
    // The state carried on a rebuild stays in the run's directory, not the operator's home.
    OPENCLAW_VPS_CARRY_DIR: join(r.work, "carried"),
    // The tailnet: keys the tailscale stand-in mints, the API components/local/tailscale-device.js calls.
    OPENCLAW_VPS_TAILNET: join(r.work, "tailnet", "tailnet.json"),
    TAILSCALE_BASE_URL: `http://127.0.0.1:${r.addresses.TAILNET_API_PORT}`,
  });
  // What a user makes in the admin console first: the supplied single-use keys, tagged; the
  // OAuth client the rebuild switches to (its secret on stdin).
  for (const key of [SECRETS[k("tailscaleAuthKey")], SECOND_AUTH_KEY]) r.tailnet(["mint", "--key", key, "--tags", "tag:openclaw", "--description", "admin console"]);
  r.tailnet(["add-client", "--suffix", r.tailnetHost.split(".").slice(1).join(".")], `${OAUTH.id} ${OAUTH.secret}`);
  const image = steps.find((s) => s.name.endsWith("-sandbox"))?.create.split(" ").pop() ?? "";
  return { image, remoteSteps: steps.filter((s) => s.kind === "remote").length, sequential: sequentialDepth(steps) };
}

export function waitFor(check: () => boolean, seconds: number): Promise<boolean> {
  const until = Date.now() + seconds * 1000;
  return new Promise((resolve) => {
    const tick = () => {
      if (check()) return resolve(true);
      if (Date.now() > until) return resolve(false);
      setTimeout(tick, 3000);
    };
    tick();
  });
}

/**
 * Runs one rehearsal: `scenario` fills the summary; the last line printed is the summary as
 * JSON, and the exit code is 0 only when every field of `expected` is as expected.
 */
export async function runRehearsal(variant: Variant, scenario: (r: Rehearsal, summary: Record<string, unknown>) => Promise<void>, expected: Readonly<Record<string, unknown>>): Promise<number> {
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
  const r = new Rehearsal(variant);
  const summary: Record<string, unknown> = { rehearsal: "failed" };
  try {
    await scenario(r, summary);
  } catch (err) {
    summary.error = err instanceof Error ? err.message : String(err);
    summary.emulationDisagreements = r.disagreements;
    console.error(`rehearse: ${String(summary.error)}`);
    // What the host's own logs say about its failed units, for the reader of a CI log.
    const failedUnits = r.machine.exec(["sh", "-c", "systemctl --failed --no-legend; for u in $(systemctl --failed --no-legend --plain | awk '{ print $1 }'); do journalctl -u \"$u\" -n 25 --no-pager; done"], { timeoutSeconds: 30 });
    if (failedUnits.code === 0 && failedUnits.stdout.trim()) console.error(`rehearse: failed units on the host:\n${failedUnits.stdout.trim()}`);
    console.error(`rehearse: the full log is ${r.log}; the host's console: ${join(r.work, "console.log")}`);
    if (existsSync(join(r.work, "console.log"))) console.error(readFileSync(join(r.work, "console.log"), "utf8").split("\n").slice(-30).join("\n"));
  } finally {
    if (process.env.KEEP_REHEARSAL && summary.rehearsal !== "passed") {
      console.error(`rehearse: KEEP_REHEARSAL is set: the host is still running. Inspect it with: bash rehearsal/machine.sh exec ${r.work} bash`);
      console.error(`rehearse: remove it with: bash rehearsal/machine.sh down ${r.work} ${r.machine.run}`);
    } else {
      r.say("cleaning up the host, its namespaces and mounts");
      r.machine.down();
      for (const entry of ["servers", "cache"]) rmSync(join(r.work, entry), { recursive: true, force: true });
    }
  }
  summary.seconds = Math.round((Date.now() - r.started) / 1000);
  // The plans go to stderr (long); the summary line stays one line of stdout.
  console.error(`rehearse: the plans the real engine applied:\n${JSON.stringify(summary.plans ?? {}, null, 1)}`);
  delete summary.plans;
  console.log(JSON.stringify(summary));
  const wrong = Object.entries(expected).filter(([key, v]) => JSON.stringify(summary[key]) !== JSON.stringify(v));
  if (wrong.length > 0) {
    console.error(`rehearse: not as expected: ${wrong.map(([key, v]) => `${key} is ${JSON.stringify(summary[key])}, expected ${JSON.stringify(v)}`).join("; ")}`);
    return 1;
  }
  r.stack.dispose();
  if (readdirSync(r.work).length > 0 && !process.env.KEEP_REHEARSAL) rmSync(r.work, { recursive: true, force: true });
  return 0;
}

/** Ends the process with the rehearsal's exit code (1, with the stack, if it threw). */
export function exitWith(run: Promise<number>): void {
  run.then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}
