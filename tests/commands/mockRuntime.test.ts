import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { evaluate, isSecretValue, mocksFor, stableId } from "../../commands/lib/mockRuntime";

const options = { project: "p", stack: "s", config: {}, secretKeys: [] };

describe("the mock runtime used by tests and the plan", () => {
  it("throws on an invoke it was not told about, with the message the SDK reports", () => {
    let thrown: unknown;
    try {
      void mocksFor(options).call({ token: "tailscale:index/getDevice:getDevice", inputs: {} });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe("unmocked invoke tailscale:index/getDevice:getDevice: add it to the mocks deliberately");
    // The SDK turns an invoke failure into an Error whose message is the gRPC `details`.
    expect((thrown as { details?: string }).details).toBe((thrown as Error).message);
  });

  it("answers invokes it was told about", async () => {
    const ev = await evaluate(
      () => ({ outputs: { id: pulumi.runtime.invokeOutput<{ id: string }>("x:index/get:get", {}).apply((r) => String(r.id)) } }),
      { ...options, invokes: { "x:index/get:get": () => ({ id: "42" }) } },
    );
    expect(ev.outputs.id.value).toBe("42");
  });

  it("marks provider-declared secret outputs secret, as the engine does", async () => {
    const ev = await evaluate(() => {
      const bytes = new random.RandomBytes("b", { length: 4 });
      return { outputs: { hex: bytes.hex, length: bytes.length } };
    }, options);
    expect(ev.outputs.hex.secret).toBe(true);
    expect(ev.outputs.length).toEqual({ value: 4, secret: false });
  });

  it("records secret inputs wrapped, with parent, options and a stable id", async () => {
    const ev = await evaluate(() => {
      const parent = new pulumi.ComponentResource("t:x:Parent", "parent");
      const bytes = new random.RandomBytes(
        "b",
        { length: 4, keepers: { k: pulumi.secret("hidden") } },
        { parent, protect: true, ignoreChanges: ["length"] },
      );
      return { outputs: { id: bytes.id } };
    }, options);
    const reg = ev.registrations.find((r) => r.name === "b");
    const parent = ev.registrations.find((r) => r.name === "parent");
    expect(reg?.parentUrn).toBe(parent?.urn);
    expect(reg?.protect).toBe(true);
    expect(reg?.ignoreChanges).toEqual(["length"]);
    expect(isSecretValue(reg?.inputs.keepers)).toBe(true);
    expect(reg?.id).toBe(stableId("random:index/randomBytes:RandomBytes", "b"));
    expect(Number(reg?.id)).toBeGreaterThan(0);
  });
});
