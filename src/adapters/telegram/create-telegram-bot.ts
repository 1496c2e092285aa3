/**
 * The Telegram adapter: a grammY bot that turns messages into calls on the shared command table and renders
 * the replies. Handlers only translate; answering is the service's job. Start it with `runTelegramBot`.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { apiThrottler } from "@grammyjs/transformer-throttler";
import {
  Bot,
  type BotConfig,
  type BotError,
  type Context,
  GrammyError,
  HttpError,
  type Transformer,
} from "grammy";
import type { BotCommand, Message } from "grammy/types";
import {
  type CommandContext,
  type CommandDefinition,
  commandTable,
  findCommand,
  parseTextArgs,
} from "../../commands/table.js";
import type { Config } from "../../config/config.js";
import { isBriefingError } from "../../core/errors.js";
import { type Clock, type Logger, silentLogger, systemClock } from "../../core/ports.js";
import type { NewsService } from "../../service/news-service.js";
import { createRateLimiter } from "../../service/rate-limiter.js";
import { renderNotice, renderReply } from "./render.js";

/** What the Telegram adapter needs from the configuration. A full `Config` with `telegram` set fits. */
export interface TelegramBotConfig {
  readonly telegram: Pick<NonNullable<Config["telegram"]>, "token" | "apiRoot" | "allowedUsers">;
  readonly questionsPerMinute: number;
}

type ThrottlerOptions = NonNullable<Parameters<typeof apiThrottler>[0]>;
type AutoRetryOptions = NonNullable<Parameters<typeof autoRetry>[0]>;

export interface TelegramBotOptions {
  readonly logger?: Logger;
  /** Drives the per-user question limit; tests pass a hand-set clock. */
  readonly clock?: Clock;
  /** Passed to grammY's `Bot` (e.g. `botInfo` to skip `getMe`). `client.apiRoot` comes from the config. */
  readonly botConfig?: BotConfig<Context>;
  /** Outgoing throttling (Telegram's per-chat and global limits); `false` turns it off. */
  readonly throttle?: ThrottlerOptions | false;
  readonly retry?: AutoRetryOptions;
  /** How often the "typing…" indicator is renewed while an answer is being prepared. */
  readonly typingIntervalMs?: number;
  /** Extra context for every command: subscription storage and the default zone for /briefing and /subscribe. */
  readonly commandContext?: Pick<CommandContext, "subscriptions" | "timeZone">;
}

/** Defaults for the adapter, in one place. */
export const telegramDefaults = {
  /** Telegram shows "typing…" for about 5 seconds per call. */
  typingIntervalMs: 4_000,
  /** Retry 429 and 5xx a few times; a `retry_after` longer than this many seconds is not waited for. */
  maxRetryAttempts: 3,
  maxRetryDelaySeconds: 60,
  apology: "Sorry, something went wrong on my side. Please try again in a moment.",
  notAllowed: "Sorry, this bot is private.",
  notText: "Send me a question as text, or /help to see what I can do.",
} as const satisfies Record<string, string | number>;

/** The Telegram command menu, generated from the shared command table. */
export function telegramCommands(table: readonly CommandDefinition[] = commandTable): BotCommand[] {
  return table.map((c) => ({ command: c.name, description: c.description.slice(0, 256) }));
}

/** Replaces every occurrence of the bot token, so no log line or error message can leak it. */
export function redactToken(text: string, token: string): string {
  return token.length > 0 ? text.split(token).join("<token>") : text;
}

/** A one-line description of an error for logs: kind, code and message, with the token removed. */
export function describeError(error: unknown, token: string): Record<string, unknown> {
  if (error instanceof GrammyError) {
    return {
      error: "GrammyError",
      method: error.method,
      code: error.error_code,
      message: redactToken(error.description, token),
    };
  }
  if (error instanceof HttpError) return { error: "HttpError", message: redactToken(error.message, token) };
  if (isBriefingError(error)) {
    return { error: error.name, code: error.code, message: redactToken(error.message, token) };
  }
  if (error instanceof Error) return { error: error.name, message: redactToken(error.message, token) };
  return { error: typeof error };
}

interface ParsedCommand {
  readonly name: string;
  /** `@username` after the command, if any: `/ask@other_bot` is for another bot. */
  readonly target: string | null;
  readonly rest: string;
}

function parseCommand(message: Message.TextMessage): ParsedCommand | null {
  const entity = message.entities?.find((e) => e.type === "bot_command" && e.offset === 0);
  if (entity === undefined) return null;
  const [name = "", target] = message.text.slice(1, entity.length).split("@");
  return { name, target: target ?? null, rest: message.text.slice(entity.length).trim() };
}

function mentions(message: Message.TextMessage, username: string): boolean {
  const wanted = `@${username}`.toLowerCase();
  return (message.entities ?? []).some(
    (e) => e.type === "mention" && message.text.slice(e.offset, e.offset + e.length).toLowerCase() === wanted,
  );
}

function stripMention(text: string, username: string): string {
  const escaped = username.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text
    .replace(new RegExp(`@${escaped}\\b`, "gi"), " ")
    .replace(/\s+/g, " ")
    .trim();
}

function slowDown(retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return `You're asking faster than I can keep up. Please wait ${seconds} second${seconds === 1 ? "" : "s"} and ask again.`;
}

/** Sends messages in order; in groups the first one replies to the question so the thread stays readable. */
async function sendAll(ctx: Context, messages: readonly string[]): Promise<void> {
  const replyTo = ctx.chat?.type !== "private" ? ctx.msg?.message_id : undefined;
  for (const [index, html] of messages.entries()) {
    await ctx.reply(html, {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      ...(index === 0 && replyTo !== undefined
        ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
        : {}),
    });
  }
}

/** Shows "typing…" until `task` settles. A failed chat action never fails the answer. */
async function withTyping<T>(ctx: Context, intervalMs: number, task: () => Promise<T>): Promise<T> {
  const ping = () => void ctx.replyWithChatAction("typing").catch(() => {});
  ping();
  const timer = setInterval(ping, intervalMs);
  timer.unref();
  try {
    return await task();
  } finally {
    clearInterval(timer);
  }
}

function throttled(options: ThrottlerOptions): Transformer {
  const throttle = apiThrottler(options);
  // Chat actions are not messages; queueing them behind Telegram's one-message-per-second pacing only delays answers.
  return (prev, method, payload, signal) =>
    method === "sendChatAction" ? prev(method, payload, signal) : throttle(prev, method, payload, signal);
}

/**
 * Creates the Telegram bot for `service`. Outgoing calls are retried on 429 (`retry_after`) and 5xx and
 * throttled to Telegram's limits; questions are rate-limited per user (`config.questionsPerMinute`); an
 * optional allowlist (`telegram.allowedUsers`) refuses everyone else without touching the corpus. One error
 * boundary logs a failed update once (update id, never the token, never the message text) and apologises.
 */
export function createTelegramBot(
  service: NewsService,
  config: TelegramBotConfig,
  options: TelegramBotOptions = {},
): Bot {
  const { token, allowedUsers } = config.telegram;
  const logger = options.logger ?? silentLogger;
  const typingIntervalMs = options.typingIntervalMs ?? telegramDefaults.typingIntervalMs;
  const apiRoot = config.telegram.apiRoot?.replace(/\/+$/, "");
  const botConfig = options.botConfig ?? {};
  const bot = new Bot(token, {
    ...botConfig,
    client: { ...botConfig.client, ...(apiRoot !== undefined ? { apiRoot } : {}) },
  });

  // Installed first, so it runs innermost: a retried call keeps its place in the throttler's queue.
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: telegramDefaults.maxRetryAttempts,
      maxDelaySeconds: telegramDefaults.maxRetryDelaySeconds,
      rethrowHttpErrors: true,
      ...options.retry,
    }),
  );
  if (options.throttle !== false) bot.api.config.use(throttled(options.throttle ?? {}));

  const limiter = createRateLimiter({
    capacity: config.questionsPerMinute,
    refillPerMinute: config.questionsPerMinute,
    clock: options.clock ?? systemClock,
  });
  const allowed = allowedUsers === undefined ? undefined : new Set(allowedUsers);
  const ask = findCommand("ask");
  if (ask === undefined) throw new Error("The shared command table has no /ask command");

  const onError = async (error: BotError<Context>) => {
    logger.error("Telegram update failed", {
      updateId: error.ctx.update.update_id,
      ...describeError(error.error, token),
    });
    try {
      if (error.ctx.chatId !== undefined) await sendAll(error.ctx, renderNotice(telegramDefaults.apology));
    } catch (apologyError) {
      logger.debug("Could not send the apology", describeError(apologyError, token));
    }
  };
  bot.catch(onError);
  const guarded = bot.errorBoundary(onError);

  const dispatch = async (ctx: Context, command: CommandDefinition, rest: string) => {
    const userId = String(ctx.from?.id ?? ctx.chatId);
    if (allowed !== undefined && !allowed.has(userId)) {
      logger.info("Refused a Telegram user not on the allowlist", { updateId: ctx.update.update_id });
      return sendAll(ctx, renderNotice(telegramDefaults.notAllowed));
    }
    const parsed = parseTextArgs(command, rest);
    if (!parsed.ok) return sendAll(ctx, renderNotice(parsed.message));
    if (command.asksQuestion) {
      const decision = limiter.take(userId);
      if (!decision.allowed) return sendAll(ctx, renderNotice(slowDown(decision.retryAfterMs)));
    }
    const reply = await withTyping(ctx, typingIntervalMs, () =>
      command.run(parsed.args, {
        ...options.commandContext,
        service,
        platform: "telegram",
        chatId: String(ctx.chatId),
        userId,
      }),
    );
    logger.debug("Telegram reply", {
      updateId: ctx.update.update_id,
      command: command.name,
      kind: reply.kind,
    });
    await sendAll(ctx, renderReply(reply));
  };

  guarded.on("message:text", async (ctx) => {
    const { message } = ctx;
    const username = ctx.me.username;
    const isPrivate = ctx.chat.type === "private";
    const command = parseCommand(message);
    if (command !== null) {
      if (command.target !== null && command.target.toLowerCase() !== username.toLowerCase()) return;
      const definition = findCommand(command.name);
      if (definition !== undefined) return dispatch(ctx, definition, command.rest);
      // In groups an unknown, untargeted command is probably for another bot.
      if (!isPrivate && command.target === null) return;
      return sendAll(ctx, renderNotice(`I don't know /${command.name}. Send /help to see what I can do.`));
    }
    if (isPrivate) return dispatch(ctx, ask, message.text);
    const repliesToMe = message.reply_to_message?.from?.id === ctx.me.id;
    if (!mentions(message, username) && !repliesToMe) return;
    return dispatch(ctx, ask, stripMention(message.text, username));
  });

  guarded.on("message", async (ctx) => {
    if (ctx.chat.type === "private") await sendAll(ctx, renderNotice(telegramDefaults.notText));
  });

  return bot;
}
