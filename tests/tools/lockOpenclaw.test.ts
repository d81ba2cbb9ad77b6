import { USAGE, lockPlan } from "../../tools/lock-openclaw";
import { OPENCLAW_VERSIONS } from "../../gateway/locks";

describe("npm run lock:openclaw", () => {
  it("writes only the listed releases that have no lock, and keeps every existing one", () => {
    const [first, ...rest] = OPENCLAW_VERSIONS;
    expect(lockPlan([], (v) => v !== first)).toEqual({ write: [first], keep: rest });
    expect(lockPlan([], () => true)).toEqual({ write: [], keep: [...OPENCLAW_VERSIONS] });
  });

  it("resolves an existing lock again only when asked, and only for a listed release", () => {
    const [first, ...rest] = OPENCLAW_VERSIONS;
    expect(lockPlan(["--refresh", first], () => true)).toEqual({ write: [first], keep: rest });
    expect(lockPlan(["--refresh", "2026.1.1"], () => true)).toBe("not in OPENCLAW_VERSIONS (gateway/locks/index.ts): 2026.1.1; add a release there first");
    expect(lockPlan(["--refresh"], () => true)).toBe(USAGE);
    expect(lockPlan(["2026.9.6"], () => true)).toBe(USAGE);
  });
});
