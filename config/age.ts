/**
 * age keys (https://age-encryption.org/v1): an identity is `AGE-SECRET-KEY-1…`, the bech32
 * form of an X25519 private key; its recipient, `age1…`, the bech32 form of the public key.
 * The off-site backups are encrypted on the server to the recipient derived here, so the
 * server never holds the identity (docs/operations.md). Checked against `age-keygen -y` in
 * tests/conformance/offsiteBackup.test.ts.
 */
import { createPrivateKey, createPublicKey } from "crypto";
import { bech32 } from "bech32";

/** PKCS #8 wrapping of a raw X25519 private key (RFC 8410), before its 32 bytes. */
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
/** Longer than bech32's 90-character default: an age identity is 74. */
const LIMIT = 100;

/** The recipient of an identity, or undefined when the text is not an age identity. */
export function ageRecipient(identity: string): string | undefined {
  if (!/^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/.test(identity)) return undefined;
  let words: number[];
  try {
    const decoded = bech32.decode(identity.toLowerCase(), LIMIT);
    if (decoded.prefix !== "age-secret-key-") return undefined;
    words = decoded.words;
  } catch {
    return undefined;
  }
  const secret = Buffer.from(bech32.fromWords(words));
  if (secret.length !== 32) return undefined;
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secret]), format: "der", type: "pkcs8" });
  const publicKey = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32);
  return bech32.encode("age", bech32.toWords(publicKey), LIMIT);
}
