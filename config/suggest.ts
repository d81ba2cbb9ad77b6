import { distance } from "fastest-levenshtein";

/** The known key closest to a mistyped one, if any is close enough to be a likely typo. */
export function suggestKey(given: string, known: readonly string[]): string | undefined {
  const lower = given.toLowerCase();
  let best: { key: string; d: number } | undefined;
  for (const key of known) {
    const d = key.toLowerCase() === lower ? 0 : distance(lower, key.toLowerCase());
    if (!best || d < best.d) best = { key, d };
  }
  const tolerance = Math.max(2, Math.floor(given.length / 3));
  return best && best.d <= tolerance ? best.key : undefined;
}
