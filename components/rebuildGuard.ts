/**
 * The server's generation, and the guard on rebuilding it.
 *
 * A server generation is everything that replaces the server: cloud, location, image, the
 * deploy key and `serverGeneration`. The server takes it as its `replacementTrigger`, so a
 * bumped `serverGeneration` rebuilds a server whose other inputs are all the same, while its
 * user data stays in `ignoreChanges`: a new auth key, operator key or cloud-init template
 * never replaces a running server, and a replacement is still created from the current
 * document (the engine re-checks the program's own inputs for a replacement,
 * step_generator.go generateStepsFromDiff; a `replacementTrigger` that appears where there
 * was none replaces nothing, so existing servers are kept).
 *
 * This resource holds the generation, and refuses a change of it while `protect` is on (now
 * or in the run before), in the preview, before anything changes, saying what to do. The
 * engine's own refusal says only to remove `protect`; and on Hetzner a server cannot be
 * deleted in the run that lifts `protect`, since its delete protection is still on.
 *
 * Two resources serve the same provider methods (rebuildGuardProvider):
 * - this repository's program uses a dynamic resource (`pulumi-nodejs:dynamic:Resource`),
 *   run by the CLI's Node.js dynamic provider host, which finds @pulumi/pulumi in the
 *   program's directory: this program's own node_modules;
 * - a program that uses the package (any language: the component is built inside the
 *   package's plugin) gets `openclaw-vps:index:RebuildGuard`, served by the package's own
 *   plugin (pkg/provider.ts). A dynamic resource there would need the Node.js SDK installed
 *   in a Python or Go project's directory, which the real engine showed it lacks.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * The dynamic provider. Its methods are serialized into the state and run by the Node.js
 * dynamic provider host, so they use nothing from outside their own bodies. `olds` are the
 * stored outputs (sdk/nodejs/cmd/dynamic-provider: the old state).
 */
export const rebuildGuardProvider = {
  create(inputs: Record<string, unknown>) {
    return Promise.resolve({ id: String(inputs.generation), outs: { generation: inputs.generation, protect: inputs.protect } });
  },
  diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    if (olds.generation === news.generation) {
      // Only a protect change is stored.
      return Promise.resolve({ changes: olds.protect !== news.protect });
    }
    if (olds.protect === true || news.protect === true) {
      return Promise.reject(
        new Error(
          "the server would be rebuilt (its location, image, deploy key or serverGeneration changed) while protect is on. " +
            "To keep the server, undo that change. To rebuild it on purpose: undo the change, run `pulumi config set protect false` " +
            "and `pulumi up` (this only lifts the protection), make the change again and run `pulumi up`, " +
            "then `pulumi config set protect true` and `pulumi up`.",
        ),
      );
    }
    return Promise.resolve({ changes: true, replaces: ["generation"], deleteBeforeReplace: false });
  },
  update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    return Promise.resolve({ outs: { generation: olds.generation, protect: news.protect } });
  },
};

/** The type of the guard the package's plugin serves (pkg/provider.ts). */
export const PACKAGE_REBUILD_GUARD_TYPE = "openclaw-vps:index:RebuildGuard";

export interface RebuildGuardArgs {
  /** Hash of everything that replaces the server. */
  readonly generation: pulumi.Input<string>;
  /** The stack's `protect` setting. */
  readonly protect: boolean;
}

export class RebuildGuard extends pulumi.dynamic.Resource {
  /** The server generation, once the guard has let it through. */
  declare public readonly generation: pulumi.Output<string>;

  constructor(name: string, args: RebuildGuardArgs, opts?: pulumi.CustomResourceOptions) {
    super(rebuildGuardProvider, name, { ...args, generation: args.generation }, opts);
  }
}

/** The guard as a resource of the package itself, for programs that use the package. */
export class PackageRebuildGuard extends pulumi.CustomResource {
  /** The server generation, once the guard has let it through. */
  declare public readonly generation: pulumi.Output<string>;
  declare public readonly protect: pulumi.Output<boolean>;

  constructor(name: string, args: RebuildGuardArgs, opts?: pulumi.CustomResourceOptions) {
    super(PACKAGE_REBUILD_GUARD_TYPE, name, { ...args, generation: args.generation }, opts);
  }
}

/** The guard a gateway gets: `dynamic` in this repository's program, `package` through the package. */
export type RebuildGuardKind = "dynamic" | "package";

export function rebuildGuard(kind: RebuildGuardKind, name: string, args: RebuildGuardArgs, opts?: pulumi.CustomResourceOptions): { readonly generation: pulumi.Output<string> } {
  switch (kind) {
    case "dynamic":
      return new RebuildGuard(name, args, opts);
    case "package":
      return new PackageRebuildGuard(name, args, opts);
    default: {
      const never: never = kind;
      throw new Error(`unknown guard kind ${String(never)}`);
    }
  }
}
