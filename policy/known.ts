/**
 * Reading values a preview may not know yet. The policy SDK hands rules the engine's view of
 * each resource, where anything not computed yet (a new resource's id, a value derived from
 * one) is a sentinel that throws `UnknownValueError` when read. A rule that lets the error
 * escape is not run: the SDK turns it into an advisory note, for the whole stack. So rules
 * read through these helpers and decide, themselves, what an unknown value means.
 */
import { UnknownValueError } from "@pulumi/policy";

/** A value the engine does not know yet. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

/** `obj[key]`, or UNKNOWN; undefined when `obj` is not an object. */
export function read(obj: unknown, key: string | number): unknown {
  if (obj === null || typeof obj !== "object") return undefined;
  try {
    return (obj as Record<string | number, unknown>)[key];
  } catch (err) {
    if (err instanceof UnknownValueError) return UNKNOWN;
    throw err;
  }
}

/**
 * A list property: UNKNOWN when the whole list is not known (a set with an unknown member
 * often is), otherwise its elements, each possibly UNKNOWN; undefined when absent.
 */
export function elements(obj: unknown, key: string): unknown[] | Unknown | undefined {
  const list = read(obj, key);
  if (list === UNKNOWN) return UNKNOWN;
  if (!Array.isArray(list)) return undefined;
  return Array.from({ length: list.length }, (_, i) => read(list, i));
}

/** The keys of an object whose values may be unknown: listing them reads none. */
export function keys(obj: unknown): string[] {
  return obj !== null && typeof obj === "object" ? Object.keys(obj) : [];
}
