import { GatewayToken } from "../../components/gatewayToken";
import { evaluateComponents } from "../helpers/component";
import { oneOfType } from "../helpers/stack";

describe("GatewayToken", () => {
  it("is 32 random bytes as hex, secret, kept by the version", async () => {
    const ev = await evaluateComponents(
      () => ({ token: new GatewayToken("t", { version: 3 }).value }),
      { "random:index/randomBytes:RandomBytes": { hex: "ab".repeat(32) } },
    );
    const bytes = oneOfType(ev, "random:index/randomBytes:RandomBytes");
    expect(bytes.inputs).toEqual({ length: 32, keepers: { version: "3" } });
    expect(bytes.additionalSecretOutputs).toEqual(expect.arrayContaining(["hex"]));
    expect(ev.outputs.token).toEqual({ value: "ab".repeat(32), secret: true });
  });

  it("changes its keeper, and so its value, when the version is bumped", async () => {
    const keeper = async (version: number) =>
      oneOfType(await evaluateComponents(() => ({ t: new GatewayToken("t", { version }).value })), "random:index/randomBytes:RandomBytes")
        .inputs.keepers;
    expect(await keeper(1)).not.toEqual(await keeper(2));
  });
});
