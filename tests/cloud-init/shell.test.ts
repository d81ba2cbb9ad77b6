import { execFileSync } from "child_process";
import fc from "fast-check";
import { shellArg, shellCommand } from "../../cloud-init/shell";

describe("shellArg", () => {
  it("leaves safe words bare and quotes the rest whole", () => {
    expect(shellArg("tag:openclaw,tag:prod")).toBe("tag:openclaw,tag:prod");
    expect(shellArg("s/^IPV6=.*/IPV6=yes/")).toBe("'s/^IPV6=.*/IPV6=yes/'");
    expect(shellArg("it's")).toBe("'it'\\''s'");
    expect(shellArg("")).toBe("''");
  });

  it("round-trips any argument through a real shell", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", minLength: 0, maxLength: 20 }).filter((s) => !s.includes("\0")), { maxLength: 4 }), (args) => {
        const out = execFileSync("sh", ["-c", `printf '%s\\037' ${shellCommand(args)}`], { encoding: "utf8" });
        expect(args.length === 0 ? [] : out.split("\x1f").slice(0, -1)).toEqual(args);
      }),
      { numRuns: 60 },
    );
  });
});
