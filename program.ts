/**
 * The whole program: config → providers → components → stack outputs. `index.ts` runs it
 * for Pulumi; tests and `npm run plan` run it under the SDK's mock runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig, loadConfig } from "./config";
import { GatewaySettings, contentHash, gatewayArtifacts, renderEnvFile, sandboxImageTag } from "./gateway";
import { HOST_WAIT_SECONDS, OpenClawGateway } from "./components/gateway";
import { RebuildGuard } from "./components/rebuildGuard";
import { TailnetDevice } from "./components/tailnetDevice";
import { ADMIN_USER, hostFiles, renderCloudInit } from "./cloud-init";
import { DenyAllFirewall } from "./components/firewall";
import { DeployKey } from "./components/deployKey";
import { HostKey, knownHostsLine } from "./components/hostKey";
import { GatewayToken } from "./components/gatewayToken";
import { hcloudLabels } from "./components/labels";
import { cloudTarget, tailscaleProvider } from "./components/providers";
import { IMAGES, Server } from "./components/server";
import { TailscaleAuthKey } from "./components/tailscaleAuthKey";

/** Logical names never depend on config, so changing a value never renames (and replaces) a resource. */
const NAME = "openclaw";

export interface Program {
  /** The stack outputs. */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
  /** Every rendered artifact by file name, for `npm run plan -- --out`. */
  readonly artifacts: Record<string, pulumi.Input<string>>;
}

/** The gateway's settings, from the validated config: plain values only. */
export function gatewaySettings(cfg: StackConfig): GatewaySettings {
  return {
    tailnetHost: `${cfg.hostname}.${cfg.tailnet}`,
    telegram: cfg.secretsSet.has("telegramBotToken")
      ? { dmPolicy: cfg.telegramDmPolicy, ownerId: cfg.telegramOwnerId }
      : undefined,
    models: { anthropic: cfg.secretsSet.has("anthropicApiKey"), openai: cfg.secretsSet.has("openaiApiKey") },
    sandboxImage: sandboxImageTag(),
    sandboxNetwork: cfg.sandboxNetwork,
  };
}

export function build(env: Readonly<Record<string, string | undefined>> = process.env): Program {
  // Validate everything before the first resource is registered.
  const cfg = loadConfig(env);
  const target = cloudTarget(cfg.cloud, cfg.providerCredentials);
  const labels = hcloudLabels(cfg.project, cfg.stack);

  const firewall = new DenyAllFirewall(`${NAME}-firewall`, {
    target,
    labels,
    project: cfg.project,
    stack: cfg.stack,
  });

  const deployKey = new DeployKey(`${NAME}-deploy`, { target, labels });
  // Installed at first boot, pinned by every step (components/hostKey.ts).
  const hostKey = new HostKey(`${NAME}-host-key`);

  // The server's generation: everything that replaces it. A new generation is a new server
  // with a fresh auth key; with protect on, the guard refuses it (components/rebuildGuard.ts).
  const guard = new RebuildGuard(`${NAME}-rebuild-guard`, {
    generation: deployKey.publicKeyOpenssh.apply((pub) =>
      contentHash(cfg.cloud, cfg.location, IMAGES[cfg.cloud], String(cfg.serverGeneration), pub.trim()),
    ),
    protect: cfg.protect,
  });
  const generation = guard.generation;

  // Only with API credentials: mints the auth key and finds the device's address.
  const tailscaleApi = cfg.tailscaleAuth.kind === "mint" ? tailscaleProvider(cfg.providerCredentials) : undefined;
  const authKey = new TailscaleAuthKey(
    `${NAME}-tailscale`,
    tailscaleApi
      ? {
          kind: "mint",
          provider: tailscaleApi,
          tags: cfg.tailscaleTags,
          // Every input of a key replaces it: naming the generation mints one per server.
          description: generation.apply((g) => `${cfg.project}/${cfg.stack} ${cfg.hostname} g${g.slice(0, 8)}`),
        }
      : { kind: "supplied", key: requireDefined(cfg.secrets.tailscaleAuthKey, "tailscaleAuthKey") },
  );

  const cloudInitInput = pulumi
    .all([authKey.key, deployKey.publicKeyOpenssh, generation, hostKey.privateKeyOpenssh, hostKey.publicKeyOpenssh])
    .apply(([key, deployPub, gen, hostPrivate, hostPublic]) => ({
      hostname: cfg.hostname,
      adminKeys: [deployPub, ...cfg.operatorSshKeys],
      hostKey: { privateKey: hostPrivate, publicKey: hostPublic },
      tailscale: { authKey: key, tags: cfg.tailscaleTags },
      generation: gen,
    }));
  const userData = pulumi.secret(cloudInitInput.apply(renderCloudInit));

  const server = new Server(`${NAME}-server`, {
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
  });

  const token = new GatewayToken(`${NAME}-gateway-token`, { version: cfg.gatewayTokenVersion });

  const tailnetHost = `${cfg.hostname}.${cfg.tailnet}`;
  const gatewayUrl = `https://${tailnetHost}/`;
  const keyFile = `~/.ssh/${cfg.project}-${cfg.stack}`;
  const ssh = `ssh -i ${keyFile} ${ADMIN_USER}@${tailnetHost}`;

  const settings = gatewaySettings(cfg);
  const envFile = pulumi.secret(
    pulumi
      .all([token.value, cfg.secrets.telegramBotToken, cfg.secrets.anthropicApiKey, cfg.secrets.openaiApiKey])
      .apply(([gatewayToken, telegramBotToken, anthropicApiKey, openaiApiKey]) =>
        renderEnvFile({ gatewayToken, telegramBotToken, anthropicApiKey, openaiApiKey }),
      ),
  );

  // With API credentials, connect to the address of the device this server registered
  // (found by identity, removed with the server); otherwise to its MagicDNS name.
  const device = tailscaleApi
    ? new TailnetDevice(`${NAME}-tailnet-device`, {
        serverId: server.serverId,
        hostname: cfg.hostname,
        tags: cfg.tailscaleTags,
        waitSeconds: HOST_WAIT_SECONDS,
        credentials: cfg.providerCredentials,
      })
    : undefined;
  const host: pulumi.Input<string> = device ? device.address : tailnetHost;

  const gateway = new OpenClawGateway(`${NAME}-gateway`, {
    host,
    privateKey: deployKey.privateKeyOpenssh,
    hostKey: hostKey.publicKeyOpenssh,
    openclawVersion: cfg.openclawVersion,
    settings,
    sandboxImage: settings.sandboxImage,
    hostname: cfg.hostname,
    envFile,
    serverId: server.serverId,
    carryState: cfg.restoreOnRebuild ? `${cfg.project}-${cfg.stack}` : undefined,
  });

  const artifacts: Record<string, pulumi.Input<string>> = {
    "cloud-init.yaml": userData,
  };
  for (const file of hostFiles()) artifacts[file.artifact] = file.content;
  for (const [name, content] of Object.entries(gatewayArtifacts(settings))) artifacts[name] = content;

  return {
    outputs: {
      cloud: cfg.cloud,
      serverId: server.serverId,
      publicIpv4: server.publicIpv4,
      tailnetHost,
      gatewayUrl,
      // The Control UI reads the token from the fragment, which browsers never send to a server.
      gatewayUrlWithToken: pulumi.secret(pulumi.interpolate`${gatewayUrl}#token=${token.value}`),
      gatewayToken: token.value,
      sshCommand: ssh,
      // The server's host key, for ~/.ssh/known_hosts: `ssh` then knows it is the server.
      sshHostKey: hostKey.publicKeyOpenssh,
      sshKnownHosts: hostKey.publicKeyOpenssh.apply((k) => knownHostsLine(tailnetHost, k)),
      deployPrivateKey: deployKey.privateKeyOpenssh,
      verification: gateway.verification,
      telegramPairing: settings.telegram
        ? `list: ${ssh} sudo -u openclaw -H openclaw pairing list telegram | ` +
          `approve: ${ssh} sudo -u openclaw -H openclaw pairing approve telegram <CODE> | ` +
          "or: npm run pair -- telegram [CODE]"
        : "Telegram is off (set telegramBotToken)",
      devicePairing:
        `list: ${ssh} sudo -u openclaw -H openclaw devices list | ` +
        `approve: ${ssh} sudo -u openclaw -H openclaw devices approve <requestId> | ` +
        "or: npm run pair -- devices [requestId]",
    },
    artifacts,
  };
}

function requireDefined<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`internal: ${key} validated as set but not read`);
  return value;
}
