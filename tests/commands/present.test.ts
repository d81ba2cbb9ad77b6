/** The plan table's Outputs section: objects shown one field per line, never "[object Object]". */
import { outputLines } from "../../commands/lib/present";
import { planHere } from "../helpers/planCli";

describe("outputLines", () => {
  it("shows text as is, objects a field per line, lists and nested values as JSON", () => {
    expect(outputLines("https://x/")).toEqual(["https://x/"]);
    expect(outputLines({ enabled: true, list: "ssh a b", approve: "ssh a c <CODE>" })).toEqual(["enabled: true", "list: ssh a b", "approve: ssh a c <CODE>"]);
    expect(outputLines({ audit: { critical: 0 }, listeners: ["127.0.0.1:18789"] })).toEqual(['audit: {"critical":0}', 'listeners: ["127.0.0.1:18789"]']);
    expect(outputLines(["a", "b"])).toEqual(['["a","b"]']);
    expect(outputLines({})).toEqual(["{}"]);
  });

  it("the plan shows the pairing commands and the verification summary readably", async () => {
    const r = await planHere("--config", "examples/hetzner.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("[object Object]");
    expect(r.stdout).toMatch(/^ {2}devicePairing\s+approve: ssh -i \S+ ops@openclaw\.tail1234\.ts\.net sudo -u openclaw -H openclaw devices approve <requestId>$/m);
    expect(r.stdout).toMatch(/^\s+list: ssh -i \S+ ops@openclaw\.tail1234\.ts\.net sudo -u openclaw -H openclaw pairing list telegram$/m);
    expect(r.stdout).toMatch(/^ {2}verification\s+audit: \{"critical":0,"info":2,"warn":0\}$/m);
  });
});
