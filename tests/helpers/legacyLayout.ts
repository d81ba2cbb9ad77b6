/**
 * Where the last release before the package component (b52ceba) put each resource: no
 * OpenClawGateway above it, the gateway's steps under their former type, and providers
 * named by their package alone. Used to build a stack as that release left it, for the
 * emulation (tests/day2/packageUpgrade.test.ts) and for the real engine
 * (tests/engine/packageUpgrade.test.ts).
 */
export const TOP = "openclaw-vps:index:OpenClawGateway";
export const RENAMED: Readonly<Record<string, string>> = { "openclaw-vps:gateway:GatewaySetup": "openclaw-vps:gateway:OpenClawGateway" };

/** A URN where the release before the component had it. */
export function legacyUrn(urn: string): string {
  const parts = urn.split("::");
  const types = parts[2].split("$").filter((t) => t !== TOP).map((t) => RENAMED[t] ?? t);
  const name = parts.slice(3).join("::");
  const own = types[types.length - 1];
  const legacyName = own.startsWith("pulumi:providers:") ? name.replace(/^openclaw-/, "") : name;
  return [parts[0], parts[1], types.join("$"), legacyName].join("::");
}
