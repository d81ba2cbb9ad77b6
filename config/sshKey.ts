/**
 * Checks that a line is an OpenSSH public key, by decoding it: a pasted private key,
 * a truncated line or a key of another type is caught before it reaches a server.
 */
const ALLOWED = new Set([
  "ssh-ed25519",
  "sk-ssh-ed25519@openssh.com",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ecdsa-sha2-nistp256@openssh.com",
  "ssh-rsa",
]);

const MIN_RSA_BITS = 2048;

/** Reads one SSH wire-format string (uint32 length, then bytes) at `offset`. */
function readString(blob: Buffer, offset: number): { value: Buffer; next: number } | undefined {
  if (offset + 4 > blob.length) return undefined;
  const len = blob.readUInt32BE(offset);
  const start = offset + 4;
  if (start + len > blob.length) return undefined;
  return { value: blob.subarray(start, start + len), next: start + len };
}

/** Undefined when `line` is a usable public key; otherwise what is expected instead. */
export function sshPublicKeyProblem(line: string): string | undefined {
  if (line.includes("PRIVATE KEY")) return "public keys only (this looks like a private key: never share it)";
  if (/[\r\n]/.test(line)) return "one key per list item, on one line";
  const [type, data] = line.trim().split(/\s+/, 2);
  if (!type || !ALLOWED.has(type)) {
    return `an OpenSSH public key line starting with one of ${[...ALLOWED].join(", ")}`;
  }
  if (!data || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return "an OpenSSH public key line: type, base64 key, optional comment";
  const blob = Buffer.from(data, "base64");
  const inner = readString(blob, 0);
  if (!inner || inner.value.toString("latin1") !== type) {
    return `an OpenSSH public key whose encoded type matches "${type}" (the key looks truncated or altered)`;
  }
  if (type === "ssh-rsa") {
    const e = readString(blob, inner.next);
    const n = e && readString(blob, e.next);
    if (!n) return "a complete ssh-rsa public key (the key looks truncated)";
    const modulus = n.value[0] === 0 ? n.value.subarray(1) : n.value;
    if (modulus.length * 8 < MIN_RSA_BITS) return `an RSA key of at least ${MIN_RSA_BITS} bits, or better an ed25519 key`;
  }
  return undefined;
}
