/**
 * Renders INI-style files (systemd units and drop-ins, journald and resolved drop-ins,
 * fail2ban jails) from data. Values are written as given, so callers pass only values they
 * built themselves; a value with a line break is refused, since it would start a new key.
 */

/** A section's entries; an array repeats the key once per value (e.g. ExecStartPre). */
export type IniSection = Readonly<Record<string, string | number | boolean | readonly string[]>>;
export type IniFile = Readonly<Record<string, IniSection>>;

function line(key: string, value: string | number | boolean): string {
  const text = String(value);
  if (/[\r\n]/.test(text) || /[\r\n=[\]]/.test(key)) throw new Error(`ini: refusing a line break in ${key}`);
  return `${key}=${text}`;
}

/** Sections in the order given, keys in the order given: the order is part of the meaning. */
export function renderIni(file: IniFile, header?: string): string {
  const out: string[] = [];
  if (header) out.push(...header.split("\n").map((l) => `# ${l}`), "");
  for (const [section, entries] of Object.entries(file)) {
    out.push(`[${section}]`);
    for (const [key, value] of Object.entries(entries)) {
      if (Array.isArray(value)) for (const v of value as readonly string[]) out.push(line(key, v));
      else out.push(line(key, value as string | number | boolean));
    }
    out.push("");
  }
  return out.join("\n");
}
