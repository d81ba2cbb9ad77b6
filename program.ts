/**
 * The whole program: config → providers → components → stack outputs. `index.ts` runs it
 * for Pulumi; tests and `npm run plan` run it under the SDK's mock runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { ADMIN_USER, hostFiles, renderCloudInit } from "./cloud-init";
import { DenyAllFirewall } from "./components/firewall";
import { DeployKey } from "./components/deployKey";
import { GatewayToken } from "./components/gatewayToken";
import { digitaloceanTag, hcloudLabels } from "./components/labels";
import { cloudTarget, tailscaleProvider } from "./components/providers";
import { Server } from "./components/server";
import { TailscaleAuthKey } from "./components/tailscaleAuthKey";

/** Logical names never depend on config, so changing a value never renames (and replaces) a resource. */
const NAME = "openclaw";

export interface Program {
  /** The stack outputs. */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
  /** Every rendered artifact by file name, for `npm run plan -- --out`. */
  readonly artifacts: Record<string, pulumi.Input<string>>;
}

export function build(env: Readonly<Record<string, string | undefined>> = process.env): Program {
  // Validate everything before the first resource is registered.
  const cfg = loadConfig(env);
  const target = cloudTarget(cfg.cloud, cfg.providerCredentials);
  const labels = hcloudLabels(cfg.project, cfg.stack);

  const firewall = new DenyAllFirewall(`${NAME}-firewall`, {
    target,
    labels,
    tagName: digitaloceanTag(cfg.project, cfg.stack),
  });

  const deployKey = new DeployKey(`${NAME}-deploy`, { target, labels });

  const authKey = new TailscaleAuthKey(
    `${NAME}-tailscale`,
    cfg.tailscaleAuth.kind === "mint"
      ? {
          kind: "mint",
          provider: tailscaleProvider(cfg.providerCredentials),
          tags: cfg.tailscaleTags,
          description: `${cfg.project}/${cfg.stack} ${cfg.hostname}`,
        }
      : { kind: "supplied", key: requireDefined(cfg.secrets.tailscaleAuthKey, "tailscaleAuthKey") },
  );

  const cloudInitInput = pulumi
    .all([authKey.key, deployKey.publicKeyOpenssh])
    .apply(([key, deployPub]) => ({
      hostname: cfg.hostname,
      adminKeys: [deployPub, ...cfg.operatorSshKeys],
      tailscale: { authKey: key, tags: cfg.tailscaleTags },
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
    labels,
  });

  const token = new GatewayToken(`${NAME}-gateway-token`, { version: cfg.gatewayTokenVersion });

  const tailnetHost = `${cfg.hostname}.${cfg.tailnet}`;
  const gatewayUrl = `https://${tailnetHost}/`;
  const keyFile = `~/.ssh/${cfg.project}-${cfg.stack}`;

  const artifacts: Record<string, pulumi.Input<string>> = {
    "cloud-init.yaml": userData,
  };
  for (const file of hostFiles()) artifacts[file.artifact] = file.content;

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
      sshCommand: `ssh -i ${keyFile} ${ADMIN_USER}@${tailnetHost}`,
      deployPrivateKey: deployKey.privateKeyOpenssh,
    },
    artifacts,
  };
}

function requireDefined<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`internal: ${key} validated as set but not read`);
  return value;
}
