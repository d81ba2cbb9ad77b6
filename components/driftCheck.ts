/**
 * The drift check: every `pulumi preview` and `pulumi up` asks the server whether it still is
 * what this deployment rendered, before anything is planned.
 *
 * The setup steps re-run only when their triggers (hashes of what is rendered) change, so a
 * file changed on the server would stay changed through any number of `up`s. This resource's
 * diff, which the engine calls on every preview and up, runs the server's own drift check
 * (gateway/scripts/drift.js against /etc/openclaw-vps/manifest.json) over SSH with the deploy
 * key and the pinned host key (components/local/check-drift.js):
 * - the host is as deployed: no change, and an up with nothing changed still plans nothing;
 * - it has drifted: the diff reports a change and names each drifted file on stderr; the
 *   update bumps `epoch`, which is in the triggers of the steps that re-assert the rendered
 *   state (files, host, configure) and of verify, so this same up puts the host back and
 *   checks it, and the next plans nothing;
 * - the server cannot be reached (a preview from a machine off the tailnet, CI): no change,
 *   and `drift NOT CHECKED` with ssh's reason on stderr. Nothing is assumed clean silently.
 * A new server (its id changed) is an update too: every step runs on it anyway.
 *
 * Two resources serve the same methods, as for the rebuild guard (components/rebuildGuard.ts):
 * a dynamic resource in this repository's program, `openclaw-vps:index:DriftCheck` served by
 * the package's plugin (pkg/provider.ts) for programs that use the package.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE_ROOT, helperPath } from "./local";
import { RebuildGuardKind } from "./rebuildGuard";

/** The helper the diff runs, by absolute path (the dynamic provider host's directory is not the package's). */
export const DRIFT_HELPER = path.join(PACKAGE_ROOT, helperPath("check-drift"));

/**
 * The provider methods. They are serialized into the state and run by the Node.js dynamic
 * provider host, so they use nothing from outside their own bodies. `olds` are the stored
 * outputs; `news` the inputs (the deploy key arrives as a plain string here, and stays a
 * secret in the state).
 */
export const driftCheckProvider = {
  create(inputs: Record<string, unknown>) {
    return Promise.resolve({ id: "drift-check", outs: { serverId: inputs.serverId, epoch: 0 } });
  },
  diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    // A new server: every step runs on it anyway.
    if (olds.serverId !== news.serverId) return Promise.resolve({ changes: true });
    // A secret may arrive in its wire form ({<signature>: ..., value}) rather than unwrapped.
    const plain = (v: unknown): unknown => (v !== null && typeof v === "object" && "4dabf18193072939515e22adb298388d" in v ? (v as { value?: unknown }).value : v);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawnSync } = require("child_process") as typeof import("child_process");
    const r = spawnSync(process.execPath, [String(plain(news.helper))], {
      input: JSON.stringify({ host: plain(news.host), hostKey: plain(news.hostKey), privateKey: plain(news.privateKey) }),
      encoding: "utf8",
      timeout: 180_000,
    });
    let verdict: { status?: string; problems?: string[]; reason?: string };
    try {
      verdict = JSON.parse(String(r.stdout ?? "").trim().split("\n").pop() ?? "") as typeof verdict;
    } catch {
      verdict = { status: "unchecked", reason: `the check printed no verdict (exit ${String(r.status)}): ${String(r.stderr ?? "").trim().slice(0, 200)}` };
    }
    if (verdict.status === "clean") return Promise.resolve({ changes: false });
    if (verdict.status === "drift") {
      process.stderr.write(
        `openclaw-vps: ${String(news.host)} has drifted from what this deployment rendered; this up re-asserts it (files, host, configure, verify):\n` +
          (verdict.problems ?? []).map((p) => `  ${p}\n`).join(""),
      );
      return Promise.resolve({ changes: true });
    }
    process.stderr.write(`openclaw-vps: drift NOT CHECKED on ${String(news.host)}: ${verdict.reason ?? "no reason given"}\n`);
    return Promise.resolve({ changes: false });
  },
  update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    return Promise.resolve({ outs: { serverId: news.serverId, epoch: Number(olds.epoch ?? 0) + 1 } });
  },
};

/**
 * The same decisions for the lifecycle harness (tools/lib/engine.ts), which has no server:
 * `drifted()` says what the server's check would find.
 */
export function emulatedDriftCheck(drifted: () => boolean): typeof driftCheckProvider {
  return {
    ...driftCheckProvider,
    diff: (_id, olds, news) => Promise.resolve({ changes: olds.serverId !== news.serverId || drifted() }),
  };
}

/** The type of the drift check the package's plugin serves (pkg/provider.ts). */
export const PACKAGE_DRIFT_CHECK_TYPE = "openclaw-vps:index:DriftCheck";

export interface DriftCheckArgs {
  /** The server's tailnet name or address. */
  readonly host: pulumi.Input<string>;
  /** The server's pinned host key. */
  readonly hostKey: pulumi.Input<string>;
  /** The deploy key's private half; secret. */
  readonly privateKey: pulumi.Input<string>;
  /** The cloud's id for the server. */
  readonly serverId: pulumi.Input<string>;
}

const inputsOf = (args: DriftCheckArgs) => ({ ...args, privateKey: pulumi.secret(args.privateKey), helper: DRIFT_HELPER, epoch: undefined });

export class DriftCheck extends pulumi.dynamic.Resource {
  /** Bumped each time drift was found: the re-asserting steps' trigger. */
  declare public readonly epoch: pulumi.Output<number>;

  constructor(name: string, args: DriftCheckArgs, opts?: pulumi.CustomResourceOptions) {
    super(driftCheckProvider, name, inputsOf(args), opts);
  }
}

/** The drift check as a resource of the package itself, for programs that use the package. */
export class PackageDriftCheck extends pulumi.CustomResource {
  declare public readonly epoch: pulumi.Output<number>;

  constructor(name: string, args: DriftCheckArgs, opts?: pulumi.CustomResourceOptions) {
    super(PACKAGE_DRIFT_CHECK_TYPE, name, inputsOf(args), opts);
  }
}

export function driftCheck(kind: RebuildGuardKind, name: string, args: DriftCheckArgs, opts?: pulumi.CustomResourceOptions): { readonly epoch: pulumi.Output<number> } {
  return kind === "dynamic" ? new DriftCheck(name, args, opts) : new PackageDriftCheck(name, args, opts);
}
