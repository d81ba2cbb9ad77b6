/**
 * The program: the stack config → one OpenClawGateway (components/openclawGateway.ts, the
 * package's component) → stack outputs. `index.ts` runs it for Pulumi; tests and
 * `npm run plan` run it under the SDK's mock runtime. It is one consumer of the package:
 * another program builds the same gateway from the same settings (docs/package.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { OpenClawGatewayArgs, StackConfig, loadConfig } from "./config";
import { PROVIDER_SETTINGS } from "./config/settings";
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

/**
 * The component's settings from the validated stack config, derived rather than copied: the
 * settings are the stack keys (config/keys.ts) by the same names, so every plain key the
 * stack sets is handed on as its typed value (the component applies the same defaults to
 * the rest), every secret as its secret output, and the providers' credentials by their
 * settings' names. A new key needs no line here (the compiler checks that
 * OpenClawGatewayArgs has it: config/settings.ts, EVERY_KEY_IS_A_SETTING). The one exception:
 * with Tailscale API credentials the stack's auth key is not used (loadConfig warns), and it
 * is not handed on.
 */
export function stackSettings(cfg: StackConfig): OpenClawGatewayArgs {
  const secrets = Object.fromEntries(
    Object.entries(cfg.secrets).filter(([key]) => key !== "tailscaleAuthKey" || cfg.tailscaleAuth.kind === "supplied"),
  );
  const credentials = Object.fromEntries((Object.keys(PROVIDER_SETTINGS) as (keyof typeof PROVIDER_SETTINGS)[]).map((key) => [key, cfg.providerCredentials[key]]));
  const settings: Record<string, unknown> = { ...cfg.given, ...secrets, ...credentials, tailscaleTailnet: cfg.providerCredentials.tailscaleTailnet };
  return settings as unknown as OpenClawGatewayArgs;
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
        ? gateway.telegramPairing.apply((how) => ({ ...how, npm: "npm run pair -- telegram [CODE]" }))
        : gateway.telegramPairing,
      devicePairing: gateway.devicePairing.apply((how) => ({ ...how, npm: "npm run pair -- devices [requestId]" })),
    },
    artifacts: renderedArtifacts(gateway),
  };
}
