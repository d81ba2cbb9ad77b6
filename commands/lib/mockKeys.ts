/**
 * A real ED25519 key pair in OpenSSH's formats, derived from a seed, for the mocked
 * `tls.PrivateKey`. Real, so that `npm run rehearse` can log in to its test host with the
 * deploy key exactly as Pulumi would; derived, so that every evaluation gives the same
 * bytes. The seed is public (it is in this file), so such a key must never guard a real
 * server: nothing in a mocked evaluation can create one.
 */
import { createHash, createPrivateKey, createPublicKey } from "crypto";

export interface OpensshKeyPair {
  /** `ssh-ed25519 AAAA…`, without a comment (as the tls provider gives it). */
  readonly publicKey: string;
  /** The `-----BEGIN OPENSSH PRIVATE KEY-----` document, unencrypted. */
  readonly privateKey: string;
}

/** DER prefix of a PKCS#8 ED25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
/** An SSH wire-format string: length, then bytes. */
const str = (data: Buffer | string) => {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8");
  return Buffer.concat([u32(b.length), b]);
};

export function ed25519FromSeed(seedText: string, comment: string): OpensshKeyPair {
  const seed = createHash("sha256").update(seedText).digest();
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  const pub = spki.subarray(spki.length - 32);
  const publicBlob = Buffer.concat([str("ssh-ed25519"), str(pub)]);

  // openssh-key-v1, unencrypted: a check number twice, the key, the comment, then padding.
  const check = seed.readUInt32BE(0);
  let secret = Buffer.concat([u32(check), u32(check), str("ssh-ed25519"), str(pub), str(Buffer.concat([seed, pub])), str(comment)]);
  const padding = Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, i) => i + 1);
  secret = Buffer.concat([secret, Buffer.from(padding)]);
  const body = Buffer.concat([Buffer.from("openssh-key-v1\0", "binary"), str("none"), str("none"), str(""), u32(1), str(publicBlob), str(secret)]);
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  return {
    publicKey: `ssh-ed25519 ${publicBlob.toString("base64")}`,
    privateKey: ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join("\n"),
  };
}
