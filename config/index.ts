/**
 * The one config module: reads the stack configuration from Pulumi, validates all of it
 * (config/schema.ts) before any resource exists, and returns typed values. Secrets are
 * read only with getSecret and stay Output<string>.
 */
import * as pulumi from "@pulumi/pulumi";
import { foreignProjectKeys, fullKey, inProjectNamespace, intoProjectNamespace, ruleKey } from "./keys";
import { ConfigError, GatewayConfig } from "./settings";
import {
  SECRET_KEYS,
  SecretKeyName,
  validateConfig,
} from "./schema";

export { PROJECT_NAME } from "./keys";
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
 * at once; call it before registering any resource. The program's keys are read in the
 * project's own namespace (`pulumi.getProject()`), so a project renamed by `pulumi new`
 * works as this repository's does, and every message names the keys as that stack has them.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): StackConfig {
  const namespace = pulumi.getProject();
  const all = pulumi.runtime.allConfig();
  const values = intoProjectNamespace(all, namespace);
  const secretKeys = new Set(
    Object.keys(all)
      .filter((key) => isConfigSecret(key))
      .map((key) => ruleKey(key, namespace))
      .filter((key): key is string => key !== undefined),
  );
  const result = validateConfig({ values, secretKeys, env });
  const foreign = foreignProjectKeys(Object.keys(all), namespace).map(({ key, should }) => ({
    key,
    given: "a key in the namespace openclaw-vps",
    expected: `${should}: this project is named ${namespace} (Pulumi.yaml), and the CLI keeps a project's own keys under its name (pulumi config set ${should.slice(namespace.length + 1)} ... writes it)`,
  }));
  const issues = [
    ...(result.ok ? [] : result.issues.map((i) => ({ key: inProjectNamespace(i.key, namespace), given: inProjectNamespace(i.given, namespace), expected: inProjectNamespace(i.expected, namespace) }))),
    ...foreign,
  ];
  if (!result.ok || issues.length > 0) throw new ConfigError(issues);
  const valid = result.config;

  const secrets: Partial<Record<SecretKeyName, pulumi.Output<string>>> = {};
  for (const key of SECRET_KEYS) {
    if (valid.secretsSet.has(key)) secrets[key] = new pulumi.Config(namespace).requireSecret(key);
  }
  if (valid.tailscaleAuth.kind === "mint" && valid.secretsSet.has("tailscaleAuthKey")) {
    void pulumi.log.warn(
      inProjectNamespace(`${fullKey("tailscaleAuthKey")} is ignored: Tailscale API credentials are configured, so a single-use key is minted instead.`, namespace),
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
