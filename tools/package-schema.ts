/**
 * Writes the package's schema (pkg/schema.json): exactly what the plugin serves to
 * `pulumi package add` / `pulumi package get-schema`, inferred from the TypeScript of
 * OpenClawGateway by the SDK's component provider. `npm run schema` after changing the
 * component's settings or outputs; tests/package/schema.test.ts fails until it is current.
 */
import { writeFileSync } from "fs";
import { join } from "path";
import { OpenClawGatewayProvider } from "../pkg/provider";
import { PACKAGE_ROOT } from "../components/local";

export const SCHEMA_PATH = join(PACKAGE_ROOT, "pkg", "schema.json");

/** The schema as checked in: stable key order as generated, two-space indents, a final newline. */
export async function renderSchema(): Promise<string> {
  const schema = JSON.parse(await new OpenClawGatewayProvider().getSchema()) as unknown;
  return JSON.stringify(schema, null, 2) + "\n";
}

if (require.main === module) {
  renderSchema().then(
    (text) => {
      writeFileSync(SCHEMA_PATH, text);
      console.log(`schema: wrote ${SCHEMA_PATH}`);
    },
    (err: unknown) => {
      console.error(`schema: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
