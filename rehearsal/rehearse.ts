/**
 * npm run rehearse: a fresh deployment by the real Pulumi engine, rehearsed end to end on a
 * booted systemd host on this machine, offline. See docs/rehearsal.md.
 *
 * The real CLI (`npm run toolchain`) runs `pulumi preview` and `pulumi up` on the stack
 * config a user would write (`pulumi config set`), with a file backend and a passphrase. The
 * provider stand-ins (toolchain/providers) create the server as a booted Debian 12 host given
 * the user data the program rendered, and run every command as pulumi-command does: local
 * ones and SSH from the tailnet side of the rehearsal's network. Then the result is proven
 * from outside and inside, a second up must change nothing, and day 2 follows, each step a
 * real `pulumi up`: a token rotation, a backup restored, a refused version rolled back, a
 * reboot, a rebuild with the state carried to a second host, protect refusing a rebuild, and
 * `pulumi destroy`. The emulation (tools/lib/engine.ts) is held against every plan.
 * The last line printed is a JSON summary; the exit code is 0 only when every field is as expected.
 *
 * Needs root, the tools .ci/install-host-tools.sh installs and `npm run toolchain`.
 * REHEARSAL_CACHE (default ~/.cache/openclaw-vps/rehearsal, or a directory of the run's own
 * when CI is set) keeps the built root filesystem and npm's downloads between local runs.
 */
import { randomBytes } from "crypto";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { PROJECT_NAME } from "../config/keys";
import { cliVersion, toolchainBin } from "../tools/lib/realEngine";
import { expectThat, summaryOf } from "./lib/rehearsalProbes";
import { REFUSING_OPENCLAW_VERSION } from "../tools/lib/releases";
import { exitWith, prepare, runRehearsal, waitFor } from "./lib/rehearsalRun";
import { EMULATED_HOST } from "../commands/lib/planEvaluation";
import { OAUTH, OFFSITE_BUCKET, POLICY_PACK, Rehearsal, SECOND_AUTH_KEY, SECRETS, STACK, VERSION, failed, k, lastLines } from "./lib/rehearsalStack";
import { S3_STANDIN_PORT } from "./lib/s3Standin";

export { sequentialDepth } from "./lib/rehearsalRun";

async function rehearse(r: Rehearsal, summary: Record<string, unknown>): Promise<void> {
  const bin = toolchainBin();
  if (!bin) throw new Error("the Pulumi toolchain is not built: run npm run toolchain (docs/toolchain.md)");
  summary.engine = `pulumi ${cliVersion(bin)}`;
  const { image, remoteSteps, sequential } = await prepare(r, bin);
  summary.timings = r.timings;
  summary.plans = r.plans;

  // 1. The policy pack's preview (every rule mandatory), then the first `pulumi up`.
  r.set({});
  const preview = await r.timed("preview", () => r.stack.runAsync("preview", ["--policy-pack", POLICY_PACK], { allowFailure: true }));
  summary.preview = preview.result.code === 0 && /Policies:\n\s+✅ openclaw-vps@v[0-9.]+ \(local: /.test(preview.result.stdout) ? "passed" : lastLines(preview.result, 8);
  expectThat(summary.preview === "passed", "pulumi preview --policy-pack policy", summary.preview);
  const first = await r.timed("create", () => r.up("first up", {}, ["--policy-pack", POLICY_PACK]));
  if (!first.ok) throw failed(first);
  const server = r.hosts.current();
  expectThat(server !== undefined, "pulumi up created the server as a booted host", r.hosts.current());
  summary.steps = first.ran.filter((e) => /-(files|host|install|sandbox|configure|verify)$/.test(e.name)).length;
  expectThat(summary.steps === remoteSteps, "every remote command ran once", first.ran.map((e) => e.name));
  summary.sequentialSshSteps = sequential;
  const again = await r.timed("expectNoChanges", () => r.stack.runAsync("preview", ["--expect-no-changes"], { allowFailure: true }));
  summary.expectNoChanges = again.result.code === 0;

  // 2. Inside: first boot, the gateway under its hardening, the audit, the host key, Docker.
  const status = r.machine.sh("cloud-init status --long || true", "reading cloud-init's status");
  summary.cloudInit = /^status: (\S+)/m.exec(status)?.[1] ?? status;
  expectThat(summary.cloudInit === "done", "cloud-init", status);
  r.machine.sh("test -f /var/lib/openclaw-vps/bootstrap-complete", "the readiness marker");
  // `tailscale up` reads the key file and leaves it; the join script must have removed it.
  r.machine.sh("test ! -e /run/openclaw-vps/tailscale-authkey", "the auth key file is gone after the join");
  const gw = r.probes.gatewayProcess();
  summary.gateway = r.machine.sh("systemctl is-active openclaw-gateway.service || true", "the gateway's state");
  expectThat(gw.user === "openclaw", "the gateway runs as openclaw", gw);
  const proc = r.machine.sh(`grep -E '^(NoNewPrivs|CapEff):' /proc/${gw.pid}/status`, "the gateway's privileges");
  expectThat(/NoNewPrivs:\s+1/.test(proc) && /CapEff:\s+0+$/m.test(proc), "the gateway has no privileges", proc);
  const writable = r.machine.exec(["runuser", "-u", "openclaw", "--", "sh", "-c", "test -w /opt/openclaw/current/node_modules/openclaw || test -w /opt/openclaw/current/node_modules/openclaw/dist"]);
  expectThat(writable.code !== 0, "the OpenClaw tree is not writable by openclaw", writable);
  // The verification output, as `pulumi stack output verification` gives it.
  const verified = summaryOf(r.output("verification"));
  summary.audit = { critical: verified.audit?.critical, warn: verified.audit?.warn };
  expectThat(verified.ok, "verify.sh passes (the verification output)", verified);
  const pinned = r.output("sshHostKey");
  const keys = r.machine.sh("cut -d' ' -f1,2 /etc/ssh/ssh_host_ed25519_key.pub; ls /etc/ssh/ | grep -c '^ssh_host_.*_key$'", "the host's SSH keys").trim().split("\n");
  summary.hostKeyPinned = keys[0] === pinned.trim() && keys[1] === "1";
  expectThat(summary.hostKeyPinned === true, "the server's only host key is the pinned one", { pinned, keys });
  const sshd = r.machine.sh("ss -Hltn 'sport = :22' | awk '{ print $4 }' | sort -u | paste -sd, -", "sshd's listeners").trim();
  summary.sshdListen = sshd;
  expectThat(sshd === `${r.addresses.TAILNET_ADDR}:22`, "sshd listens on the tailnet address only", sshd);
  // The listen step again while the steps' SSH sessions have started sshd from its socket:
  // it must move the socket (not fail to listen, as it did while ssh.service ran).
  const sshdService = r.machine.sh("systemctl is-active ssh.service || true", "ssh.service's state");
  r.machine.sh("rm -f /etc/ssh/sshd_config.d/02-openclaw-vps-listen.conf /etc/systemd/system/ssh.socket.d/openclaw-vps-listen.conf", "removing the listen settings");
  const relisten = r.machine.exec(["/usr/local/sbin/openclaw-vps-sshd-listen"], { timeoutSeconds: 120 });
  const relistened = r.machine.sh("ss -Hltn 'sport = :22' | awk '{ print $4 }' | sort -u | paste -sd, -", "sshd's listeners").trim();
  summary.sshdListenAgain = sshdService === "active" && relisten.code === 0 && relistened === `${r.addresses.TAILNET_ADDR}:22` && r.verifyNow().ok;
  expectThat(summary.sshdListenAgain === true, "sshd-listen while ssh.service runs", { sshdService, relisten: relisten.stdout + relisten.stderr, relistened });
  r.machine.sh(`docker image inspect ${image} >/dev/null`, "the sandbox image");
  const guard = r.machine.sh("iptables -S DOCKER-USER", "the Docker guard rules");
  expectThat(guard.includes("169.254.0.0/16") && guard.includes("100.64.0.0/10"), "DOCKER-USER blocks the metadata service and the tailnet", guard);
  summary.docker = "real";
  const reach = await r.probes.dockerReach(image);
  summary.dockerGuard =
    reach.internet === "404 exit=0" && reach.metadata === "000 exit=7" && reach.tailnet === "000 exit=7" && reach.host === "000 exit=7" && reach.tailnetFromHost === "200";
  expectThat(summary.dockerGuard === true, "a container reaches only the internet", reach);

  // 3. Outside: the Serve route answers, nothing answers on the public addresses.
  summary.serve = r.probes.throughServe("/health") === "200";
  expectThat(summary.serve === true, "the gateway answers through Serve", r.probes.throughServe("/health"));
  r.say("scanning the public addresses from the internet side");
  summary.publicOpenPorts = r.probes.publicOpenPorts();

  // 4. Every step run again (`pulumi up --replace` on each) changes nothing on the host; then
  //    an up with nothing changed runs nothing.
  const commandUrns = (JSON.parse(r.stack.exportState()) as { deployment: { resources: { urn: string; type: string }[] } }).deployment.resources
    .filter((x) => x.type === "command:remote:Command")
    .map((x) => x.urn);
  const forced = await r.up("every step again", {}, commandUrns.flatMap((u) => ["--replace", u]));
  if (!forced.ok) throw failed(forced);
  const out = (suffix: string) => Rehearsal.stdoutOf(forced, suffix);
  const gw2 = r.probes.gatewayProcess();
  const changes = [
    !/files: 0 changed/.test(out("-files")) && "files",
    !/^host: 0 changed$/m.test(out("-host")) && "host",
    !/present/.test(out("-install")) || !/current is already/.test(out("-install")) ? "install" : false,
    !/present/.test(out("-sandbox")) && "sandbox",
    (/configure: wrote|gateway restarted|Serve now fronts|removed the Tailscale operator/.test(out("-configure")) || !/nothing changed/.test(out("-configure"))) && "configure",
    gw2.pid !== gw.pid && "gateway restarted",
  ].filter(Boolean);
  summary.secondRunChanges = changes.length;
  expectThat(changes.length === 0, "every step run again changes nothing", changes);
  const noop = await r.timed("noop", () => r.up("no change"));
  if (!noop.ok) throw failed(noop);
  summary.engineSecondRun = r.plans["no change"];
  expectThat(r.plans["no change"].length === 0 && noop.ran.length === 0, "an up with nothing changed runs nothing", { plan: r.plans["no change"], ran: noop.ran.map((e) => e.name) });

  // 5. The upgrade to the configured release: install (with the pre-upgrade backup),
  //    configure and verify run; the new release migrates the state and verifies clean.
  const upgrade = await r.timed("upgrade", () => r.up("an upgrade", { plain: { [k("openclawVersion")]: VERSION } }));
  const upgradeFacts = {
    ok: upgrade.ok,
    ran: upgrade.ran.map((e) => e.name).sort().join(","),
    backup: /install: state backed up before the switch/.test(Rehearsal.stdoutOf(upgrade, "-install")),
    current: r.machine.sh("basename \"$(readlink /opt/openclaw/current)\"", "reading current"),
    verified: summaryOf(r.output("verification")),
    marker: r.machine.exec(["test", "-e", "/var/lib/openclaw-vps/upgrade-from"]).code === 0,
  };
  summary.upgrade =
    upgradeFacts.ok && upgradeFacts.ran === "openclaw-gateway-configure,openclaw-gateway-install,openclaw-gateway-verify" && upgradeFacts.backup &&
    upgradeFacts.current === VERSION && upgradeFacts.verified.ok && !upgradeFacts.marker;
  expectThat(summary.upgrade === true, `the upgrade from ${REFUSING_OPENCLAW_VERSION} to ${VERSION}`, upgradeFacts);

  // The daily self-check, as its timer starts it: under systemd, with its status file.
  r.machine.sh("systemctl is-enabled openclaw-selfcheck.timer", "the self-check timer is enabled");
  const selfcheck = r.machine.exec(["systemctl", "start", "openclaw-selfcheck.service"], { timeoutSeconds: 300 });
  const checked = r.machine.exec(["cat", "/var/lib/openclaw-vps/selfcheck.json"]);
  summary.selfcheck = selfcheck.code === 0 && (JSON.parse(checked.stdout || "{}") as { ok?: boolean }).ok === true;
  expectThat(summary.selfcheck === true, "the daily self-check passes under systemd", { start: selfcheck.stderr.slice(-500), status: checked.stdout });

  // 5b. Drift: the host changed after the deploy, as a hand or a tool would change it. The daily
  //     self-check names every change; the next `pulumi up` finds it in its drift check (before
  //     it plans), re-runs the steps that re-assert the rendered state and verifies; the up
  //     after that plans nothing.
  const rendered = (file: string) => r.machine.sh(`sha256sum ${file} | cut -d' ' -f1`, `hashing ${file}`).trim();
  const sshdBefore = rendered("/etc/ssh/sshd_config.d/01-openclaw-vps.conf");
  const daemonBefore = rendered("/etc/docker/daemon.json");
  r.machine.sh(
    [
      "echo 'PermitRootLogin yes' >>/etc/ssh/sshd_config.d/01-openclaw-vps.conf",
      "ufw allow 2222/tcp >/dev/null",
      "sed -i 's/\"icc\": false/\"icc\": true/' /etc/docker/daemon.json",
      "mkdir -p /etc/systemd/system/openclaw-gateway.service.d",
      "printf '[Service]\\nEnvironment=OPENCLAW_DRIFT=1\\n' >/etc/systemd/system/openclaw-gateway.service.d/override.conf",
      "iptables -I DOCKER-USER -j ACCEPT",
      // The sandbox opened, as the posture check's held variant does, by the gateway's account.
      "runuser -u openclaw -- node -e 'const f = \"/home/openclaw/.openclaw/openclaw.json\", fs = require(\"fs\"), c = JSON.parse(fs.readFileSync(f)); c.agents.defaults.sandbox.docker.network = \"bridge\"; fs.writeFileSync(f, JSON.stringify(c, null, 2))'",
    ].join(" && "),
    "drifting the host",
  );
  const driftedCheck = r.machine.exec(["systemctl", "start", "openclaw-selfcheck.service"], { timeoutSeconds: 300 });
  const driftedStatus = JSON.parse(r.machine.exec(["cat", "/var/lib/openclaw-vps/selfcheck.json"]).stdout || "{}") as { ok?: boolean; summary?: { problems?: string[] } };
  const named = (driftedStatus.summary?.problems ?? []).join("\n");
  const driftNamed = [
    "/etc/ssh/sshd_config.d/01-openclaw-vps.conf: changed since the deploy",
    "/etc/ufw/user.rules: a rule the deploy did not add: ufw allow 2222/tcp",
    "/etc/docker/daemon.json: changed since the deploy",
    "/etc/systemd/system/openclaw-gateway.service.d/override.conf: a drop-in the deploy did not write",
    "iptables DOCKER-USER: a rule the deploy did not add: -A DOCKER-USER -j ACCEPT",
    "/home/openclaw/.openclaw/openclaw.json: differs from the rendered config",
    "posture: agents.defaults.sandbox.docker.network",
  ].filter((p) => !named.includes(p));
  // The emulation has no server: it is told what the drift check finds.
  EMULATED_HOST.drifted = true;
  const repair = await r.timed("driftRepair", () => r.up("drift repaired")).finally(() => {
    EMULATED_HOST.drifted = false;
  });
  const hostOut = Rehearsal.stdoutOf(repair, "-host");
  const repairFacts = {
    ok: repair.ok,
    selfcheckFailed: driftedCheck.code !== 0 && driftedStatus.ok === false,
    notNamed: driftNamed,
    plan: r.plans["drift repaired"],
    hostStep: hostOut,
    sshd: rendered("/etc/ssh/sshd_config.d/01-openclaw-vps.conf") === sshdBefore,
    daemon: rendered("/etc/docker/daemon.json") === daemonBefore,
    ufw: !r.machine.sh("ufw show added", "UFW's rules").includes("2222"),
    dockerUser: !r.machine.sh("iptables -S DOCKER-USER", "DOCKER-USER").includes("-A DOCKER-USER -j ACCEPT"),
    dropIn: r.machine.exec(["test", "-e", "/etc/systemd/system/openclaw-gateway.service.d"]).code !== 0,
    config: r.machine.exec(["grep", "-q", '"network": "bridge"', "/home/openclaw/.openclaw/openclaw.json"]).code !== 0,
    verified: summaryOf(r.output("verification")).ok,
  };
  const afterRepair = await r.up("after the drift repair");
  summary.drift =
    repairFacts.ok && repairFacts.selfcheckFailed && driftNamed.length === 0 &&
    ["openclaw-gateway-drift-check: update", ...["files", "host", "configure", "verify"].map((x) => `openclaw-gateway-${x}: replace`)].every((x) => repairFacts.plan.includes(x)) &&
    repairFacts.sshd && repairFacts.daemon && repairFacts.ufw && repairFacts.dockerUser && repairFacts.dropIn && repairFacts.config && repairFacts.verified &&
    afterRepair.ok && r.plans["after the drift repair"].length === 0;
  expectThat(summary.drift === true, "drift: named by the self-check, re-asserted by the next up, then nothing to do", { ...repairFacts, after: r.plans["after the drift repair"] });

  // 6. Rotate the token: only configure and verify run; one restart; the old token is refused.
  const oldToken = r.output("gatewayToken", true);
  const rotation = await r.timed("rotation", () => r.up("token rotation", { plain: { [k("gatewayTokenVersion")]: "2" } }));
  if (!rotation.ok) throw failed(rotation);
  const newToken = r.output("gatewayToken", true);
  const gw3 = r.probes.gatewayProcess();
  const wsOld = r.probes.webSocket(oldToken);
  const wsNew = r.probes.webSocket(newToken);
  const rotationFacts = {
    ran: rotation.ran.map((x) => x.name).join(","),
    restarted: gw3.pid !== gw2.pid,
    restarts: (Rehearsal.stdoutOf(rotation, "-configure").match(/gateway restarted/g) ?? []).length,
    envHasNewToken: r.machine.exec(["grep", "-qx", `OPENCLAW_GATEWAY_TOKEN=${newToken}`, "/home/openclaw/.openclaw/.env"]).code === 0,
    httpOld: r.probes.invokeWith(oldToken),
    httpNew: r.probes.invokeWith(newToken),
    wsOld,
    wsNew: wsNew.helloOk,
  };
  summary.rotation =
    newToken !== oldToken && rotationFacts.ran === "openclaw-gateway-configure,openclaw-gateway-verify" &&
    rotationFacts.restarted && rotationFacts.restarts === 1 && rotationFacts.envHasNewToken &&
    rotationFacts.httpOld === "401" && rotationFacts.httpNew === "200" &&
    !wsOld.helloOk && wsOld.errorCode === "AUTH_TOKEN_MISMATCH" && wsNew.helloOk;
  expectThat(summary.rotation === true, "rotation", rotationFacts);

  // 7. A backup as the daily timer takes it, then a restore after damage; an up runs nothing,
  //    and `npm run verify` is clean.
  r.machine.sh("systemctl start openclaw-backup.service", "the backup service", 300);
  const archive = r.machine.sh("ls -t /var/backups/openclaw/*-openclaw-backup.tar.gz | head -n 1", "finding the archive");
  const config = r.machine.sh("sha256sum < /home/openclaw/.openclaw/openclaw.json", "hashing the config");
  r.machine.sh("echo '{}' > /home/openclaw/.openclaw/openclaw.json && rm -f /home/openclaw/.openclaw/.env", "damaging the state");
  const restore = r.machine.exec(["/usr/local/lib/openclaw-vps/restore.sh", archive], { timeoutSeconds: 300 });
  const restoredConfig = r.machine.sh("sha256sum < /home/openclaw/.openclaw/openclaw.json", "hashing the restored config");
  const afterRestore = await r.up("after a restore");
  const restoreVerified = r.verifyNow();
  summary.restore = restore.code === 0 && restoredConfig === config && afterRestore.ok && afterRestore.ran.length === 0 && restoreVerified.ok && r.probes.throughServe("/health") === "200";
  expectThat(summary.restore === true, "backup and restore", { restore: restore.stderr.slice(-500), same: restoredConfig === config, verify: restoreVerified.ran.stderr.slice(-500) });

  // 8. A version switch back, which the build fails: OpenClaw 2026.9.5 refuses 2026.9.6's state.
  const broken = await r.timed("rollback", () => r.up("a refused version", { plain: { [k("openclawVersion")]: REFUSING_OPENCLAW_VERSION } }));
  const current = r.machine.sh("basename \"$(readlink /opt/openclaw/current)\"", "reading current");
  const failedRun = broken.ran.find((e) => e.done === 1);
  const failedText = `${failedRun?.error ?? ""}`;
  const back = await r.up("the version set back", { plain: { [k("openclawVersion")]: VERSION } });
  const rollbackFacts = {
    upFailed: !broken.ok,
    failedAt: failedRun?.name,
    cliShowsIt: /rolled back/.test(broken.result.stdout + broken.result.stderr),
    rolledBack: /rolled back/.test(failedText),
    current,
    gateway: r.machine.sh("systemctl is-active openclaw-gateway.service || true", "the gateway's state"),
    marker: r.machine.exec(["test", "-e", "/var/lib/openclaw-vps/upgrade-from"]).code === 0,
    preUpgradeBackup: /install: state backed up before the switch/.test(Rehearsal.stdoutOf(broken, "-install")),
    restoredState: /with the state from before the upgrade/.test(failedText),
    backOk: back.ok,
    backVerified: r.verifyNow().ok,
  };
  summary.rollbackReason = failedText.split("\n").find((l) => /^configure: .*rolled back/.test(l)) ?? failedText.split("\n").find((l) => /rolled back/.test(l)) ?? null;
  summary.rollback =
    rollbackFacts.upFailed && rollbackFacts.cliShowsIt && rollbackFacts.rolledBack && rollbackFacts.preUpgradeBackup && rollbackFacts.restoredState &&
    current === VERSION && rollbackFacts.gateway === "active" && !rollbackFacts.marker && rollbackFacts.backOk && rollbackFacts.backVerified;
  expectThat(summary.rollback === true, "the failed version switch rolls back", { ...rollbackFacts, failedText: failedText.slice(-800) });

  // 9. A reboot: the firewall, the gateway, the guard and the Serve route all come back.
  r.say("rebooting the host");
  const rebootStarted = Date.now();
  r.machine.stop();
  r.machine.boot(r.hosts.current()?.root ?? "", join(r.probes.build, "npm-cache"));
  const back2 = await waitFor(() => r.probes.throughServe("/health") === "200", 300);
  const reverify = r.verifyNow();
  summary.reboot =
    back2 && reverify.ok &&
    r.machine.sh("ufw status | head -n 1", "ufw after the reboot") === "Status: active" &&
    r.machine.sh("iptables -S DOCKER-USER | grep -c 169.254.0.0/16 || true", "the guard after the reboot") !== "0";
  r.timings.reboot = Math.round((Date.now() - rebootStarted) / 1000);
  expectThat(summary.reboot === true, "everything comes back after a reboot", reverify.ran.stderr.slice(-500));

  // 10. A new supplied auth key alone changes nothing (the server keeps its user data: a
  //    running server is never replaced for a key). Then a rebuild with the state carried,
  //    switching to Tailscale API credentials on the way, as docs/operations.md describes:
  //    restoreOnRebuild on; the old server's device removed by hand (supplied keys leave it,
  //    docs/operations.md "Destroy"); then a new server generation with an OAuth client and no
  //    supplied key. Pulumi mints the new server's key in the tailnet, a second host boots and
  //    joins with it, components/local/tailscale-device.js adopts its device through the tailnet's API
  //    and the steps connect to the device's address; the carry step fetched the old host's
  //    state and restores it there (a marker written before is found); the old host is gone.
  const newKey = await r.up("a new auth key alone", { secret: { [k("tailscaleAuthKey")]: SECOND_AUTH_KEY } });
  summary.newAuthKeyAlone = newKey.ok && r.plans["a new auth key alone"].length === 0 && newKey.ran.length === 0 ? "nothing changed" : r.plans["a new auth key alone"];
  const carryOn = await r.up("restoreOnRebuild on", { plain: { [k("restoreOnRebuild")]: "true" } });
  if (!carryOn.ok) throw failed(carryOn);
  const mark = randomBytes(8).toString("hex");
  r.machine.sh(`runuser -u openclaw -- sh -c 'echo ${mark} > /home/openclaw/.openclaw/rehearsal-carried'`, "marking the state");
  const before = r.hosts.current();
  const stale = r.tailnet(["devices"]) as { id: string; hostname: string }[];
  for (const d of stale) r.tailnet(["delete-device", d.id]);
  const rebuild = await r.timed("rebuild", () =>
    r.up("rebuild, minting its key", { plain: { [k("serverGeneration")]: "2", "tailscale:oauthClientId": OAUTH.id }, secret: { "tailscale:oauthClientSecret": OAUTH.secret } }, [], [k("tailscaleAuthKey")]),
  );
  if (!rebuild.ok) throw failed(rebuild);
  const after = r.hosts.current();
  const devices = r.tailnet(["devices"]) as { name: string; addresses: string[]; tags: string[] }[];
  const adopted = Rehearsal.stdoutOf(rebuild, "-tailnet-device-node");
  const rebuildFacts = {
    staleRemoved: stale.length,
    newServer: after !== undefined && after.id !== before?.id,
    oldHostGone: before !== undefined && !existsSync(before.root),
    mintedKeyJoined: JSON.stringify(r.tailnet(["counts", "--description-prefix", `${PROJECT_NAME}-${STACK} `])) === JSON.stringify({ devices: 1, keys: 1, used: 1 }),
    device: devices.map((d) => `${d.name} ${d.addresses.join(",")} ${d.tags.join(",")}`),
    adopted: adopted.includes(`"address":"${r.addresses.TAILNET_ADDR}"`),
    carried: r.machine.exec(["cat", "/home/openclaw/.openclaw/rehearsal-carried"]).stdout.trim() === mark,
    fetchedThenRestored: rebuild.ran.filter((e) => e.name.endsWith("-carry")).map((e) => e.op).join(","),
    verified: summaryOf(r.output("verification")).ok,
    serve: r.probes.throughServe("/health"),
  };
  summary.rebuild =
    rebuildFacts.newServer && rebuildFacts.oldHostGone && rebuildFacts.mintedKeyJoined && rebuildFacts.adopted &&
    JSON.stringify(rebuildFacts.device) === JSON.stringify([`${r.tailnetHost} ${r.addresses.TAILNET_ADDR} tag:openclaw`]) &&
    rebuildFacts.carried && rebuildFacts.fetchedThenRestored === "delete,create" && rebuildFacts.verified && rebuildFacts.serve === "200";
  expectThat(summary.rebuild === true, "the rebuild", rebuildFacts);

  // 10b. Off-site backups (on since the first up) and losing the server. restoreFrom offsite:
  //     the new restore step runs on the running server and restores nothing (it has state).
  //     A marker, then a daily backup as its timer starts it: the upload follows it, and the
  //     object store holds only age ciphertext (no marker, no secret of the .env in it). Then
  //     the server is lost: its host powered off, nothing fetched from it. A new generation
  //     restores the newest off-site backup before configure, and verifies.
  const fromOffsite = await r.up("restore from off-site", { plain: { [k("restoreFrom")]: "offsite" } });
  if (!fromOffsite.ok) throw failed(fromOffsite);
  const offMark = randomBytes(8).toString("hex");
  r.machine.sh(`runuser -u openclaw -- sh -c 'echo ${offMark} > /home/openclaw/.openclaw/rehearsal-offsite'`, "marking the state");
  // The last upload so far (the carry step's fetch above took a backup too, and it was
  // uploaded): the one to wait for is the next.
  type OffsiteStatus = { ok?: boolean; object?: string; bytes?: number; seconds?: number };
  const offsiteStatus = () => JSON.parse(r.machine.exec(["cat", "/var/lib/openclaw-vps/offsite.json"]).stdout || "{}") as OffsiteStatus;
  const previous = offsiteStatus().object;
  r.machine.sh("systemctl start openclaw-backup.service", "the backup service", 300);
  const pushed = await waitFor(() => {
    const now = offsiteStatus();
    return now.ok === true && now.object !== undefined && now.object !== previous;
  }, 300);
  const offStatus = offsiteStatus();
  const s3 = (path: string) => r.machine.inNamespace("inet", "curl", ["-sS", "--fail", `http://127.0.0.1:${S3_STANDIN_PORT}/${OFFSITE_BUCKET}${path}`]).stdout;
  const stored = [...s3(`?list-type=2&prefix=${PROJECT_NAME}-${STACK}/`).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
  // Every object stored so far (the backup of step 7 uploaded too), read back raw.
  // Objects are read as the store's owner reads them: with rclone, signed (moto refuses an
  // unsigned read of a private object).
  const objects = stored.map(
    (key) =>
      r.machine.inNamespace("inet", "env", [
        "-u", "AWS_CA_BUNDLE", "RCLONE_CONFIG=/dev/null", "RCLONE_CONFIG_S_TYPE=s3", "RCLONE_CONFIG_S_PROVIDER=Other",
        `RCLONE_CONFIG_S_ENDPOINT=http://127.0.0.1:${S3_STANDIN_PORT}`, "RCLONE_CONFIG_S_ACCESS_KEY_ID=owner", "RCLONE_CONFIG_S_SECRET_ACCESS_KEY=owner-secret",
        "RCLONE_CONFIG_S_FORCE_PATH_STYLE=true", "rclone", "cat", `s:${OFFSITE_BUCKET}/${key}`,
      ]).stdout,
  );
  const lostServer = r.hosts.current();
  r.say("losing the server: its host powered off");
  r.machine.stop();
  const offsiteRebuild = await r.timed("offsiteRebuild", () => r.up("the server lost, rebuilt from off-site", { plain: { [k("serverGeneration")]: "3" } }));
  const restoredFrom = Rehearsal.stdoutOf(offsiteRebuild, "-offsite-restore");
  const offsiteFacts = {
    keptOnRunning: /this server has its state already: nothing restored/.test(Rehearsal.stdoutOf(fromOffsite, "-offsite-restore")),
    pushed,
    status: offStatus,
    stored,
    previous,
    headers: [...new Set(objects.map((o) => o.slice(0, 21)))],
    plainInObjects: objects.reduce((n, o) => n + [offMark, ...Object.values(SECRETS)].filter((c) => o.includes(c)).length, 0),
    rebuilt: offsiteRebuild.ok,
    newServer: r.hosts.current() !== undefined && r.hosts.current()?.id !== lostServer?.id,
    carried: offsiteRebuild.ran.some((e) => e.name.endsWith("-carry")),
    restoredLine: restoredFrom.split("\n").filter((l) => l.startsWith("offsite:")).pop(),
    sameState: r.machine.exec(["cat", "/home/openclaw/.openclaw/rehearsal-offsite"]).stdout.trim() === offMark,
    verified: summaryOf(r.output("verification")).ok,
    serve: r.probes.throughServe("/health"),
  };
  summary.offsite =
    offsiteFacts.keptOnRunning && offsiteFacts.pushed && offsiteFacts.status.ok === true && stored.length >= 1 && stored[stored.length - 1] === `${PROJECT_NAME}-${STACK}/${offStatus.object}` &&
    JSON.stringify(offsiteFacts.headers) === '["age-encryption.org/v1"]' && offsiteFacts.plainInObjects === 0 && offsiteFacts.rebuilt && offsiteFacts.newServer && !offsiteFacts.carried &&
    offsiteFacts.restoredLine === `offsite: restored ${offStatus.object} in ${/ in (\d+) s$/.exec(offsiteFacts.restoredLine ?? "")?.[1]} s` &&
    offsiteFacts.sameState && offsiteFacts.verified && offsiteFacts.serve === "200";
  summary.offsiteTimes = { uploadSeconds: offStatus.seconds, bytes: offStatus.bytes, rebuildSeconds: r.timings.offsiteRebuild, restore: offsiteFacts.restoredLine };
  expectThat(summary.offsite === true, "off-site backups: stored encrypted, and a lost server rebuilt from them", offsiteFacts);

  // 11. protect: on, a rebuild refused with the message the docs give (nothing changes), off.
  const guarded = await r.up("protect on", { plain: { [k("protect")]: "true" } });
  if (!guarded.ok) throw failed(guarded);
  const serverBefore = r.hosts.current()?.id;
  const refused = await r.up("a rebuild while protected", { plain: { [k("serverGeneration")]: "4" } });
  const refusedText = refused.result.stdout + refused.result.stderr;
  const undo = await r.up("the generation set back", { plain: { [k("serverGeneration")]: "3" } });
  const lifted = await r.up("protect off", { plain: { [k("protect")]: "false" } });
  const protectFacts = { refused: !refused.ok, message: /while protect is on/.test(refusedText), ran: refused.ran.length, sameServer: r.hosts.current()?.id === serverBefore, undo: undo.ok, lifted: lifted.ok };
  summary.protect = protectFacts.refused && protectFacts.message && protectFacts.ran === 0 && protectFacts.sameServer && protectFacts.undo && protectFacts.lifted;
  expectThat(summary.protect === true, "protect refuses a rebuild", { ...protectFacts, text: lastLines(refused.result, 10) });

  // 12. The stored state holds no secret in plain text; the URL output's token is the gateway's.
  const state = r.stack.exportState();
  const urlWithToken = r.output("gatewayUrlWithToken", true);
  const token = /#token=([0-9a-f]+)$/.exec(urlWithToken)?.[1] ?? "";
  const privateKey = r.output("deployPrivateKey", true).split("\n").filter((l) => !l.startsWith("-----")).join("");
  const minted = (JSON.parse(readFileSync(join(r.work, "tailnet", "tailnet.json"), "utf8")) as { keys: Record<string, { key: string; description: string }> }).keys;
  const mintedKeys = Object.values(minted).filter((x) => x.description !== "admin console").map((x) => x.key);
  const canaries = [...Object.values(SECRETS), SECOND_AUTH_KEY, OAUTH.secret, ...mintedKeys, oldToken, newToken, privateKey.slice(0, 60)];
  summary.stateCanaries = canaries.filter((c) => c !== "" && state.includes(c)).length;
  summary.urlTokenAccepted = token === newToken && r.probes.invokeWith(token) === "200" && r.output("gatewayUrlWithToken") === "[secret]";
  expectThat(summary.urlTokenAccepted === true, "the gatewayUrlWithToken output's token is accepted", { url: urlWithToken.replace(/#token=.*/, "#token=…") });

  // 13. pulumi destroy: nothing left in the local cloud, no host running.
  const destroyed = await r.timed("destroy", () => r.stack.runAsync("destroy", [], { allowFailure: true, timeoutSeconds: 900 }));
  r.stack.takeCommandLog();
  const counts = r.stack.cloudCounts();
  const left = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
  // The tailnet too: the server's device removed by its step's delete, the minted key deleted.
  const tailnetLeft = r.tailnet(["counts", "--description-prefix", `${PROJECT_NAME}-${STACK} `]) as { devices: number; keys: number; used: number };
  summary.destroy =
    destroyed.result.code === 0 && Object.keys(left).length === 0 && r.hosts.current() === undefined && tailnetLeft.devices === 0 && tailnetLeft.keys === 0
      ? "nothing left"
      : { code: destroyed.result.code, left, tailnetLeft, host: r.hosts.current(), out: lastLines(destroyed.result, 10) };
  summary.emulationDisagreements = r.disagreements;
  summary.rehearsal = "passed";
}

const EXPECTED: Readonly<Record<string, unknown>> = {
  rehearsal: "passed",
  preview: "passed",
  expectNoChanges: true,
  cloudInit: "done",
  steps: 6,
  sequentialSshSteps: 5,
  engineSecondRun: [],
  upgrade: true,
  selfcheck: true,
  drift: true,
  hostKeyPinned: true,
  sshdListenAgain: true,
  gateway: "active",
  audit: { critical: 0, warn: 0 },
  serve: true,
  publicOpenPorts: 0,
  secondRunChanges: 0,
  rotation: true,
  restore: true,
  rollback: true,
  reboot: true,
  newAuthKeyAlone: "nothing changed",
  rebuild: true,
  offsite: true,
  protect: true,
  stateCanaries: 0,
  urlTokenAccepted: true,
  destroy: "nothing left",
  emulationDisagreements: [],
};

exitWith(runRehearsal("day2", rehearse, EXPECTED));
