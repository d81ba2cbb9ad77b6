import { DeployKey } from "../../components/deployKey";
import { digitaloceanTarget, evaluateComponents, hetzner } from "../helpers/component";
import { oneOfType } from "../helpers/stack";

describe("DeployKey", () => {
  it("generates ED25519 and registers the public half with Hetzner", async () => {
    const ev = await evaluateComponents(() => {
      const k = new DeployKey("dk", { target: hetzner(), labels: { stack: "unit" } });
      return { ref: k.cloudKeyRef, pub: k.publicKeyOpenssh, priv: k.privateKeyOpenssh };
    });
    const key = oneOfType(ev, "tls:index/privateKey:PrivateKey");
    const registered = oneOfType(ev, "hcloud:index/sshKey:SshKey");
    expect(key.inputs).toEqual({ algorithm: "ED25519" });
    // The SDK asks the engine to keep the private halves secret.
    expect(key.additionalSecretOutputs).toEqual(expect.arrayContaining(["privateKeyOpenssh", "privateKeyPem"]));
    expect(registered.inputs.publicKey).toBe(ev.outputs.pub.value);
    expect(String(ev.outputs.pub.value)).toMatch(/^ssh-ed25519 \S+$/);
    expect(registered.inputs.labels).toEqual({ stack: "unit" });
    expect(ev.outputs.ref.value).toBe(registered.id);
    expect(ev.outputs.priv.secret).toBe(true);
    expect(ev.outputs.pub.secret).toBe(false);
  });

  it("registers with DigitalOcean and refers to the key by fingerprint", async () => {
    const ev = await evaluateComponents(() => {
      const k = new DeployKey("dk", { target: digitaloceanTarget(), labels: {} });
      return { ref: k.cloudKeyRef };
    });
    const registered = oneOfType(ev, "digitalocean:index/sshKey:SshKey");
    expect(registered.inputs.publicKey).toMatch(/^ssh-ed25519 /);
    expect(ev.outputs.ref.value).toBe("mo:ck:fi:ng:er:pr:in:t1");
  });
});
