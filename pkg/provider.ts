/**
 * The package's component provider: the SDK's ComponentProvider, which infers the schema
 * from the TypeScript of OpenClawGateway and its args, plus what that inference cannot say:
 * which inputs and outputs are secrets, which numbers are whole (`integer`), and the
 * package's publisher, keywords and repository (package.json, pkg/metadata.ts). A generated
 * SDK wraps a secret input in a secret before sending it, so a credential a consumer passes
 * as a plain string is never stored in plain text in the consumer's state.
 *
 * It also serves the two custom resources the component creates that no other provider
 * does: the rebuild guard (`openclaw-vps:index:RebuildGuard`, components/rebuildGuard.ts) and
 * the drift check (`openclaw-vps:index:DriftCheck`, components/driftCheck.ts), with the same
 * methods this repository's program runs as dynamic providers, so a program in any language
 * needs nothing but the package.
 */
import { readFileSync } from "fs";
import { join } from "path";
import type * as provider from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { PACKAGE_REBUILD_GUARD_TYPE, rebuildGuardProvider } from "../components/rebuildGuard";
import { PACKAGE_DRIFT_CHECK_TYPE, driftCheckProvider } from "../components/driftCheck";
import { OpenClawGateway } from "../components/openclawGateway";
import { PACKAGE_ROOT } from "../components/local";
import { KEYS, KEY_NAMES, PROVIDER_SECRET_KEYS } from "../config/keys";
import { SECRET_KEYS } from "../config/schema";
import { PROVIDER_SETTINGS } from "../config/settings";
import { PackageManifest, schemaMetadata } from "./metadata";

/** The package name, and so the first part of every type token (package.json's name). */
export const PACKAGE_NAME = "openclaw-vps";

/** Inputs that are credentials: the secret keys, and the provider settings whose config key is one (an OAuth client id is not). */
export const SECRET_INPUTS: readonly string[] = [
  ...SECRET_KEYS,
  ...(Object.keys(PROVIDER_SETTINGS) as (keyof typeof PROVIDER_SETTINGS)[]).filter((s) => PROVIDER_SECRET_KEYS.includes(PROVIDER_SETTINGS[s])),
];
/** Inputs that are whole numbers: TypeScript says `number`, which generated SDKs would take as a float. */
export const INTEGER_INPUTS: readonly string[] = KEY_NAMES.filter((k) => KEYS[k].type === "integer");
/** Outputs that hold a credential. */
export const SECRET_OUTPUTS: readonly string[] = ["gatewayToken", "gatewayUrlWithToken", "deployPrivateKey"];

interface PropertySpec {
  secret?: boolean;
  [key: string]: unknown;
}
interface ResourceSpec {
  inputProperties: Record<string, PropertySpec>;
  properties: Record<string, PropertySpec>;
}

export class OpenClawGatewayProvider extends ComponentProvider {
  constructor() {
    super({ name: PACKAGE_NAME, dirname: PACKAGE_ROOT, components: [OpenClawGateway] });
  }

  /** The methods for a resource's type, from its URN (`...::<parent types>$<type>::<name>`). */
  private static guarded(urn: string): typeof rebuildGuardProvider | typeof driftCheckProvider {
    const qualified = urn.split("::")[2] ?? "";
    const type = qualified.split("$").pop();
    if (type === PACKAGE_REBUILD_GUARD_TYPE) return rebuildGuardProvider;
    if (type === PACKAGE_DRIFT_CHECK_TYPE) return driftCheckProvider;
    throw new Error(`openclaw-vps serves no custom resource of type ${String(type)}`);
  }

  check(urn: string, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<provider.CheckResult> {
    OpenClawGatewayProvider.guarded(urn);
    return Promise.resolve({ inputs: news });
  }

  diff(id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<provider.DiffResult> {
    return OpenClawGatewayProvider.guarded(urn).diff(id, olds, news);
  }

  create(urn: string, inputs: Record<string, unknown>): Promise<provider.CreateResult> {
    return OpenClawGatewayProvider.guarded(urn).create(inputs);
  }

  update(id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<provider.UpdateResult> {
    return OpenClawGatewayProvider.guarded(urn).update(id, olds, news);
  }

  /** Neither holds anything outside the state: deleting one is forgetting it. */
  delete(_id: string, urn: string): Promise<void> {
    OpenClawGatewayProvider.guarded(urn);
    return Promise.resolve();
  }

  override async getSchema(): Promise<string> {
    const { name, version, description, ...inferred } = JSON.parse(await super.getSchema()) as { name: string; version: string; description?: string; resources: Record<string, ResourceSpec> };
    const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as PackageManifest;
    // The package's own fields next to its name, as a schema reads best.
    const schema = { name, version, description, ...schemaMetadata(manifest), ...inferred };
    const gateway = schema.resources[`${PACKAGE_NAME}:index:OpenClawGateway`];
    if (!gateway) throw new Error("internal: OpenClawGateway is missing from the inferred schema");
    const mark = (props: Record<string, PropertySpec>, names: readonly string[], side: string) => {
      for (const name of names) {
        const prop = props[name];
        if (!prop) throw new Error(`internal: the schema has no ${side} ${name} to mark secret`);
        prop.secret = true;
      }
    };
    mark(gateway.inputProperties, SECRET_INPUTS, "input");
    mark(gateway.properties, SECRET_OUTPUTS, "output");
    for (const input of INTEGER_INPUTS) {
      const prop = gateway.inputProperties[input];
      if (prop?.type !== "number") throw new Error(`internal: the schema's input ${input} is not a number to type as integer`);
      prop.type = "integer";
    }
    return JSON.stringify(schema);
  }
}
