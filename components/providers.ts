/**
 * Explicit providers, built once from the validated config and handed to each component,
 * so no resource can pick up ambient credentials or a default provider by accident.
 */
import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import * as digitalocean from "@pulumi/digitalocean";
import * as tailscale from "@pulumi/tailscale";
import type { Cloud, ProviderCredentials } from "../config";

/** A cloud together with the provider that manages it. */
export type CloudTarget =
  | { readonly cloud: "hetzner"; readonly provider: hcloud.Provider }
  | { readonly cloud: "digitalocean"; readonly provider: digitalocean.Provider };

/** The cloud provider. Unset credentials fall back to HCLOUD_TOKEN / DIGITALOCEAN_TOKEN. */
export function cloudTarget(cloud: Cloud, creds: ProviderCredentials, opts?: pulumi.CustomResourceOptions): CloudTarget {
  switch (cloud) {
    case "hetzner":
      return { cloud, provider: new hcloud.Provider("hcloud", { token: creds.hcloudToken }, opts) };
    case "digitalocean":
      return { cloud, provider: new digitalocean.Provider("digitalocean", { token: creds.digitaloceanToken }, opts) };
    default: {
      const unknown: never = cloud;
      throw new Error(`unknown cloud ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * A Tailscale provider scoped to what this program does (auth keys, devices). Unset
 * credentials fall back to TAILSCALE_API_KEY or TAILSCALE_OAUTH_CLIENT_ID/SECRET.
 */
export function tailscaleProvider(creds: ProviderCredentials, opts?: pulumi.CustomResourceOptions): tailscale.Provider {
  const oauth = creds.tailscaleOauthClientId !== undefined;
  return new tailscale.Provider("tailscale", {
    apiKey: creds.tailscaleApiKey,
    oauthClientId: creds.tailscaleOauthClientId,
    oauthClientSecret: creds.tailscaleOauthClientSecret,
    tailnet: creds.tailscaleTailnet,
    // An OAuth client is limited to the scopes it needs; an API key carries its owner's rights.
    scopes: oauth ? ["auth_keys", "devices:core"] : undefined,
  }, opts);
}
