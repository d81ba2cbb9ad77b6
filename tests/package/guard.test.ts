/**
 * The rebuild guard as the package's plugin serves it (pkg/provider.ts): the same decisions
 * as the dynamic guard this repository's program runs (components/rebuildGuard.ts), for the
 * one custom resource type the package owns, and nothing for any other type.
 */
import { OpenClawGatewayProvider } from "../../pkg/provider";
import { PACKAGE_REBUILD_GUARD_TYPE } from "../../components/rebuildGuard";

const URN = `urn:pulumi:dev::team-infra-py::openclaw-vps:index:OpenClawGateway$${PACKAGE_REBUILD_GUARD_TYPE}::assistant-rebuild-guard`;
const provider = new OpenClawGatewayProvider();

describe("the rebuild guard served by the package", () => {
  it("creates the guard holding the generation and the protect setting", async () => {
    expect(await provider.create(URN, { generation: "g1", protect: false })).toEqual({ id: "g1", outs: { generation: "g1", protect: false } });
  });

  it("lets a new generation through as a replacement while protect is off", async () => {
    expect(await provider.diff("g1", URN, { generation: "g1", protect: false }, { generation: "g2", protect: false })).toEqual({ changes: true, replaces: ["generation"], deleteBeforeReplace: false });
  });

  it("refuses a new generation while protect is on, now or in the run before, saying what to do", async () => {
    await expect(provider.diff("g1", URN, { generation: "g1", protect: true }, { generation: "g2", protect: false })).rejects.toThrow("while protect is on");
    await expect(provider.diff("g1", URN, { generation: "g1", protect: false }, { generation: "g2", protect: true })).rejects.toThrow("run `pulumi config set protect false`");
  });

  it("stores a protect change alone as an update that keeps the generation", async () => {
    expect(await provider.diff("g1", URN, { generation: "g1", protect: false }, { generation: "g1", protect: true })).toEqual({ changes: true });
    expect(await provider.update("g1", URN, { generation: "g1", protect: false }, { generation: "g1", protect: true })).toEqual({ outs: { generation: "g1", protect: true } });
  });

  it("serves no other custom resource type", () => {
    const other = URN.replace(PACKAGE_REBUILD_GUARD_TYPE, "openclaw-vps:index:Other");
    expect(() => provider.check(other, {}, {})).toThrow("openclaw-vps serves no custom resource of type openclaw-vps:index:Other");
  });
});
