/**
 * What the two bundle scripts share (the files step's, gateway/index.ts renderFilesBundle, and
 * the host step's, gateway/hostStep.ts): a `put` shell function that writes a file from stdin
 * only when its content, mode or owner differs, and the quoted here-document that feeds it.
 */

const EOF_MARK = "OPENCLAW_VPS_FILE_END";

/**
 * `put <mode> <path> [on change]`: installs stdin at path (root's) unless it is already so,
 * counts the change in `changed`, prints `<label>: wrote <path>`, and runs `onChange` (bash,
 * which may read the third argument as "$3") when a third argument was given.
 */
export function putFunction(label: string, onChange: string): string[] {
  return [
    "# put <mode> <path> [on change]: the file's content arrives on stdin.",
    "put() {",
    "  local mode=$1 path=$2 tmp",
    "  tmp=$(mktemp)",
    '  cat >"$tmp"',
    '  if [ -f "$path" ] && cmp -s "$tmp" "$path" && [ "$(stat -c \'%a %u\' "$path")" = "${mode#0} 0" ]; then',
    '    rm -f "$tmp"',
    "    return",
    "  fi",
    '  install -D -m "$mode" -o root -g root "$tmp" "$path"',
    '  rm -f "$tmp"',
    "  changed=$((changed + 1))",
    `  if [ -n "\${3:-}" ]; then ${onChange}; fi`,
    `  echo "${label}: wrote $path"`,
    "}",
  ];
}

/** `  <command> <<'MARK'`, the content, and the mark: no expansion inside. */
export function hereDocument(command: string, path: string, content: string): string[] {
  if (content.split("\n").includes(EOF_MARK)) throw new Error(`${path} contains the here-document marker`);
  return [`  ${command} <<'${EOF_MARK}'`, content.replace(/\n$/, ""), EOF_MARK];
}
