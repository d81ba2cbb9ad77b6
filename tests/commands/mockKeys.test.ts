/** The mocked deploy key is a real OpenSSH ED25519 pair (commands/lib/mockKeys.ts). */
import { createPublicKey, verify, createPrivateKey, sign } from "crypto";
import { ed25519FromSeed } from "../../commands/lib/mockKeys";

/** Reads SSH wire-format strings from a buffer. */
function reader(buf: Buffer) {
  let pos = 0;
  return {
    u32: () => {
      const n = buf.readUInt32BE(pos);
      pos += 4;
      return n;
    },
    str: () => {
      const n = buf.readUInt32BE(pos);
      const out = buf.subarray(pos + 4, pos + 4 + n);
      pos += 4 + n;
      return out;
    },
    rest: () => buf.subarray(pos),
  };
}

describe("ed25519FromSeed", () => {
  const pair = ed25519FromSeed("seed", "comment");

  it("is the same pair for the same seed, another for another", () => {
    expect(ed25519FromSeed("seed", "comment")).toEqual(pair);
    expect(ed25519FromSeed("other", "comment").publicKey).not.toBe(pair.publicKey);
  });

  it("writes an unencrypted openssh-key-v1 document whose key is the public key's, with checks and padding", () => {
    const body = Buffer.from(pair.privateKey.split("\n").slice(1, -2).join(""), "base64");
    expect(pair.privateKey.split("\n").slice(1, -2).every((l) => l.length <= 70)).toBe(true);
    expect(body.subarray(0, 15).toString("binary")).toBe("openssh-key-v1\0");
    const r = reader(body.subarray(15));
    expect(r.str().toString()).toBe("none");
    expect(r.str().toString()).toBe("none");
    expect(r.str().length).toBe(0);
    expect(r.u32()).toBe(1);
    const publicBlob = r.str();
    expect(`ssh-ed25519 ${publicBlob.toString("base64")}`).toBe(pair.publicKey);
    const secret = reader(r.str());
    expect(secret.u32()).toBe(secret.u32());
    expect(secret.str().toString()).toBe("ssh-ed25519");
    const pub = secret.str();
    const priv = secret.str();
    expect(priv.subarray(32)).toEqual(pub);
    expect(secret.str().toString()).toBe("comment");
    const padding = [...secret.rest()];
    expect(padding).toEqual(padding.map((_, i) => i + 1));

    // The seed and the public half belong together: a signature made with one checks with the other.
    const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), priv.subarray(0, 32)]);
    const signature = sign(null, Buffer.from("m"), createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
    const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), pub]);
    expect(verify(null, Buffer.from("m"), createPublicKey({ key: spki, format: "der", type: "spki" }), signature)).toBe(true);
  });
});
