/**
 * The one config module: reads the stack configuration from Pulumi, validates all of it
 * (config/schema.ts) before any resource exists, and returns typed values. Secrets are
 * read only with getSecret and stay Output<string>.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, fullKey } from "./keys";
import { ConfigError, GatewayConfig } from "./settings";
import {
  SECRET_KEYS,
  SecretKeyName,
  validateConfig,
} from "./schema";

export { PROJECT } from "./keys";
export { ConfigError } from "./settings";
export type { GatewayConfig, OpenClawGatewayArgs } from "./settings";
export type { Cloud, ConfigIssue, ValidConfig } from "./schema";

/** The whole validated configuration of one stack: what the gateway component builds from. */
export type StackConfig = GatewayConfig;

export interface ProviderCredentials {
  readonly hcloudToken?: pulumi.Output<string>;
  readonly digitaloceanToken?: pulumi.Output<string>;
  readonly tailscaleApiKey?: pulumi.Output<string>;
  readonly tailscaleOauthClientId?: pulumi.Output<string>;
  readonly tailscaleOauthClientSecret?: pulumi.Output<string>;
  readonly tailscaleTailnet?: string;
}

/**
 * Whether the CLI passed a key as encrypted. The SDK exports this but marks it internal,
 * so its type is declared here.
 */
const isConfigSecret = (key: string): boolean =>
  (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret(key);

/** A secret from any namespace, or undefined when unset or empty. */
function optionalSecret(namespace: string, key: string): pulumi.Output<string> | undefined {
  const raw = pulumi.runtime.allConfig()[`${namespace}:${key}`];
  if (raw === undefined || raw === "") return undefined;
  return new pulumi.Config(namespace).requireSecret(key);
}

/**
 * Reads and validates the stack configuration. Throws ConfigError listing every problem
 * at once; call it before registering any resource.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): StackConfig {
  const values = pulumi.runtime.allConfig();
  const secretKeys = new Set(Object.keys(values).filter((k) => isConfigSecret(k)));
  const result = validateConfig({ values, secretKeys, env });
  if (!result.ok) throw new ConfigError(result.issues);
  const valid = result.config;

  const secrets: Partial<Record<SecretKeyName, pulumi.Output<string>>> = {};
  for (const key of SECRET_KEYS) {
    if (valid.secretsSet.has(key)) secrets[key] = new pulumi.Config(PROJECT).requireSecret(key);
  }
  if (valid.tailscaleAuth.kind === "mint" && valid.secretsSet.has("tailscaleAuthKey")) {
    void pulumi.log.warn(
      `${fullKey("tailscaleAuthKey")} is ignored: Tailscale API credentials are configured, so a single-use key is minted instead.`,
    );
  }

  return {
    ...valid,
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    secrets,
    providerCredentials: {
      hcloudToken: optionalSecret("hcloud", "token"),
      digitaloceanToken: optionalSecret("digitalocean", "token"),
      tailscaleApiKey: optionalSecret("tailscale", "apiKey"),
      tailscaleOauthClientId: optionalSecret("tailscale", "oauthClientId"),
      tailscaleOauthClientSecret: optionalSecret("tailscale", "oauthClientSecret"),
      tailscaleTailnet: values["tailscale:tailnet"] || undefined,
    },
  };
}
