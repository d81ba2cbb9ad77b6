/**
 * The program: the stack config → one OpenClawGateway (components/openclawGateway.ts, the
 * package's component) → stack outputs. `index.ts` runs it for Pulumi; tests and
 * `npm run plan` run it under the SDK's mock runtime. It is one consumer of the package:
 * another program builds the same gateway from the same settings (docs/package.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { OpenClawGatewayArgs, StackConfig, loadConfig } from "./config";
import { DEFAULT_NAME, OpenClawGateway, renderedArtifacts } from "./components/openclawGateway";

export { gatewaySettings } from "./components/openclawGateway";

/** Logical names never depend on config, so changing a value never renames (and replaces) a resource. */
const NAME = DEFAULT_NAME;

export interface Program {
  /** The stack outputs. */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
  /** Every rendered artifact by file name, for `npm run plan -- --out`. */
  readonly artifacts: Record<string, pulumi.Input<string>>;
}

/** The component's settings from the validated stack config: the same keys, typed. */
export function stackSettings(cfg: StackConfig): OpenClawGatewayArgs {
  const c = cfg.providerCredentials;
  return {
    tailnet: cfg.tailnet,
    cloud: cfg.cloud,
    serverType: cfg.serverType,
    location: cfg.location,
    hostname: cfg.hostname,
    backups: cfg.backups,
    protect: cfg.protect,
    tailscaleTags: [...cfg.tailscaleTags],
    openclawVersion: cfg.openclawVersion,
    telegramOwnerId: cfg.telegramOwnerId,
    telegramDmPolicy: cfg.telegramDmPolicy,
    sandboxNetwork: cfg.sandboxNetwork,
    operatorSshKeys: [...cfg.operatorSshKeys],
    gatewayTokenVersion: cfg.gatewayTokenVersion,
    serverGeneration: cfg.serverGeneration,
    restoreOnRebuild: cfg.restoreOnRebuild,
    restoreFrom: cfg.restoreFrom,
    tailnetPolicy: cfg.tailnetPolicy,
    ...(cfg.offsite
      ? { offsiteBackupEndpoint: cfg.offsite.endpoint, offsiteBackupBucket: cfg.offsite.bucket, offsiteBackupPrefix: cfg.offsite.prefix, offsiteBackupKeep: cfg.offsite.keep }
      : {}),
    offsiteBackupAccessKey: cfg.secrets.offsiteBackupAccessKey,
    offsiteBackupSecretKey: cfg.secrets.offsiteBackupSecretKey,
    offsiteBackupAgeIdentity: cfg.secrets.offsiteBackupAgeIdentity,
    coding: cfg.coding !== undefined,
    ...(cfg.coding
      ? { gitAuthorName: cfg.coding.gitAuthorName, gitAuthorEmail: cfg.coding.gitAuthorEmail, codingRepositories: [...cfg.coding.repositories], codingApprovalTimeout: cfg.coding.approvalTimeoutSeconds }
      : {}),
    githubToken: cfg.secrets.githubToken,
    githubReadToken: cfg.secrets.githubReadToken,
    telegramCoderBotToken: cfg.secrets.telegramCoderBotToken,
    heartbeatUrl: cfg.secrets.heartbeatUrl,
    // With API credentials the stack's auth key is ignored (loadConfig warns): not handed on.
    tailscaleAuthKey: cfg.tailscaleAuth.kind === "supplied" ? cfg.secrets.tailscaleAuthKey : undefined,
    telegramBotToken: cfg.secrets.telegramBotToken,
    anthropicApiKey: cfg.secrets.anthropicApiKey,
    openaiApiKey: cfg.secrets.openaiApiKey,
    hcloudToken: c.hcloudToken,
    digitaloceanToken: c.digitaloceanToken,
    tailscaleApiKey: c.tailscaleApiKey,
    tailscaleOauthClientId: c.tailscaleOauthClientId,
    tailscaleOauthClientSecret: c.tailscaleOauthClientSecret,
    tailscaleTailnet: c.tailscaleTailnet,
  };
}

export function build(env: Readonly<Record<string, string | undefined>> = process.env): Program {
  // The stack config is validated whole (unknown keys, plain-text secrets, every value)
  // before the component validates its settings and registers anything.
  const cfg = loadConfig(env);
  // formerLayout: stacks deployed before the component existed keep their resources.
  const gateway = new OpenClawGateway(NAME, stackSettings(cfg), undefined, { env, formerLayout: true, dynamicGuard: true });
  return {
    outputs: {
      cloud: gateway.cloud,
      serverId: gateway.serverId,
      publicIpv4: gateway.publicIpv4,
      tailnetHost: gateway.tailnetHost,
      gatewayUrl: gateway.gatewayUrl,
      gatewayUrlWithToken: gateway.gatewayUrlWithToken,
      gatewayToken: gateway.gatewayToken,
      sshCommand: gateway.sshCommand,
      sshHostKey: gateway.sshHostKey,
      sshKnownHosts: gateway.sshKnownHosts,
      deployPrivateKey: gateway.deployPrivateKey,
      verification: gateway.verification,
      // This repository's `npm run pair` does both, for this program's stacks.
      telegramPairing: cfg.secretsSet.has("telegramBotToken")
        ? gateway.telegramPairing.apply((how) => `${how} | or: npm run pair -- telegram [CODE]`)
        : gateway.telegramPairing,
      devicePairing: gateway.devicePairing.apply((how) => `${how} | or: npm run pair -- devices [requestId]`),
    },
    artifacts: renderedArtifacts(gateway),
  };
}
