/**
 * The gateway, brought up over the tailnet by `pulumi up` itself: remote commands over SSH
 * as the admin user with the deploy key. Each step re-runs exactly when what it applies
 * changes (its triggers are content hashes) or the server is a new one (the server's id is
 * in every trigger); verification re-runs whenever anything it checks changed. A `pulumi up`
 * with nothing changed runs nothing (the server checks itself daily: selfcheck.sh).
 *
 * Five sequential SSH steps after the host answers: files (after first boot has finished),
 * host, then install and sandbox side by side, configure, verify. Before any of them, the
 * drift check (components/driftCheck.ts) asks the server whether it still is what was
 * rendered; when it is not, its `epoch` changes and files, host, configure and verify run
 * again, re-asserting the rendered state in that same up.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { ADMIN_USER } from "../cloud-init";
import {
  GatewaySettings,
  STEP_SCRIPTS,
  contentHash,
  gatewayFiles,
  renderFilesBundle,
  renderOpenclawJson,
} from "../gateway";
import { shellCommand } from "../cloud-init/shell";
import { LOCAL_COMMAND_IGNORE, helperCommand, localCommandDir } from "./local";
import { firstBootWait } from "./firstBoot";
import { driftCheck } from "./driftCheck";
import { RebuildGuardKind } from "./rebuildGuard";
import { renderHostStep } from "../gateway/hostStep";
import { renderManifest } from "../gateway/manifest";

export interface GatewaySetupArgs {
  /** Where to connect: the server's tailnet name or address. */
  readonly host: pulumi.Input<string>;
  /** The deploy key's private half; secret. */
  readonly privateKey: pulumi.Output<string>;
  /**
   * The server's host key (components/hostKey.ts), `ssh-ed25519 AAAA...`: every step that
   * connects accepts this key and no other.
   */
  readonly hostKey: pulumi.Input<string>;
  /** The exact OpenClaw release. */
  readonly openclawVersion: string;
  /** What decides the gateway's configuration. */
  readonly settings: GatewaySettings;
  /** The sandbox image tag the configuration names. */
  readonly sandboxImage: string;
  /** The tailnet machine name, kept in sync on the server. */
  readonly hostname: string;
  /** The .env file for the gateway; secret, delivered on stdin only. */
  readonly envFile: pulumi.Output<string>;
  /** The cloud's id for the server the steps run on: a new server runs every step again. */
  readonly serverId: pulumi.Input<string>;
  /**
   * restoreOnRebuild: the deployment whose state is carried (its directory on the operator's
   * machine, and who it is). The old server's newest state is fetched before it is deleted
   * and restored on its successor.
   */
  readonly carryState?: CarriedDeployment;
  /**
   * restoreFrom offsite: what offsite.sh restore reads on stdin (the off-site settings and the
   * age identity); secret. A new server restores the newest off-site backup before configure.
   */
  readonly offsiteRestore?: pulumi.Output<string>;
  /**
   * Which drift check resource (components/driftCheck.ts): a dynamic one in this repository's
   * program, the package's own type through the package. Dynamic unless given.
   */
  readonly resourceKind?: RebuildGuardKind;
}

/** The deployment a carried archive belongs to (components/local/carry-state.js). */
export interface CarriedDeployment {
  /** Its name on the operator's machine (deploymentName): the carried state's directory. */
  readonly deployment: string;
  /**
   * Who it is, written next to every archive it fetches and compared before one is restored;
   * `former` is the name releases before deploymentName gave it, where its state may wait.
   */
  readonly identity: { readonly project: string; readonly stack: string; readonly gateway: string; readonly former: string };
}

/** How long the first boot may take before the deployment gives up (15 minutes). */
export const HOST_WAIT_SECONDS = 900;

/** The type this component had before it was renamed: existing stacks hold it under this type. */
export const GATEWAY_SETUP_FORMER_TYPE = "openclaw-vps:gateway:OpenClawGateway";

/**
 * The audit's finding counts. The gate prints null for a count the audit's output did not
 * give (and then fails); the schema has no union of a number and null, so each is optional.
 */
export interface AuditCounts {
  readonly critical?: number;
  readonly warn?: number;
  readonly info?: number;
}

/**
 * What the deploy gate found on the server (gateway/scripts/verify.sh prints it as its last
 * line): `pulumi stack output verification --json | jq .audit`.
 */
export interface VerificationSummary {
  /** True when the gate found no problem (a failed gate fails the deployment). */
  readonly ok: boolean;
  /** The running release, as `openclaw --version` reports it. */
  readonly openclaw: string;
  /** OpenClaw's security audit. */
  readonly audit: AuditCounts;
  /** The gateway's listening sockets. */
  readonly listeners: string[];
  /** UFW's status line. */
  readonly ufw: string;
  /** Tailscale Serve's route to the gateway. */
  readonly serve: string;
  /** The state directory's, config's and .env's modes and owners. */
  readonly modes: string;
  /** The Telegram channel's state. */
  readonly telegram: string;
  /** What the gate refused, one line each (empty when ok). */
  readonly problems: string[];
}

/**
 * The summary from the verification step's output: its last line, a JSON object. A step that
 * printed anything else (it exits non-zero then, so this is a fault of the step) is reported
 * as not ok with that line as the problem, rather than failing after the server was verified.
 */
export function verificationSummary(stdout: string): VerificationSummary {
  const last = stdout.trim().split("\n").pop() ?? "";
  try {
    const parsed = JSON.parse(last) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) && typeof (parsed as { ok?: unknown }).ok === "boolean") {
      return parsed as VerificationSummary;
    }
  } catch {
    // reported below
  }
  return {
    ok: false,
    openclaw: "",
    audit: {},
    listeners: [],
    ufw: "",
    serve: "",
    modes: "",
    telegram: "",
    problems: [`the verification step printed no summary; its last line: ${JSON.stringify(last.slice(0, 200))}`],
  };
}

/** The setup steps on the server; the package's top-level component is OpenClawGateway (components/openclawGateway.ts). */
export class GatewaySetup extends pulumi.ComponentResource {
  /** What the deploy gate found on the server. */
  public readonly verification: pulumi.Output<VerificationSummary>;

  constructor(name: string, args: GatewaySetupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openclaw-vps:gateway:GatewaySetup", name, {}, opts);

    const connection: command.types.input.remote.ConnectionArgs = {
      host: args.host,
      user: ADMIN_USER,
      privateKey: args.privateKey,
      // Only the server this stack created: another machine answering at the address (a
      // stale device with the same name, any tailnet member) is refused before anything is
      // sent. Without it pulumi-command accepts any host key.
      hostKey: args.hostKey,
      // The host is known to answer (see wait below); these cover a slow tailnet path.
      dialErrorLimit: 20,
      perDialTimeout: 30,
    };
    const remote = (
      step: string,
      create: string,
      triggers: pulumi.Input<unknown>[],
      dependsOn: pulumi.Resource[],
      extra: Partial<command.remote.CommandArgs> = {},
    ) =>
      new command.remote.Command(
        `${name}-${step}`,
        {
          connection,
          create,
          triggers,
          // Previous output would be sent with SSH SetEnv, which sshd refuses (no AcceptEnv).
          addPreviousOutputInEnv: false,
          ...extra,
        },
        // Each step needs the one before it on the same server.
        { parent: this, dependsOn },
      );

    // Remote commands retry their dial only briefly (pulumi-command 1.2.1: waits from 0.1 s,
    // growing to at most 5 s, over dialErrorLimit + 1 attempts), so wait on this machine first.
    const wait = new command.local.Command(
      `${name}-wait`,
      {
        // With the pinned key: a host showing another key stops the deployment here, explained.
        create: pulumi
          .all([args.host, args.hostKey])
          .apply(([host, hostKey]) => helperCommand("wait-for-host", host, "22", String(HOST_WAIT_SECONDS), hostKey)),
        // A new server is waited for again (the server must exist before anyone can wait).
        triggers: [args.serverId],
        addPreviousOutputInEnv: false,
        dir: localCommandDir(),
      },
      { parent: this, ignoreChanges: LOCAL_COMMAND_IGNORE },
    );

    // Asked on every preview and up: is the server still what this deployment rendered?
    // Its epoch changes only when it is not (or on a new server).
    const drift = driftCheck(
      args.resourceKind ?? "dynamic",
      `${name}-drift-check`,
      { host: args.host, hostKey: args.hostKey, privateKey: args.privateKey, serverId: args.serverId },
      { parent: this },
    );
    const epoch = drift.epoch;

    const files = gatewayFiles(args.settings);
    const bundle = renderFilesBundle(files);
    const text = (path: string) => files.find((f) => f.path === path)?.content ?? "";
    // First boot must have finished before anything is installed: the same SSH session
    // waits for cloud-init (with a progress line on stderr every 20 s: components/firstBoot.ts),
    // checks the bootstrap's marker, then installs the files.
    const firstBootDone = firstBootWait();
    const filesTriggers = [args.serverId, contentHash(bundle), epoch];
    const filesStep = remote("files", `${firstBootDone} sudo bash -s`, filesTriggers, [wait], { stdin: bundle });

    // The host's own settings (sshd, UFW, Docker and its guard, journald, ...), which first
    // boot wrote from the user data, put back as rendered today (gateway/hostStep.ts).
    const coding = args.settings.coding !== undefined;
    const hostBundle = renderHostStep(renderManifest(files, coding), coding);
    const hostTriggers = [args.serverId, contentHash(hostBundle), epoch];
    const hostStep = remote("host", "sudo bash -s", hostTriggers, [filesStep], { stdin: hostBundle });

    const installTriggers = [args.serverId, args.openclawVersion, contentHash(text(STEP_SCRIPTS.install))];
    const install = remote(
      "install",
      `sudo ${shellCommand([STEP_SCRIPTS.install, args.openclawVersion])}`,
      installTriggers,
      [hostStep],
    );

    // With coding, the step also sets up the coder's network and proxy, and runs again when
    // their files change; without it, command and triggers are as they always were.
    const codingHash = coding ? [contentHash(...files.filter((f) => f.artifact.startsWith("coding/") || f.artifact.includes("coder-") || f.artifact === "scripts/coding-egress.sh").map((f) => f.content))] : [];
    const sandboxTriggers = [args.serverId, args.sandboxImage, contentHash(text(STEP_SCRIPTS.sandbox)), ...codingHash];
    const sandbox = remote(
      "sandbox",
      `sudo ${shellCommand([STEP_SCRIPTS.sandbox, args.sandboxImage, ...(coding ? ["coding"] : [])])}`,
      sandboxTriggers,
      [hostStep],
    );

    // restoreOnRebuild: a command tied to this server. When the server is replaced (delete
    // before replace), the engine deletes the dependents that are replaced with it first,
    // deepest first (step_generator.go calculateDependentReplacements): so this command's
    // delete fetches the old server's state while it still exists (and is still on the
    // tailnet: the host makes it depend on the device), and its create restores it on the new
    // one before configure writes the current config and secrets.
    const beforeConfigure: pulumi.Resource[] = [install, sandbox];
    const carried = args.carryState;
    if (carried) {
      const carry = new command.local.Command(
        `${name}-carry`,
        {
          create: helperCommand("carry-state", "restore", carried.deployment),
          // The same server with other inputs (a rotated deploy key, the helper's path, the
          // identity added): nothing to carry, and no restore over the running state.
          update: helperCommand("carry-state", "unchanged", carried.deployment),
          delete: helperCommand("carry-state", "fetch", carried.deployment),
          triggers: [args.serverId],
          // The key and the host reach the script through its environment, on this machine
          // only; so does who this deployment is (a fetch recorded before it had one knows
          // only the name it was given then, which other deployments could share).
          environment: pulumi.secret(
            pulumi.all([args.host, args.privateKey, args.hostKey]).apply(([host, key, hostKey]) => ({
              OPENCLAW_VPS_HOST: host,
              OPENCLAW_VPS_DEPLOY_KEY: key,
              OPENCLAW_VPS_HOST_KEY: hostKey,
              OPENCLAW_VPS_DEPLOYMENT: JSON.stringify(carried.identity),
            })),
          ),
          addPreviousOutputInEnv: false,
          dir: localCommandDir(),
        },
        { parent: this, dependsOn: [install, sandbox], ignoreChanges: LOCAL_COMMAND_IGNORE },
      );
      beforeConfigure.splice(0, beforeConfigure.length, carry);
    }
    // restoreFrom offsite: a step tied to this server, which needs nothing of the old one (it
    // may be gone): on a server without state, the newest off-site backup is restored before
    // configure; a server that has state is left alone (offsite.sh), so adding this to a
    // running deployment restores nothing.
    if (args.offsiteRestore) {
      const restore = remote("offsite-restore", `sudo ${shellCommand([STEP_SCRIPTS.offsite, "restore"])}`, [args.serverId], [install, sandbox], {
        // The identity travels on stdin only, never in the command line.
        stdin: args.offsiteRestore,
      });
      beforeConfigure.splice(0, beforeConfigure.length, restore);
    }

    const configHash = contentHash(renderOpenclawJson(args.settings), bundle);
    const configureTriggers: pulumi.Input<unknown>[] = [
      args.serverId,
      configHash,
      args.openclawVersion,
      args.sandboxImage,
      // A rotated secret (e.g. a new gateway token) re-runs this step; the hash stays secret.
      pulumi.secret(args.envFile.apply((env) => contentHash(env))),
      epoch,
    ];
    const configure = remote(
      "configure",
      `sudo ${shellCommand([STEP_SCRIPTS.configure, args.hostname])}`,
      configureTriggers,
      beforeConfigure,
      // Secrets travel on stdin, never in the command line.
      { stdin: args.envFile },
    );

    // Verification checks what every step before it applied: it re-runs when any of their
    // triggers changes, and only then. Between runs the server checks itself daily.
    const verifyCommand = `sudo ${shellCommand([STEP_SCRIPTS.verify, args.openclawVersion])}`;
    const verify = remote(
      "verify",
      verifyCommand,
      [...filesTriggers, ...hostTriggers, ...installTriggers, ...sandboxTriggers, ...configureTriggers],
      [configure],
      { update: verifyCommand },
    );

    this.verification = verify.stdout.apply(verificationSummary);
    this.registerOutputs({ verification: this.verification });
  }
}
