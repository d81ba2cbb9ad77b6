/**
 * The package's schema (pkg/schema.json) is what the plugin serves, is current, and
 * says what the settings are: every stack config key and provider credential, the
 * credentials secret, the settings plain values, and the program's stack outputs.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { KEYS, KEY_NAMES, PROVIDER_SECRET_KEYS } from "../../config/keys";
import { PROVIDER_SETTINGS } from "../../config/settings";
import { repositoryUrl } from "../../pkg/metadata";
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
  publisher?: string;
  keywords?: string[];
  repository?: string;
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

  it("names its publisher, keywords and repository from package.json, beside its name", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { author?: string; keywords?: string[]; repository?: string | { url?: string } };
    expect(schema.publisher).toBe(pkg.author);
    expect(schema.publisher ?? "").not.toBe("");
    expect(schema.keywords).toEqual(pkg.keywords);
    // The Pulumi registry's conventions: the word pulumi, one category, the kind of package.
    expect(schema.keywords).toEqual(expect.arrayContaining(["pulumi", "kind/component"]));
    expect(schema.keywords?.filter((k) => k.startsWith("category/"))).toHaveLength(1);
    expect(schema.repository).toBe(repositoryUrl(pkg.repository));
    expect(Object.keys(schema).slice(0, 3)).toEqual(["name", "version", "description"]);
  });

  it("types every whole-number setting as integer, so generated SDKs take an int, not a float", () => {
    const integers = KEY_NAMES.filter((k) => KEYS[k].type === "integer");
    expect(integers).toEqual(expect.arrayContaining(["gatewayTokenVersion", "serverGeneration"]));
    for (const key of integers) expect({ key, type: gateway.inputProperties[key].type }).toEqual({ key, type: "integer" });
    // Every number the component takes is a whole one.
    expect(Object.entries(gateway.inputProperties).filter(([, p]) => p.type === "number")).toEqual([]);
  });

  it("marks a provider setting secret exactly when its config key is a credential: the OAuth client id is not one", () => {
    for (const [setting, key] of Object.entries(PROVIDER_SETTINGS)) {
      expect({ setting, secret: gateway.inputProperties[setting].secret === true }).toEqual({ setting, secret: PROVIDER_SECRET_KEYS.includes(key) });
    }
    expect(gateway.inputProperties.tailscaleOauthClientId.secret).toBeUndefined();
    expect(gateway.inputProperties.tailscaleOauthClientSecret.secret).toBe(true);
  });

  it("takes every stack config key and provider credential, and requires only tailnet", () => {
    const expected = [...Object.keys(KEYS), ...Object.keys(PROVIDER_SETTINGS), "tailscaleTailnet"].sort();
    expect(Object.keys(gateway.inputProperties).sort()).toEqual(expected);
    expect(gateway.requiredInputs).toEqual(["tailnet"]);
  });

  it("marks every credential secret and takes the settings as plain values, checked before anything is created", () => {
    for (const [name, prop] of Object.entries(gateway.inputProperties)) {
      const secret = SECRET_INPUTS.includes(name);
      // The provider settings are inputs, as credentials are, the OAuth client id among them.
      const input = secret || name in PROVIDER_SETTINGS;
      expect({ name, secret: prop.secret === true, plain: prop.plain === true }).toEqual({ name, secret, plain: !input });
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
