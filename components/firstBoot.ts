/**
 * The user data a server is created with, held per server generation.
 *
 * User data only matters at first boot; afterwards every change goes over SSH. So a new
 * auth key, a new operator key or a newer cloud-init template must never replace a running
 * server, while a rebuild (a bumped `serverGeneration`, with every other input the same)
 * must replace it, and the new server must boot with a fresh key. `ignoreChanges:
 * ["userData"]` gives the first but not the second: nothing the server takes would change
 * (only the `replacementTrigger` option could force it, and engines before 3.208 ignore that
 * option without a word). And a protected Hetzner server cannot be moved in the same run that
 * lifts `protect`: the cloud's delete protection is still on when the engine deletes it.
 *
 * This resource holds the document instead: its own diff keeps the stored document while
 * the generation is the same, and is replaced (taking the current document) when the
 * generation changes. The server takes its user data from here, with no ignoreChanges.
 *
 * It is also where an accidental rebuild is refused: with `protect` on (now, or in the run
 * before), a generation change fails the preview with what to do, before anything changes.
 */
import * as pulumi from "@pulumi/pulumi";

export interface FirstBootInputs {
  /** Hash of everything that replaces the server: cloud, location, image, deploy key, serverGeneration. */
  readonly generation: string;
  /** The stack's `protect` setting. */
  readonly protect: boolean;
  /** The cloud-init document for a server of this generation; secret. */
  readonly userData: string;
}

/**
 * The dynamic provider. Its methods are serialized into the state and run by the Node.js
 * dynamic provider host, so they use nothing from outside their own bodies.
 * `olds` are the stored outputs (the dynamic provider host passes the old state).
 */
export const firstBootProvider = {
  create(inputs: Record<string, unknown>) {
    return Promise.resolve({
      id: String(inputs.generation),
      outs: { generation: inputs.generation, protect: inputs.protect, userData: inputs.userData },
    });
  },
  diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    if (olds.generation === news.generation) {
      // The document alone never counts: first boot is over. A protect change is stored.
      return Promise.resolve({ changes: olds.protect !== news.protect });
    }
    if (olds.protect === true || news.protect === true) {
      return Promise.reject(new Error(
        "the server would be rebuilt (its location, image, deploy key or serverGeneration changed) while protect is on. " +
          "To keep the server, undo that change. To rebuild it on purpose: undo the change, run `pulumi config set protect false` " +
          "and `pulumi up` (this only lifts the protection), make the change again and run `pulumi up`, " +
          "then `pulumi config set protect true` and `pulumi up`.",
      ));
    }
    return Promise.resolve({ changes: true, replaces: ["generation"], deleteBeforeReplace: false });
  },
  update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    return Promise.resolve({ outs: { generation: olds.generation, protect: news.protect, userData: olds.userData } });
  },
};

export interface FirstBootArgs {
  readonly generation: pulumi.Input<string>;
  readonly protect: boolean;
  readonly userData: pulumi.Input<string>;
}

class FirstBootDocument extends pulumi.dynamic.Resource {
  declare public readonly userData: pulumi.Output<string>;
  declare public readonly generation: pulumi.Output<string>;

  constructor(name: string, args: FirstBootArgs, opts?: pulumi.CustomResourceOptions) {
    super(firstBootProvider, name, { ...args, userData: pulumi.secret(args.userData) }, { ...opts, additionalSecretOutputs: ["userData"] });
  }
}

export class FirstBoot extends pulumi.ComponentResource {
  /** The document the current server was (or will be) created with; secret. */
  public readonly userData: pulumi.Output<string>;

  constructor(name: string, args: FirstBootArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openclaw-vps:compute:FirstBoot", name, {}, opts);
    const doc = new FirstBootDocument(`${name}-document`, args, { parent: this });
    this.userData = pulumi.secret(doc.userData);
    this.registerOutputs({ userData: this.userData });
  }
}
