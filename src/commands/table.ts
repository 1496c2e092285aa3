/**
 * The one command table shared by Telegram, Discord and the terminal chat.
 * Discord slash-command JSON and Telegram `setMyCommands` are both generated from it, so the bots cannot drift.
 * Each command: name, description, options (with a zod schema for its arguments) and a `run` that calls the service.
 */
import { z } from "zod";
import type { Briefing } from "../core/briefing.js";
import type { Answer, AnswerQuote, CorpusSummary } from "../core/types.js";
import type { SubscriptionStore } from "../infra/subscription-store.js";
import type { NewsService } from "../service/news-service.js";
import { briefingCommands, storyDetailsReply } from "./briefing-commands.js";

/** A command option as platforms declare it. Every option is a string; zod validates the values. */
export interface CommandOption {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  /** Discord autocomplete source, if any. */
  readonly autocomplete?: "speaker";
  readonly maxLength?: number;
}

/** Who is asking, so commands can scope state (subscriptions) or permissions. */
export interface CommandContext {
  readonly service: NewsService;
  readonly platform: "telegram" | "discord" | "terminal";
  readonly chatId: string;
  readonly userId: string;
  /** False in a Discord server channel when the member lacks Manage Server; DMs and other platforms: true/absent. */
  readonly canManage?: boolean;
  /** Subscription storage for /subscribe, /unsubscribe, /subscriptions; absent when the bot runs without it. */
  readonly subscriptions?: Pick<SubscriptionStore, "subscribe" | "unsubscribe" | "get">;
  /** The chat's default IANA zone for /briefing and /subscribe (config BRIEFING_TZ); default UTC. */
  readonly timeZone?: string;
}

/** Platform-neutral replies; each adapter renders them in its own format. */
export type CommandReply =
  | { readonly kind: "answer"; readonly question: string; readonly answer: Answer }
  | {
      readonly kind: "quotes";
      readonly query: string;
      readonly speaker: string | null;
      readonly role: string | null;
      readonly quotes: readonly AnswerQuote[];
    }
  | { readonly kind: "sources"; readonly summary: CorpusSummary }
  | { readonly kind: "briefing"; readonly briefing: Briefing }
  | {
      readonly kind: "text";
      readonly text: string;
      readonly examples?: readonly string[];
      /** A refusal meant for the asker alone: Discord shows it ephemerally instead of in the channel. */
      readonly notice?: boolean;
    };

export interface CommandDefinition<A extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly options: readonly CommandOption[];
  readonly args: z.ZodType<A>;
  /** Ends with a question the service answers, so adapters apply the per-user question rate limit. */
  readonly asksQuestion: boolean;
  run(args: A, context: CommandContext): Promise<CommandReply>;
}

export const MAX_QUESTION_LENGTH = 1000;

const text = (name: string, max: number) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, `${name} is required`)
    .max(max, `${name} must be at most ${max} characters`);

function defineCommand<A extends Record<string, unknown>>(
  definition: CommandDefinition<A>,
): CommandDefinition {
  return definition as unknown as CommandDefinition;
}

export const BOT_DESCRIPTION =
  "I answer questions about the news with exact quotes from the articles I hold, each cited with its title, outlet, date and link.";

async function helpReply(context: CommandContext, intro: string): Promise<CommandReply> {
  const examples = await context.service.examples(3);
  const lines = commandTable.map((c) => `/${c.name} - ${c.description}`);
  return { kind: "text", text: `${intro}\n\n${lines.join("\n")}`, examples };
}

export const commandTable: readonly CommandDefinition[] = [
  defineCommand({
    name: "start",
    description: "What this bot does, with example questions",
    options: [],
    args: z.object({}),
    asksQuestion: false,
    run: (_args, context) => helpReply(context, `${BOT_DESCRIPTION} Just send me a question.`),
  }),
  defineCommand({
    name: "help",
    description: "How to use the bot",
    options: [],
    args: z.object({}),
    asksQuestion: false,
    run: (_args, context) => helpReply(context, BOT_DESCRIPTION),
  }),
  defineCommand({
    name: "ask",
    description: "Ask a question about the news",
    options: [
      {
        name: "question",
        description: "Your question",
        required: true,
        maxLength: MAX_QUESTION_LENGTH,
      },
    ],
    args: z.object({ question: text("question", MAX_QUESTION_LENGTH) }),
    asksQuestion: true,
    run: async ({ question }, context) =>
      (await storyDetailsReply(question, context)) ?? {
        kind: "answer",
        question,
        answer: await context.service.ask(question),
      },
  }),
  defineCommand({
    name: "quotes",
    description: "Quotes of a person or role, newest first",
    options: [
      {
        name: "speaker",
        description: "A person or role, e.g. Annie Kelly or spokesperson",
        required: true,
        autocomplete: "speaker",
        maxLength: 200,
      },
    ],
    args: z.object({ speaker: text("speaker", 200) }),
    asksQuestion: true,
    run: async ({ speaker }, context) => {
      const result = await context.service.quotes(speaker, { limit: 5 });
      return { kind: "quotes", query: speaker, ...result };
    },
  }),
  defineCommand({
    name: "sources",
    description: "What the bot's articles cover: count, dates, outlets",
    options: [],
    args: z.object({}),
    asksQuestion: false,
    run: async (_args, context) => ({ kind: "sources", summary: await context.service.sources() }),
  }),
  ...briefingCommands,
];

export function findCommand(name: string): CommandDefinition | undefined {
  const wanted = name.toLowerCase();
  return commandTable.find((c) => c.name === wanted);
}

export type ParsedArgs =
  | { readonly ok: true; readonly args: Record<string, unknown> }
  | { readonly ok: false; readonly message: string };

/**
 * Validates named option values (Discord) against the command's schema.
 * The message on failure is short and safe to show to a user.
 */
export function parseNamedArgs(command: CommandDefinition, values: Record<string, unknown>): ParsedArgs {
  const parsed = command.args.safeParse(values);
  if (parsed.success) return { ok: true, args: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, message: `${first?.message ?? "Invalid arguments"}. Usage: ${usage(command)}` };
}

/** Validates the free text after a command (Telegram, terminal): it fills the command's first option. */
export function parseTextArgs(command: CommandDefinition, rest: string): ParsedArgs {
  const first = command.options[0];
  return parseNamedArgs(command, first ? { [first.name]: rest } : {});
}

export function usage(command: CommandDefinition): string {
  const options = command.options.map((o) => (o.required ? `<${o.name}>` : `[${o.name}]`));
  return [`/${command.name}`, ...options].join(" ");
}

export type { CorpusSummary };
