/**
 * The coding rehearsal's side of the coder's far ends (rehearsal/standins/coding.py): the
 * owner on Telegram, the scripted model's tasks, the GitHub stand-in's repositories, and
 * everything they recorded. Driven through the stand-in's control port, inside the internet's
 * namespace.
 */
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { Machine, must } from "./rehearsal";
import { Addresses } from "./rehearsalSpec";

export type Bot = "chat" | "coder";

/** One call a bot made to the Bot API, or one thing the owner did. */
export interface TelegramCall {
  readonly t: number;
  readonly bot: Bot | "watcher";
  readonly method: string;
  readonly params: {
    readonly text?: string;
    readonly message_id?: number;
    readonly data?: string;
    readonly reply_markup?: { readonly inline_keyboard?: { readonly text: string; readonly callback_data: string }[][] };
  };
}

export interface ModelRequest {
  readonly t: number;
  readonly model: string;
  readonly tools: string[];
  readonly lastToolResult: string | null;
}

export interface PullRequest {
  readonly number: number;
  readonly title: string;
  readonly state: string;
  readonly head: { readonly ref: string; readonly sha: string };
  readonly base: { readonly ref: string };
}

export interface WorldState {
  readonly calls: TelegramCall[];
  readonly model: ModelRequest[];
  readonly repos: Record<string, Record<string, string>>;
  readonly pulls: PullRequest[];
  readonly git: { method: string; path: string; push: boolean; token: string }[];
  /** The heartbeat service (heartbeat.py): its checks and the notifications it sent. */
  readonly heartbeat: {
    checks: Record<string, { name: string; status: string; pings: number; lastPing: number }>;
    notifications: { at: number; name: string; status: string; text: string }[];
  };
}

/** A step of a scripted task: a tool call ("{sha}" is the last commit id printed) or a reply. */
export type Step = { readonly tool: string; readonly input: Record<string, unknown> } | { readonly text: string };

/** An approval request the coder bot sent: its message and its two buttons. */
export interface Approval {
  readonly messageId: number;
  readonly text: string;
  readonly allow: string;
  readonly deny: string;
}

export class CodingWorld {
  constructor(
    readonly machine: Machine,
    readonly addresses: Addresses,
  ) {}

  /** Writes the stand-in's settings for rehearsal/machine.sh: who the owner and bots are, the tokens. */
  static settings(work: string, ownerId: string, bots: Record<Bot, string>, readToken: string, writeToken: string, controlPort: string): string {
    const root = join(work, "coding-world");
    mkdirSync(root, { recursive: true });
    const file = join(work, "coding.json");
    writeFileSync(file, JSON.stringify({ root, ownerId, bots, readToken, writeToken, controlPort }), { mode: 0o600 });
    return file;
  }

  private call(method: "GET" | "POST", path: string, body?: unknown): unknown {
    const args = ["-sS", "--fail-with-body", "--max-time", "30", "-X", method, `http://127.0.0.1:${this.addresses.CODING_CONTROL_PORT}${path}`];
    if (body !== undefined) args.push("-H", "content-type: application/json", "--data-binary", "@-");
    const r = must(this.machine.inNamespace("inet", "curl", args, { input: body === undefined ? "" : JSON.stringify(body), timeoutSeconds: 40 }), `the coding stand-in: ${method} ${path}`);
    return JSON.parse(r.stdout) as unknown;
  }

  repo(name: string, files: Record<string, string>): Record<string, string> {
    return (this.call("POST", "/repo", { name, files }) as { refs: Record<string, string> }).refs;
  }

  task(tag: string, steps: readonly Step[]): void {
    this.call("POST", "/model/task", { tag, steps });
  }

  say(bot: Bot, text: string): void {
    this.call("POST", "/owner/say", { bot, text });
  }

  press(bot: Bot, messageId: number, data: string): void {
    this.call("POST", "/owner/press", { bot, message_id: messageId, data });
  }

  /** A check at the heartbeat service, as the owner makes one: its period and grace in seconds. */
  heartbeatCheck(code: string, name: string, timeout: number, grace: number): void {
    this.call("POST", "/heartbeat/check", { code, name, timeout, grace });
  }

  state(): WorldState {
    return this.call("GET", "/state") as WorldState;
  }

  /** Waits (bounded) until `found` returns something for the state; the last state if it never does. */
  async until<T>(what: string, seconds: number, found: (s: WorldState) => T | undefined): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const s = this.state();
      const hit = found(s);
      if (hit !== undefined) return hit;
      if (Date.now() > deadline) throw new Error(`${what}: not seen in ${seconds} s; the coder bot's last calls: ${JSON.stringify(s.calls.filter((c) => c.bot === "coder").slice(-6))}`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  /** The approval requests the coder bot sent after call index `from`. */
  static approvals(s: WorldState, from: number): Approval[] {
    return s.calls.slice(from).flatMap((c) => {
      const row = c.bot === "coder" && c.method === "sendMessage" ? c.params.reply_markup?.inline_keyboard?.[0] : undefined;
      const allow = row?.find((b) => b.callback_data.startsWith("tga1:p:o:"));
      const deny = row?.find((b) => b.callback_data.startsWith("tga1:p:d:"));
      return allow && deny && c.params.message_id !== undefined ? [{ messageId: c.params.message_id, text: c.params.text ?? "", allow: allow.callback_data, deny: deny.callback_data }] : [];
    });
  }

  /** The coder bot's plain replies (no buttons) after call index `from`. */
  static replies(s: WorldState, from: number): string[] {
    return s.calls
      .slice(from)
      .filter((c) => c.bot === "coder" && c.method === "sendMessage" && !c.params.reply_markup && c.params.text !== "<b>Working</b>")
      .map((c) => c.params.text ?? "");
  }

  /** The conversation as the owner saw it, in order: what they sent, what the bot sent or edited. */
  static transcript(s: WorldState, from = 0): string[] {
    return s.calls.slice(from).flatMap((c) => {
      const text = (c.params.text ?? "").replace(/\s+/g, " ").slice(0, 240);
      if (c.method === "owner:message") return [`owner → ${c.bot} bot: ${text}`];
      if (c.method === "owner:press") return [`owner presses ${c.params.data?.startsWith("tga1:p:o:") ? "Allow Once" : c.params.data?.startsWith("tga1:p:d:") ? "Deny" : c.params.data}`];
      if (c.method === "sendMessage" && text !== "<b>Working</b>") return [`${c.bot} bot: ${text}${c.params.reply_markup?.inline_keyboard?.length ? " [Allow Once] [Deny]" : ""}`];
      if (c.method === "editMessageText") return [`${c.bot} bot edits #${c.params.message_id}: ${text}`];
      return [];
    });
  }
}
