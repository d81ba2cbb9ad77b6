/**
 * The docs check (tests/repo/readme.test.ts) holds every `pulumi` line in the README and the
 * docs against a table of the CLI's subcommands and flags, written from its reference pages.
 * Here the table is held against the real CLI's own `--help`: every subcommand exists, every
 * flag the table names is one the CLI has, and takes a value exactly when the table says so.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cli, toolchainBin } from "../../tools/lib/realEngine";
import { GLOBAL, PULUMI_FLAGS } from "../helpers/cliFlags";
import { describeReal } from "./dayTwo";

const bin = toolchainBin() ?? "";

/** The flags a `--help` page lists: long and short name, and whether a value must follow. */
export function helpFlags(help: string): Map<string, boolean> {
  const flags = new Map<string, boolean>();
  for (const line of help.split("\n")) {
    const m = /^\s+(?:-(\w), )?--([\w-]+)(?: (\S+))?\s{2,}/.exec(line);
    if (!m) continue;
    // A type word ("string", "stringArray", "int32") means a value; `[=...]` makes it optional.
    const takesValue = m[3] !== undefined && !m[3].includes("[=");
    flags.set(`--${m[2]}`, takesValue);
    if (m[1]) flags.set(`-${m[1]}`, takesValue);
  }
  return flags;
}

describeReal("the docs' table of CLI flags, against the real CLI", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-flags-"));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it.each(Object.keys(PULUMI_FLAGS))("pulumi %s", (sub) => {
    const r = cli(bin, [...sub.split(" "), "--help"], scratch, path.join(scratch, "home"));
    expect(r.code).toBe(0);
    // cobra prints the command's usage line and its aliases; an unknown subcommand would
    // print its parent's help instead (`stack init` is an alias of `stack new` in 3.248).
    const words = sub.split(" ");
    const usage = /Usage:\n\s+pulumi ((?:[a-z-]+ ?)+)/.exec(r.stdout)?.[1].trim().split(" ") ?? [];
    const aliases = /Aliases:\n\s+(.+)/.exec(r.stdout)?.[1].split(/,\s*/) ?? [];
    expect(usage.slice(0, words.length - 1)).toEqual(words.slice(0, -1));
    expect([usage[words.length - 1], ...aliases]).toContain(words[words.length - 1]);
    const real = helpFlags(r.stdout);
    expect(real.size).toBeGreaterThan(0);
    const expected = { ...GLOBAL, ...PULUMI_FLAGS[sub] };
    const mismatches = Object.entries(expected)
      .filter(([flag, value]) => real.get(flag) !== value)
      .map(([flag, value]) => `${flag}: the table says ${value ? "takes a value" : "takes none"}, the CLI ${real.has(flag) ? (real.get(flag) ? "takes a value" : "takes none") : "has no such flag"}`);
    expect(mismatches).toEqual([]);
  });
});
