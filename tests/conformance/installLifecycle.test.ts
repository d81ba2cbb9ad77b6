/**
 * install.sh leaves a root-owned OpenClaw tree that the gateway's account can run and not
 * write: the package's own install scripts (and no dependency's) complete its lifecycle
 * before the tree is locked (tests/conformance/install-lifecycle.sh, the real npm and the
 * real openclaw package).
 */
import { join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { NODE24, OPENCLAW_VERSION, requireOpenClaw } from "./openclawTools";

it("installs a tree the gateway's account runs but cannot write, and a second run changes nothing", async () => {
  requireOpenClaw();
  const [first] = await renderMatrix();
  const results = runResultScript(join(__dirname, "install-lifecycle.sh"), [first.dir, NODE24, OPENCLAW_VERSION], 600_000);
  expect(results).toMatchObject({
    install_exit: "0",
    owner: "root",
    marker: "gone",
    writable_by_openclaw: "0",
    version_exit: "0",
    version: expect.stringMatching(new RegExp(`^OpenClaw ${OPENCLAW_VERSION.replace(/\./g, "\\.")} `)),
    validate_exit: "0",
    second_install_exit: "0",
    second_install: `install: node v24.21.0 present|install: openclaw ${OPENCLAW_VERSION} present|install: current is already ${OPENCLAW_VERSION}`,
  });
  expect(JSON.parse(results.validate)).toMatchObject({ valid: true, warnings: [] });
});
