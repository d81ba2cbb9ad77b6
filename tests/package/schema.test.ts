/**
 * The package's schema (pkg/schema.json) is what the plugin serves, is current, and
 * says what the settings are: every stack config key and provider credential, the
 * credentials secret, the settings plain values, and the program's stack outputs.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { KEYS } from "../../config/keys";
import { PROVIDER_SETTINGS } from "../../config/settings";
import { renderSchema } from "../../tools/package-schema";
import { SECRET_INPUTS, SECRET_OUTPUTS } from "../../pkg/provider";
import { minimalConfig, run } from "../helpers/stack";
import { limitMs } from "../limits";

interface Prop {
  type?: string;
  plain?: boolean;
  secret?: boolean;
  description?: string;
}
interface Schema {
  name: string;
  version: string;
  resources: Record<string, { isComponent: boolean; inputProperties: Record<string, Prop>; requiredInputs: string[]; properties: Record<string, Prop>; required: string[] }>;
}

const checkedIn = readFileSync(join(__dirname, "..", "..", "pkg", "schema.json"), "utf8");
const schema = JSON.parse(checkedIn) as Schema;
const gateway = schema.resources["openclaw-vps:index:OpenClawGateway"];

describe("the package schema", () => {
  it("is the one the component provider generates from today's source (npm run schema)", async () => {
    expect(await renderSchema()).toBe(checkedIn);
  }, limitMs(15));

  it("names the package after package.json, at its version, with one component", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { name: string; version: string };
    expect(schema.name).toBe(pkg.name);
    expect(schema.version).toBe(pkg.version);
    expect(Object.keys(schema.resources)).toEqual(["openclaw-vps:index:OpenClawGateway"]);
    expect(gateway.isComponent).toBe(true);
  });

  it("takes every stack config key and provider credential, and requires only tailnet", () => {
    const expected = [...Object.keys(KEYS), ...Object.keys(PROVIDER_SETTINGS), "tailscaleTailnet"].sort();
    expect(Object.keys(gateway.inputProperties).sort()).toEqual(expected);
    expect(gateway.requiredInputs).toEqual(["tailnet"]);
  });

  it("marks every credential secret and takes the settings as plain values, checked before anything is created", () => {
    for (const [name, prop] of Object.entries(gateway.inputProperties)) {
      const secret = SECRET_INPUTS.includes(name);
      expect({ name, secret: prop.secret === true, plain: prop.plain === true }).toEqual({ name, secret, plain: !secret });
      expect(prop.description ?? "").not.toBe("");
    }
    expect(SECRET_INPUTS).toEqual(expect.arrayContaining(["tailscaleAuthKey", "telegramBotToken", "hcloudToken", "tailscaleOauthClientSecret"]));
  });

  it("has the program's stack outputs as its outputs, the credential-bearing ones secret", async () => {
    const ev = await run(minimalConfig());
    expect(Object.keys(gateway.properties).sort()).toEqual(Object.keys(ev.outputs).sort());
    for (const [name, prop] of Object.entries(gateway.properties)) {
      expect({ name, secret: prop.secret === true }).toEqual({ name, secret: SECRET_OUTPUTS.includes(name) });
      // What the stack stores encrypted is what the package marks secret.
      expect({ name, secret: ev.outputs[name].secret }).toEqual({ name, secret: SECRET_OUTPUTS.includes(name) });
      expect(prop.description ?? "").not.toBe("");
    }
  });
});
