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

/**
 * Providers are named `<prefix>-<package>`, so two gateways in one program have their own.
 * Stacks from before the package named them by package alone: each alias in `opts` also
 * carries that former name.
 */
function named(prefix: string, base: string, opts: pulumi.CustomResourceOptions | undefined): [string, pulumi.CustomResourceOptions | undefined] {
  const aliases = opts?.aliases?.map((a): pulumi.Input<string | pulumi.Alias> => {
    if (typeof a !== "object" || a instanceof Promise || pulumi.Output.isInstance(a)) return a;
    const spec = a;
    return spec.name === undefined ? { ...spec, name: base } : spec;
  });
  return [`${prefix}-${base}`, opts && { ...opts, aliases }];
}

/** The cloud provider. Unset credentials fall back to HCLOUD_TOKEN / DIGITALOCEAN_TOKEN. */
export function cloudTarget(prefix: string, cloud: Cloud, creds: ProviderCredentials, opts?: pulumi.CustomResourceOptions): CloudTarget {
  switch (cloud) {
    case "hetzner": {
      const [name, options] = named(prefix, "hcloud", opts);
      return { cloud, provider: new hcloud.Provider(name, { token: creds.hcloudToken }, options) };
    }
    case "digitalocean": {
      const [name, options] = named(prefix, "digitalocean", opts);
      return { cloud, provider: new digitalocean.Provider(name, { token: creds.digitaloceanToken }, options) };
    }
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
export function tailscaleProvider(prefix: string, creds: ProviderCredentials, opts?: pulumi.CustomResourceOptions): tailscale.Provider {
  const oauth = creds.tailscaleOauthClientId !== undefined;
  const [name, options] = named(prefix, "tailscale", opts);
  return new tailscale.Provider(name, {
    apiKey: creds.tailscaleApiKey,
    oauthClientId: creds.tailscaleOauthClientId,
    oauthClientSecret: creds.tailscaleOauthClientSecret,
    tailnet: creds.tailscaleTailnet,
    // An OAuth client is limited to the scopes it needs; an API key carries its owner's rights.
    scopes: oauth ? ["auth_keys", "devices:core"] : undefined,
  }, options);
}
