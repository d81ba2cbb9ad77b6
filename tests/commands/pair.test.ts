import { USAGE, pairingCommand, remoteCommand } from "../../commands/pair";
import { sshArgs } from "../../commands/lib/remote";

describe("npm run pair", () => {
  it("lists and approves Telegram pairing codes", () => {
    expect(pairingCommand(["telegram"])).toEqual(["pairing", "list", "telegram"]);
    expect(pairingCommand(["telegram", "ab12cd34"])).toEqual(["pairing", "approve", "telegram", "AB12CD34"]);
  });

  it("lists and approves devices", () => {
    expect(pairingCommand(["devices"])).toEqual(["devices", "list"]);
    expect(pairingCommand(["devices", "req_123-abc"])).toEqual(["devices", "approve", "req_123-abc"]);
  });

  it("refuses anything that is not a code or an id before it could reach a shell", () => {
    expect(pairingCommand(["telegram", "AB12;rm -rf /"])).toBe("not a pairing code: AB12;rm -rf /");
    expect(pairingCommand(["devices", "$(id)"])).toBe("not a device request id: $(id)");
    expect(pairingCommand(["bogus"])).toBe(USAGE);
    expect(pairingCommand(["telegram", "AB12CD34", "extra"])).toBe(USAGE);
  });

  it("runs OpenClaw as the gateway's account, over ssh with only the deploy key and the pinned host key", () => {
    expect(sshArgs("/tmp/k", "claw.tail1234.ts.net", remoteCommand(["devices", "list"]), ["-o", "StrictHostKeyChecking=yes"])).toEqual([
      "-i", "/tmp/k", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
      "ops@claw.tail1234.ts.net", "sudo", "-u", "openclaw", "-H", "openclaw", "devices", "list",
    ]);
  });
});
