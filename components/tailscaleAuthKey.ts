/**
 * The key the server joins the tailnet with, on first boot only. With Tailscale API
 * credentials a fresh key is minted per server: single-use, pre-approved, tagged, valid
 * for one hour. Without them the stack's own `tailscaleAuthKey` is used. Either way the
 * key is secret wherever it flows.
 */
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";

/** One hour: the key only has to outlive the server's first boot. */
export const AUTH_KEY_EXPIRY_SECONDS = 3600;

/** Tailscale accepts up to 50 letters, digits, spaces and hyphens in a key's description. */
export function keyDescription(text: string): string {
  return text.replace(/[^A-Za-z0-9 -]/g, "-").slice(0, 50);
}

export type TailscaleAuthKeyArgs =
  | {
      /** Mint a key with the Tailscale provider. */
      readonly kind: "mint";
      readonly provider: tailscale.Provider;
      /** ACL tags the key (and so the server) carries. */
      readonly tags: readonly string[];
      /** Shown in the tailnet's key list; names the server generation, so each server gets its own key. */
      readonly description: pulumi.Input<string>;
      /** What must exist first: the tailnet policy entries that own the key's tags (tailnetPolicy). */
      readonly after?: pulumi.Resource[];
    }
  | {
      /** Use a key the operator supplied in stack config. */
      readonly kind: "supplied";
      readonly key: pulumi.Output<string>;
    };

export class TailscaleAuthKey extends pulumi.ComponentResource {
  /** The auth key; secret. */
  public readonly key: pulumi.Output<string>;

  constructor(name: string, args: TailscaleAuthKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openclaw-vps:tailnet:TailscaleAuthKey", name, {}, opts);
    switch (args.kind) {
      case "mint": {
        const minted = new tailscale.TailnetKey(
          `${name}-minted`,
          {
            reusable: false,
            ephemeral: false,
            preauthorized: true,
            expiry: AUTH_KEY_EXPIRY_SECONDS,
            tags: [...args.tags],
            description: pulumi.output(args.description).apply(keyDescription),
            // Once used or expired the key is invalid by design, and the running server no
            // longer needs it: recreating it would only churn state. A new server generation
            // changes the description, which mints a fresh key for the new server.
            recreateIfInvalid: "never",
          },
          { parent: this, provider: args.provider, dependsOn: args.after ?? [] },
        );
        this.key = pulumi.secret(minted.key);
        break;
      }
      case "supplied":
        this.key = pulumi.secret(args.key);
        break;
      default: {
        const unknown: never = args;
        throw new Error(`unknown auth key source ${JSON.stringify(unknown)}`);
      }
    }
    this.registerOutputs({ key: this.key });
  }
}
