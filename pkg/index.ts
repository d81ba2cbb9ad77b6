/**
 * The package's public interface: what `pulumi package add` turns into an SDK for the
 * consumer's language, and what a TypeScript program can import. Everything exported here
 * is the schema (pkg/schema.json); changing it is a change to every consumer.
 */
export { OpenClawGateway, OPENCLAW_GATEWAY_TYPE } from "../components/openclawGateway";
export type { OpenClawGatewayArgs } from "../config/settings";
