/**
 * Off-site backups with the real tools (tests/conformance/offsite-backup.sh): OpenClaw makes
 * the backup, age encrypts it to the recipient config/age.ts derives (the same one
 * `age-keygen -y` prints), rclone stores it in an S3 stand-in (moto's server, from PyPI:
 * .ci/install-s3-standin.sh), retention prunes, and a fresh server restores the newest one.
 */
import { execFileSync } from "child_process";
import { existsSync } from "fs";
import { join } from "path";
import { ageRecipient } from "../../config/age";
import { plan, tempDir, writeStackFile } from "../helpers/planCli";
import { MATRIX } from "./matrix";
import { NODE24, OPENCLAW_ENTRY, requireOpenClaw } from "./openclawTools";
import { MOTO_SERVER } from "./s3Standin";
import { runResultScript } from "./tools";

it("stores each backup encrypted, keeps the newest, and restores the newest on a fresh server only", async () => {
  requireOpenClaw();
  if (!existsSync(MOTO_SERVER)) throw new Error(`${MOTO_SERVER} is missing: run bash .ci/install-s3-standin.sh`);
  // A real identity from age-keygen; its recipient as the program derives it, and as age does.
  const dir = tempDir("openclaw-vps-offsite-");
  const identityFile = join(dir, "identity.txt");
  execFileSync("age-keygen", ["-o", identityFile], { stdio: "ignore" });
  const identity = /^AGE-SECRET-KEY-1\S+$/m.exec(execFileSync("cat", [identityFile], { encoding: "utf8" }))![0];
  const recipient = ageRecipient(identity);
  expect(recipient).toBe(execFileSync("age-keygen", ["-y", identityFile], { encoding: "utf8" }).trim());

  const out = join(dir, "out");
  expect((await plan("--config", writeStackFile(MATRIX["hetzner-bridge"]), "--out", out)).code).toBe(0);
  const r = runResultScript(join(__dirname, "offsite-backup.sh"), [out, NODE24, OPENCLAW_ENTRY, MOTO_SERVER, identityFile, recipient!]);

  // What the store holds is age ciphertext: the canary in the archive is not in it.
  expect(r.canary_in_plain_archive).not.toBe("0");
  expect(r.stored_header).toBe("age-encryption.org/v1");
  expect(r.canary_in_stored_object).toBe("0");
  expect(r.push).toMatch(/^offsite: \S+-openclaw-backup\.tar\.gz\.age stored encrypted \(\d+ bytes\); 1 kept, 0 pruned$/);
  expect(JSON.parse(r.status)).toMatchObject({ ok: true, kept: 1, pruned: 0 });
  // Three days with KEEP=2: the first is pruned, the two newest stay.
  expect(r.push3).toMatch(/; 2 kept, 1 pruned$/);
  const objects = r.objects.split(",");
  expect(objects).toHaveLength(2);
  expect(objects).not.toContain(r.first_object);
  expect(objects).toContain(r.newest_object);
  // A server with state is never restored over; a wrong identity restores nothing.
  expect(r.restore_over_state).toMatch(/this server has its state already: nothing restored/);
  expect(r.wrong_identity_rc).not.toBe("0");
  expect(r.state_after_wrong_identity).toBe("absent");
  // A fresh server gets the newest backup, with the canary, the config and the modes.
  expect(r.restore.startsWith(`offsite: restored ${r.newest_object} in `)).toBe(true);
  expect(r).toMatchObject({ canary_restored: "1", restored_config: "same", restored_modes: "700 openclaw,600 openclaw" });
  expect(r.gateway_calls).toBe("systemctl stop openclaw-gateway.service,systemctl start openclaw-gateway.service");
});
