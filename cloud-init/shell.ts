/**
 * Quoting for the few argv lists rendered into shell text. Single quotes, the POSIX form
 * that passes shellcheck cleanly: safe words stay bare, anything else is quoted whole.
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellArg(arg: string): string {
  if (SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellArg).join(" ");
}
