/** Evaluates a few components on their own, under the mock runtime. */
import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import * as digitalocean from "@pulumi/digitalocean";
import { Evaluation, OutputOverrides, evaluate } from "../../commands/lib/mockRuntime";
import type { CloudTarget } from "../../components/providers";

/** Runs `create` inside a stack; whatever it returns becomes the stack outputs. */
export function evaluateComponents(
  create: () => Record<string, pulumi.Input<unknown>>,
  overrides?: OutputOverrides,
): Promise<Evaluation> {
  return evaluate(() => ({ outputs: create() }), {
    project: "openclaw-vps",
    stack: "unit",
    config: {},
    secretKeys: [],
    overrides,
  });
}

export function hetzner(): CloudTarget {
  return { cloud: "hetzner", provider: new hcloud.Provider("hcloud", {}) };
}

export function digitaloceanTarget(): CloudTarget {
  return { cloud: "digitalocean", provider: new digitalocean.Provider("digitalocean", {}) };
}
