/**
 * The terminal chat: one line in, one answer out. Slash commands come from the shared command table; anything
 * else is a question. Works interactively (a prompt) and with questions piped on stdin (exits at EOF).
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { type CommandReply, findCommand, parseTextArgs } from "../../commands/table.js";
import type { Logger } from "../../core/ports.js";
import type { NewsService } from "../../service/news-service.js";
import { renderReply } from "./render.js";

export interface TerminalChatOptions {
  readonly input?: Readable;
  readonly output?: Writable;
  /** Show a prompt and a greeting (interactive terminals). */
  readonly interactive?: boolean;
  readonly logger?: Logger;
}

/** Turns one line of input into a reply: `/command args` through the table, other text through `ask`. */
export async function replyToLine(service: NewsService, line: string): Promise<CommandReply> {
  const trimmed = line.trim();
  const match = /^\/([A-Za-z_]+)(?:@\S+)?\s*([\s\S]*)$/.exec(trimmed);
  if (match) {
    const command = findCommand(match[1]!);
    if (!command)
      return { kind: "text", text: `Unknown command /${match[1]}. Type /help to see what I can do.` };
    const parsed = parseTextArgs(command, match[2] ?? "");
    if (!parsed.ok) return { kind: "text", text: parsed.message };
    return command.run(parsed.args, {
      service,
      platform: "terminal",
      chatId: "terminal",
      userId: "terminal",
    });
  }
  return { kind: "answer", question: trimmed, answer: await service.ask(trimmed) };
}

export async function runTerminalChat(
  service: NewsService,
  options: TerminalChatOptions = {},
): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const interactive = options.interactive ?? (process.stdin.isTTY === true && input === process.stdin);
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  const write = (text: string) => output.write(`${text}\n`);
  if (interactive) {
    const sources = await service.sources();
    const examples = await service.examples(2);
    write(`Ask me about the news (${sources.articles} articles). /help for commands, Ctrl+D to quit.`);
    if (examples.length) write(`For example: ${examples[0]}`);
    output.write("> ");
  }
  for await (const line of rl) {
    if (line.trim() === "") {
      if (interactive) output.write("> ");
      continue;
    }
    try {
      write(renderReply(await replyToLine(service, line)));
    } catch (error) {
      options.logger?.error("chat: failed to answer", { error: String(error) });
      write("Sorry, something went wrong while answering that. Please try again.");
    }
    if (interactive) output.write("\n> ");
  }
}
