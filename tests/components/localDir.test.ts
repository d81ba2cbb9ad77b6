/** Where local commands run: unset from this repository's root (as existing stacks recorded), the package's root elsewhere. */
import { join } from "path";
import { LOCAL_COMMAND_IGNORE, PACKAGE_ROOT, localCommandDir } from "../../components/localDir";
import { minimalConfig, run } from "../helpers/stack";
import { existsSync } from "fs";

describe("localCommandDir", () => {
  it("is the directory holding scripts/", () => {
    expect(existsSync(join(PACKAGE_ROOT, "scripts", "wait-for-host.js"))).toBe(true);
  });

  it("leaves dir unset when the program runs from the package's root, and names the root from anywhere else", () => {
    expect(localCommandDir(PACKAGE_ROOT)).toBeUndefined();
    expect(localCommandDir(join(PACKAGE_ROOT, "."))).toBeUndefined();
    expect(localCommandDir("/srv/team-infra")).toBe(PACKAGE_ROOT);
  });

  it("is ignored after creation on every local command, so a move between machines re-runs nothing", async () => {
    const ev = await run(minimalConfig({ plain: { "openclaw-vps:restoreOnRebuild": "true" } }), { env: {} });
    const local = ev.registrations.filter((r) => r.type === "command:local:Command");
    expect(local.map((r) => r.name).sort()).toEqual(["openclaw-gateway-carry", "openclaw-gateway-wait"]);
    for (const r of local) expect(r.ignoreChanges).toEqual(LOCAL_COMMAND_IGNORE);
  });
});
