/**
 * The manifest's firewall facts are what the real UFW and iptables hold on a host the rendered
 * scripts set up, and the drift check and the host step act on them as the server would
 * (tests/conformance/manifest-rules.sh). Also what the stand-ins for ufw and iptables in the
 * other checks print (tests/conformance/lib.sh verify_stubs): these same lines.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { renderCoding, renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { Manifest } from "../../gateway/manifest";

const UFW_RULE = "ufw allow 2222/tcp";
const DOCKER_RULE = '-A DOCKER-USER -s 10.0.0.0/8 -m comment --comment "temp access" -j ACCEPT';

describe.each([
  ["without coding", async () => (await renderMatrix())[0].dir],
  ["with coding", renderCoding],
])("the firewall facts %s", (_what, render) => {
  let results: Record<string, string> = {};
  let manifest: Manifest;
  beforeAll(async () => {
    const dir = await render();
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
    results = runResultScript(join(__dirname, "manifest-rules.sh"), [dir]);
  });

  it("are exactly what the real UFW and iptables hold after the rendered firewall, guard and coder rules", () => {
    expect(results.ufw_status).toBe("Status: active");
    expect(results.ufw_added.split("|")).toEqual(manifest.ufw.rules);
    expect(results.docker_user.split("|").sort()).toEqual([...manifest.dockerUser].sort());
    const defaults = Object.fromEntries(results.defaults.split("|").map((l) => l.split("=")).map(([k, v]) => [k, v.replace(/^"|"$/g, "")]));
    expect(defaults).toEqual(manifest.ufw.defaults);
  });

  it("pass the drift check, which names a rule added by hand to each; the host step's prune deletes both, and again changes nothing", () => {
    expect({ exit: results.drift_clean_exit, out: results.drift_clean }).toEqual({ exit: "0", out: "" });
    expect(results.drift_drifted_exit).toBe("1");
    expect(results.drift_drifted.split("|").sort()).toEqual(
      [`drift: /etc/ufw/user.rules: a rule the deploy did not add: ${UFW_RULE}`, `drift: iptables DOCKER-USER: a rule the deploy did not add: ${DOCKER_RULE}`].sort(),
    );
    expect(results.prune.split("|")).toEqual([`host: removed the UFW rule: ${UFW_RULE}`, `host: removed the DOCKER-USER rule: ${DOCKER_RULE}`, "changed=2"]);
    expect({ exit: results.drift_repaired_exit, out: results.drift_repaired }).toEqual({ exit: "0", out: "" });
    expect(results.prune_again).toBe("changed=0");
  });
});
