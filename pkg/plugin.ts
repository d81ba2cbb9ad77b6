/**
 * What runs when Pulumi starts this package as a plugin (PulumiPlugin.yaml; package.json
 * "main"): the component provider, serving the schema and constructing OpenClawGateway for
 * programs in any language.
 */
import { main } from "@pulumi/pulumi/provider";
import { OpenClawGatewayProvider } from "./provider";

// The plugin host calls an exported function and waits for it: the provider serves until the engine stops it.
export = (): Promise<void> => main(new OpenClawGatewayProvider(), process.argv.slice(2));
