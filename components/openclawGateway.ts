/**
 * The package's one public component: a whole private OpenClaw gateway (deny-all firewall,
 * server, tailnet join, the gateway set up and verified over SSH). It takes the stack
 * config's settings (config/settings.ts), validates all of them before registering anything,
 * and owns every resource below it. This repository's program (program.ts) is one consumer;
 * other programs use it through `pulumi package add` (docs/package.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, GatewayConfig, OpenClawGatewayArgs, gatewayConfig } from "../config/settings";
import { ageRecipient } from "../config/age";
import { GatewaySettings, contentHash, gatewayArtifacts, renderEnvFile, sandboxImageTag } from "../gateway";
import { ADMIN_USER, hostFiles, renderCloudInit } from "../cloud-init";
import { GATEWAY_SETUP_FORMER_TYPE, GatewaySetup, HOST_WAIT_SECONDS, VerificationSummary } from "./gateway";
import { rebuildGuard } from "./rebuildGuard";
import { TailnetDevice } from "./tailnetDevice";
import { TailnetPolicy, wantedPolicy } from "./tailnetPolicy";
import { DenyAllFirewall } from "./firewall";
import { DeployKey } from "./deployKey";
import { HostKey, knownHostsLine } from "./hostKey";
import { GatewayToken } from "./gatewayToken";
import { hcloudLabels } from "./labels";
import { cloudTarget, tailscaleProvider } from "./providers";
import { IMAGES, Server } from "./server";
import { TailscaleAuthKey } from "./tailscaleAuthKey";

export type { OpenClawGatewayArgs } from "../config/settings";
export type { AuditCounts, VerificationSummary } from "./gateway";

/**
 * How to see and answer one kind of pairing request: each a whole command to paste (over the
 * tailnet, with the server's pinned key), the placeholder in <angle brackets> to replace.
 */
export interface PairingCommands {
  /** Whether this kind of pairing is on (Telegram: a bot token is set). */
  readonly enabled: boolean;
  /** Lists the pending requests (when enabled). */
  readonly list?: string;
  /** Approves one request (when enabled). */
  readonly approve?: string;
  /** Why it is off and how to turn it on (when not enabled). */
  readonly note?: string;
}

/** The name this repository's program gives its gateway. */
export const DEFAULT_NAME = "openclaw";

/**
 * What project, stack and component names may hold: Pulumi's own rule for project and stack
 * names (tokens.IsName, ParseStackName: letters, digits, `_`, `.`, `-`), which the
 * component's names keep to as well. `+` is not among them.
 */
export const NAME_PART = /^[A-Za-z0-9_.-]+$/;

/**
 * The deployment's name on the operator's machine: the carried state's directory
 * (~/.local/state/openclaw-vps/<name>) and the deploy key's file (~/.ssh/<name>). One name
 * per deployment, never another's:
 * - the default gateway of a stack whose name has no `-`: `<project>-<stack>`, as it always
 *   was (`openclaw-vps-prod`): the last `-` is the stack's, so it reads back one way only;
 * - every other: `<project>+<stack>`, or `<project>+<stack>+<name>` for a gateway not named
 *   `openclaw` (`acme+prod-eu`, `acme+prod+eu`). No part can hold a `+`, and the names of
 *   the first kind have none.
 * The former names joined the parts with `-` alone, so `acme-prod-eu` was the name of
 * three deployments (formerDeploymentName).
 */
export function deploymentName(project: string, stack: string, name: string): string {
  if (name === DEFAULT_NAME) return stack.includes("-") ? `${project}+${stack}` : `${project}-${stack}`;
  return `${project}+${stack}+${name}`;
}

/**
 * The name releases before deploymentName gave a deployment: the parts joined by `-`, which
 * several deployments could share. Still the name of what is not on the operator's machine
 * and was named once for good: the default off-site prefix (its backups are there) and the
 * label of the tailnet policy's entries. The carried state looks for it (carry-state.js).
 */
export function formerDeploymentName(project: string, stack: string, name: string): string {
  return name === DEFAULT_NAME ? `${project}-${stack}` : `${project}-${stack}-${name}`;
}

/** What a program supplies besides the settings. */
export interface GatewayHost {
  /** Where unset provider credentials come from, as the providers read them (their environment variables). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The stack may have been deployed by this repository's program before the component existed. */
  readonly formerLayout?: boolean;
  /**
   * This repository's program: the rebuild guard is a dynamic resource, run from this
   * repository's node_modules. Elsewhere (the package's plugin) the package serves it.
   */
  readonly dynamicGuard?: boolean;
}

/** The package's type token: `<package name>:index:<class name>`, as the component provider requires. */
export const OPENCLAW_GATEWAY_TYPE = "openclaw-vps:index:OpenClawGateway";

/** The gateway's settings, from the validated config: plain values only. */
export function gatewaySettings(cfg: GatewayConfig): GatewaySettings {
  return {
    tailnetHost: `${cfg.hostname}.${cfg.tailnet}`,
    telegram: cfg.secretsSet.has("telegramBotToken")
      ? { dmPolicy: cfg.telegramDmPolicy, ownerId: cfg.telegramOwnerId }
      : undefined,
    models: { anthropic: cfg.secretsSet.has("anthropicApiKey"), openai: cfg.secretsSet.has("openaiApiKey") },
    sandboxImage: sandboxImageTag(cfg.coding !== undefined),
    ...(cfg.offsite ? { offsite: true } : {}),
    sandboxNetwork: cfg.sandboxNetwork,
    ...(cfg.coding && cfg.telegramOwnerId
      ? {
          coding: {
            ownerId: cfg.telegramOwnerId,
            gitAuthorName: cfg.coding.gitAuthorName,
            gitAuthorEmail: cfg.coding.gitAuthorEmail,
            repositories: cfg.coding.repositories,
            approvalTimeoutSeconds: cfg.coding.approvalTimeoutSeconds,
            readToken: cfg.secretsSet.has("githubReadToken"),
          },
        }
      : {}),
  };
}

/** What each gateway rendered, by file name, for `npm run plan -- --out` (not part of the package's schema). */
const ARTIFACTS = new WeakMap<OpenClawGateway, Record<string, pulumi.Input<string>>>();
export function renderedArtifacts(gateway: OpenClawGateway): Record<string, pulumi.Input<string>> {
  const artifacts = ARTIFACTS.get(gateway);
  if (!artifacts) throw new Error("internal: no artifacts recorded for this gateway");
  return artifacts;
}

/**
 * A private OpenClaw gateway on a Hetzner or DigitalOcean server: no inbound port open to
 * the internet, reached only over your tailnet, verified by OpenClaw's own security audit.
 */
export class OpenClawGateway extends pulumi.ComponentResource {
  /** The cloud the server runs on. */
  public readonly cloud: pulumi.Output<string>;
  /** The cloud's id for the server. */
  public readonly serverId: pulumi.Output<string>;
  /** The server's public IPv4 address: every inbound port on it is closed. */
  public readonly publicIpv4: pulumi.Output<string>;
  /** The server's name on the tailnet. */
  public readonly tailnetHost: pulumi.Output<string>;
  /** The Control UI, on the tailnet only. */
  public readonly gatewayUrl: pulumi.Output<string>;
  /** The Control UI with the gateway token in its fragment (secret). */
  public readonly gatewayUrlWithToken: pulumi.Output<string>;
  /** The gateway token (secret). */
  public readonly gatewayToken: pulumi.Output<string>;
  /** How to reach the server's shell over the tailnet. */
  public readonly sshCommand: pulumi.Output<string>;
  /** The server's SSH host key. */
  public readonly sshHostKey: pulumi.Output<string>;
  /** The host key as a known_hosts line for the tailnet name. */
  public readonly sshKnownHosts: pulumi.Output<string>;
  /** The deploy key's private half (secret). */
  public readonly deployPrivateKey: pulumi.Output<string>;
  /** What the deploy gate found on the server: audit counts, Serve, listeners, problems. */
  public readonly verification: pulumi.Output<VerificationSummary>;
  /** The commands that list and approve Telegram pairing requests. */
  public readonly telegramPairing: pulumi.Output<PairingCommands>;
  /** The commands that list and approve device pairing requests. */
  public readonly devicePairing: pulumi.Output<PairingCommands>;

  /**
   * @param around what the program around the component supplies that is not a setting (this
   *   repository's program and its tests pass it; the package's plugin never does).
   */
  constructor(name: string, args: OpenClawGatewayArgs, opts?: pulumi.ComponentResourceOptions, around: GatewayHost = {}) {
    // Every setting is checked before anything is registered, the component itself included.
    const cfg = validated(name, args, around.env ?? process.env);
    super(OPENCLAW_GATEWAY_TYPE, name, {}, opts);
    // On the operator's machine (the carried state, the deploy key's file): one name per
    // deployment. Elsewhere the name it was given before stays (formerDeploymentName).
    const deployment = deploymentName(cfg.project, cfg.stack, name);
    const formerName = formerDeploymentName(cfg.project, cfg.stack, name);

    // Stacks this repository's program deployed before the component existed hold its
    // children at the top level of the stack: the alias keeps them (and, through the engine's
    // inherited aliases, their own children) the same resources instead of replacing the
    // server. Only for that program: in another one, a top-level provider named hcloud is
    // its own, and an alias would claim it.
    const formerly = (alias: pulumi.Alias): pulumi.Alias[] => (around.formerLayout ? [alias] : []);
    const moved: pulumi.Alias = { parent: pulumi.rootStackResource };
    const child = (aliases: pulumi.Alias[] = formerly(moved)): pulumi.ResourceOptions => ({ parent: this, aliases });

    const target = cloudTarget(name, cfg.cloud, cfg.providerCredentials, child());
    const labels = hcloudLabels(cfg.project, cfg.stack);

    const firewall = new DenyAllFirewall(
      `${name}-firewall`,
      { target, labels, project: cfg.project, stack: cfg.stack },
      child(),
    );

    const deployKey = new DeployKey(`${name}-deploy`, { target, labels }, child());
    // Installed at first boot, pinned by every step (components/hostKey.ts).
    const hostKey = new HostKey(`${name}-host-key`, child());

    // The server's generation: everything that replaces it. A new generation is a new server
    // with a fresh auth key; with protect on, the guard refuses it (components/rebuildGuard.ts).
    const guard = rebuildGuard(
      around.dynamicGuard ? "dynamic" : "package",
      `${name}-rebuild-guard`,
      {
        generation: deployKey.publicKeyOpenssh.apply((pub) =>
          contentHash(cfg.cloud, cfg.location, IMAGES[cfg.cloud], String(cfg.serverGeneration), pub.trim()),
        ),
        protect: cfg.protect,
      },
      child(),
    );
    const generation = guard.generation;

    // Only with API credentials: mints the auth key and finds the device's address.
    const tailscaleApi = cfg.tailscaleAuth.kind === "mint" ? tailscaleProvider(name, cfg.providerCredentials, child()) : undefined;
    // tailnetPolicy: the policy owns the server's tags before a key for them is minted.
    const policy =
      tailscaleApi && cfg.tailnetPolicy !== "unmanaged"
        ? new TailnetPolicy(`${name}-tailnet-policy`, { want: wantedPolicy(formerName, cfg.tailscaleTags, cfg.tailnetPolicy), credentials: cfg.providerCredentials }, child())
        : undefined;
    const authKey = new TailscaleAuthKey(
      `${name}-tailscale`,
      tailscaleApi
        ? {
            kind: "mint",
            provider: tailscaleApi,
            tags: cfg.tailscaleTags,
            // Every input of a key replaces it: naming the generation mints one per server.
            description: generation.apply((g) => `${cfg.project}/${cfg.stack} ${cfg.hostname} g${g.slice(0, 8)}`),
            after: policy ? [policy] : [],
          }
        : { kind: "supplied", key: requireDefined(cfg.secrets.tailscaleAuthKey, "tailscaleAuthKey") },
      child(),
    );

    // Every credential is part of the user data's inputs, so one given as an output that
    // turns out malformed stops the deployment before the server exists (config/settings.ts).
    const credentials = [...Object.values(cfg.secrets), ...Object.values(cfg.providerCredentials).filter((c) => pulumi.Output.isInstance(c))];
    const checked = pulumi.all(credentials).apply(() => true);
    const cloudInitInput = pulumi
      .all([authKey.key, deployKey.publicKeyOpenssh, generation, hostKey.privateKeyOpenssh, hostKey.publicKeyOpenssh, checked])
      .apply(([key, deployPub, gen, hostPrivate, hostPublic]) => ({
        hostname: cfg.hostname,
        adminKeys: [deployPub, ...cfg.operatorSshKeys],
        hostKey: { privateKey: hostPrivate, publicKey: hostPublic },
        tailscale: { authKey: key, tags: cfg.tailscaleTags },
        generation: gen,
      }));
    const userData = pulumi.secret(cloudInitInput.apply(renderCloudInit));

    const server = new Server(
      `${name}-server`,
      {
        target,
        hostname: cfg.hostname,
        serverType: cfg.serverType,
        location: cfg.location,
        backups: cfg.backups,
        protect: cfg.protect,
        firewall,
        sshKeyRef: deployKey.cloudKeyRef,
        userData,
        generation,
        labels,
      },
      child(),
    );

    const token = new GatewayToken(`${name}-gateway-token`, { version: cfg.gatewayTokenVersion }, child());

    const tailnetHost = `${cfg.hostname}.${cfg.tailnet}`;
    const gatewayUrl = `https://${tailnetHost}/`;
    const keyFile = `~/.ssh/${deployment}`;
    const ssh = `ssh -i ${keyFile} ${ADMIN_USER}@${tailnetHost}`;

    const settings = gatewaySettings(cfg);
    const envFile = pulumi.secret(
      pulumi
        .all([
          token.value,
          cfg.secrets.telegramBotToken,
          cfg.secrets.anthropicApiKey,
          cfg.secrets.openaiApiKey,
          cfg.secrets.telegramCoderBotToken,
          cfg.secrets.githubToken,
          cfg.secrets.githubReadToken,
          cfg.secrets.heartbeatUrl,
          cfg.secrets.offsiteBackupAccessKey,
          cfg.secrets.offsiteBackupSecretKey,
          cfg.secrets.offsiteBackupAgeIdentity,
        ])
        .apply(([gatewayToken, telegramBotToken, anthropicApiKey, openaiApiKey, telegramCoderBotToken, githubToken, githubReadToken, heartbeatUrl, offsiteAccessKey, offsiteSecretKey, identity]) =>
          renderEnvFile({
            gatewayToken,
            telegramBotToken,
            anthropicApiKey,
            openaiApiKey,
            telegramCoderBotToken,
            githubToken,
            githubReadToken,
            heartbeatUrl,
            // Off-site backups: where, and the recipient (the identity's public half) only.
            ...(cfg.offsite && identity
              ? {
                  offsiteEndpoint: cfg.offsite.endpoint,
                  offsiteBucket: cfg.offsite.bucket,
                  // The former name: the backups already in the bucket are under it.
                  offsitePrefix: cfg.offsite.prefix || formerName,
                  offsiteKeep: String(cfg.offsite.keep),
                  offsiteRecipient: requireDefined(ageRecipient(identity), "offsiteBackupAgeIdentity"),
                  offsiteAccessKey,
                  offsiteSecretKey,
                }
              : {}),
          }),
        ),
    );
    // restoreFrom offsite: what the new server's restore step reads on stdin, the off-site
    // settings and, for this one step, the identity that decrypts them.
    const offsiteRestore =
      cfg.restoreOnRebuild && cfg.restoreFrom === "offsite"
        ? pulumi.secret(
            pulumi.all([envFile, cfg.secrets.offsiteBackupAgeIdentity]).apply(([env, identity]) =>
              [...env.split("\n").filter((l) => l.startsWith("OPENCLAW_VPS_OFFSITE_")), `OPENCLAW_VPS_OFFSITE_IDENTITY=${identity ?? ""}`, ""].join("\n"),
            ),
          )
        : undefined;

    // With API credentials, connect to the address of the device this server registered
    // (found by identity, removed with the server); otherwise to its MagicDNS name.
    const device = tailscaleApi
      ? new TailnetDevice(
          `${name}-tailnet-device`,
          {
            serverId: server.serverId,
            hostname: cfg.hostname,
            tags: cfg.tailscaleTags,
            waitSeconds: HOST_WAIT_SECONDS,
            credentials: cfg.providerCredentials,
          },
          child(),
        )
      : undefined;
    const host: pulumi.Input<string> = device ? device.address : tailnetHost;

    const setup = new GatewaySetup(
      `${name}-gateway`,
      {
        host,
        privateKey: deployKey.privateKeyOpenssh,
        hostKey: hostKey.publicKeyOpenssh,
        openclawVersion: cfg.openclawVersion,
        settings,
        sandboxImage: settings.sandboxImage,
        hostname: cfg.hostname,
        envFile,
        serverId: server.serverId,
        carryState:
          cfg.restoreOnRebuild && cfg.restoreFrom === "carried"
            ? { deployment, identity: { project: cfg.project, stack: cfg.stack, gateway: name, former: formerName } }
            : undefined,
        offsiteRestore,
        resourceKind: around.dynamicGuard ? "dynamic" : "package",
      },
      // Renamed from OpenClawGateway when the package took that name: one alias for both moves.
      child(formerly({ parent: pulumi.rootStackResource, type: GATEWAY_SETUP_FORMER_TYPE })),
    );

    const artifacts: Record<string, pulumi.Input<string>> = { "cloud-init.yaml": userData };
    for (const file of hostFiles()) artifacts[file.artifact] = file.content;
    for (const [file, content] of Object.entries(gatewayArtifacts(settings))) artifacts[file] = content;
    ARTIFACTS.set(this, artifacts);

    this.cloud = pulumi.output(cfg.cloud);
    this.serverId = server.serverId;
    this.publicIpv4 = server.publicIpv4;
    this.tailnetHost = pulumi.output(tailnetHost);
    this.gatewayUrl = pulumi.output(gatewayUrl);
    // The Control UI reads the token from the fragment, which browsers never send to a server.
    this.gatewayUrlWithToken = pulumi.secret(pulumi.interpolate`${gatewayUrl}#token=${token.value}`);
    this.gatewayToken = token.value;
    this.sshCommand = pulumi.output(ssh);
    // The server's host key, for ~/.ssh/known_hosts: `ssh` then knows it is the server.
    this.sshHostKey = hostKey.publicKeyOpenssh;
    this.sshKnownHosts = hostKey.publicKeyOpenssh.apply((k) => knownHostsLine(tailnetHost, k));
    this.deployPrivateKey = deployKey.privateKeyOpenssh;
    this.verification = setup.verification;
    const openclaw = `${ssh} sudo -u openclaw -H openclaw`;
    this.telegramPairing = pulumi.output<PairingCommands>(
      settings.telegram
        ? { enabled: true, list: `${openclaw} pairing list telegram`, approve: `${openclaw} pairing approve telegram <CODE>` }
        : { enabled: false, note: "Telegram is off (set telegramBotToken)" },
    );
    this.devicePairing = pulumi.output<PairingCommands>({
      enabled: true,
      list: `${openclaw} devices list`,
      approve: `${openclaw} devices approve <requestId>`,
    });

    this.registerOutputs({
      cloud: this.cloud,
      serverId: this.serverId,
      publicIpv4: this.publicIpv4,
      tailnetHost: this.tailnetHost,
      gatewayUrl: this.gatewayUrl,
      gatewayUrlWithToken: this.gatewayUrlWithToken,
      gatewayToken: this.gatewayToken,
      sshCommand: this.sshCommand,
      sshHostKey: this.sshHostKey,
      sshKnownHosts: this.sshKnownHosts,
      deployPrivateKey: this.deployPrivateKey,
      verification: this.verification,
      telegramPairing: this.telegramPairing,
      devicePairing: this.devicePairing,
    });
  }
}

/** The name (children and files on the operator's machine are named after it) and the settings, validated. */
function validated(name: string, args: OpenClawGatewayArgs, env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
    throw new ConfigError(
      [{ key: "name", given: JSON.stringify(name), expected: "1-63 letters, digits, dots, hyphens and underscores, starting with a letter or digit" }],
      "OpenClawGateway settings",
    );
  }
  const cfg = gatewayConfig(args, env);
  // Pulumi refuses other project and stack names unless its validation is turned off; the
  // deployment's name (deploymentName) is one name per deployment only for these.
  const parts = [
    { key: "project", given: cfg.project },
    { key: "stack", given: cfg.stack },
  ].filter((p) => !NAME_PART.test(p.given));
  if (parts.length > 0) {
    throw new ConfigError(
      parts.map((p) => ({ key: p.key, given: JSON.stringify(p.given), expected: "letters, digits, dots, hyphens and underscores (Pulumi's own rule for the name)" })),
      "OpenClawGateway settings",
    );
  }
  // Two gateways with one tailnet name would fight over it (and over the Hetzner server name).
  const taken = CLAIMED.get(claimKey()) ?? new Map<string, string>();
  const host = `${cfg.hostname}.${cfg.tailnet}`;
  const other = taken.get(host);
  if (other !== undefined && other !== name) {
    throw new ConfigError(
      [{ key: "hostname", given: JSON.stringify(cfg.hostname), expected: `a name no other gateway of this program has on ${cfg.tailnet} (the gateway ${JSON.stringify(other)} has it)` }],
      "OpenClawGateway settings",
    );
  }
  taken.set(host, name);
  CLAIMED.set(claimKey(), taken);
  return cfg;
}

/** The tailnet names the gateways of one deployment use, by the deployment's connection to the engine (one per run). */
const CLAIMED = new WeakMap<object, Map<string, string>>();
const NO_STACK = {};
const claimKey = (): object => (pulumi.runtime.getMonitor() as object | undefined) ?? NO_STACK;

function requireDefined<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`internal: ${key} validated as set but not read`);
  return value;
}
