/**
 * components/local/wait-for-host.js, the deploy's wait for the new server: it decides by the host key
 * ssh-keyscan shows. A stand-in ssh-keyscan on PATH keeps the real one's behaviour that
 * matters here: a host that does not answer within -T prints nothing (and exits 0), and
 * `-t TYPE` limits the lines to that type.
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "fs";
import { createServer, Server } from "net";
import { AddressInfo } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { limitMs } from "../../limits";

const SCRIPT = join(__dirname, "../../../components/local/wait-for-host.js");
const PINNED = "AAAAC3NzaC1lZDI1NTE5AAAAIBqr0DL2vs9N+KQ3wobDbcbpVvNd3C7moRk2ipOnnH4P";
const OTHER = "AAAAC3NzaC1lZDI1NTE5AAAAIECIIEqZbtpRmkOhZ6ye30Crc2PAUhaNzkLhYUdxzves";

/** A stand-in ssh-keyscan answering, scan after scan, with the given keys ("" = no answer in time). */
function keyscan(answers: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "keyscan-"));
  const script = [
    "#!/bin/sh",
    `n=$(cat ${dir}/count 2>/dev/null || echo 0); echo $((n + 1)) > ${dir}/count`,
    'type=""; while [ $# -gt 0 ]; do [ "$1" = -t ] && type=$2; shift; done',
    ...answers.map((a, i) => `[ "$n" = ${i} ] && { [ -n "${a}" ] && { [ -z "$type" ] || [ "$type" = ssh-ed25519 ]; } && echo "127.0.0.1 ssh-ed25519 ${a}"; exit 0; }`),
    "exit 0",
    "",
  ].join("\n");
  writeFileSync(join(dir, "ssh-keyscan"), script);
  chmodSync(join(dir, "ssh-keyscan"), 0o755);
  return dir;
}

describe("wait-for-host.js and the host key", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  const wait = (answers: string[]) =>
    spawnSync(process.execPath, [SCRIPT, "127.0.0.1", String(port), "20", `ssh-ed25519 ${PINNED}`], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${keyscan(answers)}:${process.env.PATH ?? ""}` },
      timeout: limitMs(15),
    });

  it("passes the pinned key", () => {
    const r = wait([PINNED]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("shows the pinned host key");
  });

  it("passes a busy host whose first answer came too late, when the next shows the pinned key", () => {
    const r = wait(["", PINNED]);
    expect(`${r.stdout}${r.stderr}`).not.toContain("offers only");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("shows the pinned host key");
  });

  it("stops at another key, whichever scan shows it", () => {
    expect(wait([OTHER]).status).toBe(1);
    const late = wait(["", OTHER]);
    expect(late.status).toBe(1);
    expect(late.stderr).toContain("not this stack's");
  });
});
