import { generateKeyPairSync } from "crypto";
import { sshPublicKeyProblem } from "../../config/sshKey";

function wire(...parts: Buffer[]): Buffer {
  return Buffer.concat(parts.flatMap((p) => [Buffer.from([0, 0, (p.length >> 8) & 0xff, p.length & 0xff]), p]));
}

function ed25519Line(): string {
  const blob = wire(Buffer.from("ssh-ed25519"), Buffer.alloc(32, 1));
  return `ssh-ed25519 ${blob.toString("base64")} alice@example`;
}

function rsaLine(bits: number): string {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const jwk = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const mpint = (b64url: string) => {
    const raw = Buffer.from(b64url, "base64url");
    return raw[0] & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw;
  };
  return `ssh-rsa ${wire(Buffer.from("ssh-rsa"), mpint(jwk.e), mpint(jwk.n)).toString("base64")}`;
}

describe("sshPublicKeyProblem", () => {
  it("accepts an ed25519 key with a comment", () => {
    expect(sshPublicKeyProblem(ed25519Line())).toBeUndefined();
  });

  it("accepts RSA of 3072 bits and refuses 1024", () => {
    expect(sshPublicKeyProblem(rsaLine(3072))).toBeUndefined();
    expect(sshPublicKeyProblem(rsaLine(1024))).toBe("an RSA key of at least 2048 bits, or better an ed25519 key");
  });

  it("refuses a private key outright", () => {
    expect(sshPublicKeyProblem("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...")).toBe(
      "public keys only (this looks like a private key: never share it)",
    );
  });

  it("refuses unknown and retired key types", () => {
    expect(sshPublicKeyProblem("ssh-dss AAAAB3NzaC1kc3M= old")).toMatch(/^an OpenSSH public key line starting with one of ssh-ed25519/);
  });

  it("refuses a key whose encoded type differs from its label", () => {
    const blob = wire(Buffer.from("ssh-rsa"), Buffer.alloc(3, 1)).toString("base64");
    expect(sshPublicKeyProblem(`ssh-ed25519 ${blob}`)).toBe(
      'an OpenSSH public key whose encoded type matches "ssh-ed25519" (the key looks truncated or altered)',
    );
  });

  it("refuses a key without its base64 body", () => {
    expect(sshPublicKeyProblem("ssh-ed25519")).toBe("an OpenSSH public key line: type, base64 key, optional comment");
  });
});
