/**
 * install.sh installs exactly the tree of the version's shipped lock (npm ci), and leaves a
 * root-owned OpenClaw tree that the gateway's account can run and not write: the package's
 * own install scripts (and no dependency's) complete its lifecycle before the tree is locked.
 * An install with no lock, a tampered lock or one out of step with its package.json fails,
 * and the running version stays (tests/conformance/install-lifecycle.sh, the real npm and
 * the real openclaw package).
 */
import { readFileSync } from "fs";
import { join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { NODE24, OPENCLAW_VERSION, REFUSING_VERSION, requireOpenClaw } from "./openclawTools";
import { lockCounts } from "../../gateway/locks";
import { limitMs } from "../limits";

it("installs the lock's tree, which the gateway's account runs but cannot write; a second run changes nothing; a bad lock changes nothing", async () => {
  requireOpenClaw();
  const [first] = await renderMatrix();
  const results = runResultScript(join(__dirname, "install-lifecycle.sh"), [first.dir, NODE24, OPENCLAW_VERSION, REFUSING_VERSION], limitMs(150));
  const v = OPENCLAW_VERSION.replace(/\./g, "\\.");
  expect(results).toMatchObject({
    install_exit: "0",
    owner: "root",
    marker: "gone",
    writable_by_openclaw: "0",
    version_exit: "0",
    version: expect.stringMatching(new RegExp(`^OpenClaw ${v} `)),
    validate_exit: "0",
    second_install_exit: "0",
    second_install: `install: node v24.21.0 present|install: openclaw ${OPENCLAW_VERSION} present|install: current is already ${OPENCLAW_VERSION}`,
  });
  expect(JSON.parse(results.validate)).toMatchObject({ valid: true, warnings: [] });

  // The tree is the shipped lock's, package for package (the rendered lock is the checked-in one).
  const shipped = readFileSync(join(first.dir, "locks", OPENCLAW_VERSION, "package-lock.json"), "utf8");
  expect(shipped).toBe(readFileSync(join(__dirname, "../../gateway/locks", OPENCLAW_VERSION, "package-lock.json"), "utf8"));
  const counts = lockCounts(shipped);
  expect(results).toMatchObject({ lock_packages: String(counts.packages), lock_differ: "none", lock_disk_differ: "none", lock_missing: "none" });
  // Everything but the optional packages npm ci leaves out on this platform.
  expect(Number(results.lock_installed)).toBeGreaterThanOrEqual(counts.packages - counts.optional);

  // Three installs that must fail, each with the running version, its tree and its config untouched.
  expect(results).toMatchObject({
    nolock_exit: "1",
    nolock: expect.stringContaining(`install: no lock was shipped for openclaw@2026.9.4 (none in /etc/openclaw-vps/locks/2026.9.4; shipped: ${[REFUSING_VERSION, OPENCLAW_VERSION].sort().join(" ")})`),
    tampered_exit: "1",
    tampered: expect.stringContaining(`install: npm could not install openclaw@${REFUSING_VERSION} from its lock`),
    unsynced_exit: "1",
    unsynced: expect.stringContaining(`install: npm could not install openclaw@${REFUSING_VERSION} from its lock`),
    current_after: OPENCLAW_VERSION,
    configured_after: OPENCLAW_VERSION,
    trees: `${OPENCLAW_VERSION} current`,
  });
  // For the reasons meant: npm checked the changed integrity, and npm ci would not resolve.
  expect(results.tampered_package).toMatch(/^node_modules\//);
  expect(Number(results.tampered_integrity_error)).toBeGreaterThan(0);
  expect(Number(results.unsynced_npm_ci)).toBeGreaterThan(0);
});
