/**
 * The gateway token: 32 random bytes as 64 hex characters, kept secret. Bumping
 * `gatewayTokenVersion` changes the keeper and so replaces the token: that is rotation.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface GatewayTokenArgs {
  /** Bump to rotate the token. */
  readonly version: number;
}

export class GatewayToken extends pulumi.ComponentResource {
  /** 64 hex characters; secret. */
  public readonly value: pulumi.Output<string>;

  constructor(name: string, args: GatewayTokenArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openclaw-vps:gateway:GatewayToken", name, {}, opts);
    const bytes = new random.RandomBytes(
      `${name}-bytes`,
      { length: 32, keepers: { version: String(args.version) } },
      { parent: this },
    );
    this.value = pulumi.secret(bytes.hex);
    this.registerOutputs({ value: this.value });
  }
}
