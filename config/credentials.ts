/**
 * What a value looks like, when it looks like a credential: error messages name that
 * instead of printing the value (a private key pasted into operatorSshKeys, a bot token typed
 * into telegramOwnerId, an auth key in tailscaleTags), because CI logs keep what they print.
 */

const SHAPES: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----|PRIVATE KEY/, "a private key"],
  [/tskey-auth-/, "a Tailscale auth key"],
  [/tskey-api-/, "a Tailscale API access token"],
  [/tskey-client-/, "a Tailscale OAuth client secret"],
  [/\b\d{5,12}:[A-Za-z0-9_-]{30,}/, "a Telegram bot token"],
  [/sk-ant-/, "an Anthropic API key"],
  [/\bsk-(proj-)?[A-Za-z0-9_-]{16,}/, "an OpenAI API key"],
  [/dop_v1_[0-9a-f]{16,}/, "a DigitalOcean token"],
  [/(^|[^A-Za-z0-9+/])[A-Za-z0-9]{64}($|[^A-Za-z0-9+/])/, "a Hetzner API token"],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/, "a GitHub token"],
];

/** A description of the credential the text looks like, or undefined. */
export function credentialShape(text: string): string | undefined {
  for (const [pattern, what] of SHAPES) if (pattern.test(text)) return what;
  return undefined;
}
