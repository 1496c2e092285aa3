/**
 * Starts the Telegram bot: long polling by default, or a webhook server when `TELEGRAM_WEBHOOK_URL` is set
 * (checking Telegram's secret-token header). Turns start-up failures (bad token, another instance polling,
 * unreachable API) into errors that say what to do, and stops cleanly.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Bot, GrammyError, HttpError, webhookCallback } from "grammy";
import type { Config } from "../../config/config.js";
import { BriefingError, type ErrorCode } from "../../core/errors.js";
import type { Logger } from "../../core/ports.js";
import type { NewsService } from "../../service/news-service.js";
import type { BriefingSender } from "../../service/scheduler.js";
import { createTelegramBriefingSender } from "./briefing-sender.js";
import {
  createTelegramBot,
  describeError,
  redactToken,
  type TelegramBotOptions,
  telegramCommands,
} from "./create-telegram-bot.js";

/** A Telegram start-up or polling failure; the message says how to fix it and never contains the token. */
export class TelegramStartError extends BriefingError {
  override readonly name = "TelegramStartError";
}

export interface TelegramRunConfig {
  readonly telegram: Config["telegram"];
  readonly questionsPerMinute: number;
}

export interface RunTelegramOptions extends Omit<TelegramBotOptions, "logger"> {
  /**
   * Called when polling stops for good after start-up (401 or 409 from `getUpdates`). The error is already
   * logged; the caller decides whether to exit.
   */
  readonly onFatal?: (error: TelegramStartError) => void;
}

export interface RunningTelegramBot {
  readonly bot: Bot;
  /** Hand to the scheduler as `senders.telegram`; usable while the bot runs. */
  readonly briefingSender: BriefingSender;
  readonly mode: "polling" | "webhook";
  /** Where the webhook server listens (webhook mode only); handy when the port is 0. */
  readonly webhookAddress?: AddressInfo;
  /** Stops polling (confirming handled updates) or closes the webhook server. Safe to call twice. */
  stop(): Promise<void>;
}

/** Only updates the bot handles; Telegram then does not send the rest. */
const allowedUpdates = ["message"] as const;

/** Telegram's rule for `secret_token`. */
const secretTokenPattern = /^[A-Za-z0-9_-]{1,256}$/;

/** Translates a grammY error at start-up or while polling into a `TelegramStartError` that says what to do. */
export function toStartError(error: unknown, token: string, apiRoot: string): TelegramStartError {
  const fail = (code: ErrorCode, message: string) =>
    new TelegramStartError(code, message, { cause: error, context: describeError(error, token) });
  if (error instanceof GrammyError) {
    if (error.error_code === 401) {
      return fail(
        "PLATFORM_AUTH",
        "Telegram rejected the bot token (401 Unauthorized). Set TELEGRAM_BOT_TOKEN in .env to the token " +
          "@BotFather gave you (/mybots → your bot → API Token); if it was revoked, generate a new one there.",
      );
    }
    if (error.error_code === 409) {
      return fail(
        "PLATFORM_CONFLICT",
        "Another instance of this bot is already receiving updates (409 Conflict from Telegram). Stop the other " +
          "process using this token (or its webhook), then start again; if none should be running, revoke the " +
          "token with @BotFather and use the new one.",
      );
    }
    if (error.error_code === 404) {
      return fail(
        "CONFIG_INVALID",
        `The Telegram Bot API at ${apiRoot} answered 404 to ${error.method}: the token in TELEGRAM_BOT_TOKEN ` +
          "is malformed or TELEGRAM_API_ROOT is wrong.",
      );
    }
    return fail(
      "INTERNAL",
      `Telegram refused ${error.method} (${error.error_code}: ${redactToken(error.description, token)}).`,
    );
  }
  if (error instanceof HttpError) {
    return fail(
      "INTERNAL",
      `Could not reach the Telegram Bot API at ${apiRoot} (${redactToken(error.message, token)}). ` +
        "Check the network, or TELEGRAM_API_ROOT if you use a self-hosted Bot API server.",
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return fail("INTERNAL", `The Telegram bot failed: ${redactToken(message, token)}`);
}

/**
 * Creates the bot for `service` and starts it. Resolves once it is receiving updates; rejects with a
 * `TelegramStartError` (bad token, unreachable API, webhook refused) otherwise.
 */
export async function runTelegramBot(
  service: NewsService,
  config: TelegramRunConfig,
  logger: Logger,
  options: RunTelegramOptions = {},
): Promise<RunningTelegramBot> {
  const telegram = config.telegram;
  if (telegram === undefined) {
    throw new TelegramStartError(
      "CONFIG_INVALID",
      "TELEGRAM_BOT_TOKEN is not set; the Telegram bot cannot start.",
    );
  }
  const { onFatal, ...botOptions } = options;
  const apiRoot = telegram.apiRoot ?? "https://api.telegram.org";
  const bot = createTelegramBot(
    service,
    { telegram, questionsPerMinute: config.questionsPerMinute },
    {
      ...botOptions,
      logger,
    },
  );

  try {
    // One attempt, not grammY's endless retry in `bot.init()`, so a bad token or root fails fast and clearly.
    bot.botInfo = await bot.api.getMe();
  } catch (error) {
    throw toStartError(error, telegram.token, apiRoot);
  }
  try {
    await bot.api.setMyCommands(telegramCommands());
  } catch (error) {
    logger.warn("Could not set the Telegram command menu", describeError(error, telegram.token));
  }

  if (telegram.webhookUrl !== undefined) {
    return startWebhook(bot, telegram, logger, apiRoot);
  }
  return startPolling(bot, telegram.token, logger, apiRoot, onFatal);
}

async function startPolling(
  bot: Bot,
  token: string,
  logger: Logger,
  apiRoot: string,
  onFatal: RunTelegramOptions["onFatal"],
): Promise<RunningTelegramBot> {
  let started = false;
  let stopping = false;
  let markStarted!: () => void;
  let failStart!: (error: TelegramStartError) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    failStart = reject;
  });
  const polling = bot
    .start({
      allowed_updates: [...allowedUpdates],
      onStart: () => {
        started = true;
        markStarted();
      },
    })
    .catch((error: unknown) => {
      const failure = toStartError(error, token, apiRoot);
      if (!started) return failStart(failure);
      if (stopping) return;
      logger.error(failure.message, { code: failure.code });
      onFatal?.(failure);
    });
  await ready;
  logger.info("Telegram bot is running (long polling)", { username: bot.botInfo.username });
  return {
    bot,
    briefingSender: createTelegramBriefingSender(bot.api),
    mode: "polling",
    async stop() {
      if (stopping) return polling;
      stopping = true;
      if (bot.isRunning()) {
        await bot.stop().catch((error: unknown) => {
          logger.warn("Telegram polling did not stop cleanly", describeError(error, token));
        });
      }
      await polling;
      logger.info("Telegram bot stopped");
    },
  };
}

async function startWebhook(
  bot: Bot,
  telegram: NonNullable<Config["telegram"]>,
  logger: Logger,
  apiRoot: string,
): Promise<RunningTelegramBot> {
  const url = telegram.webhookUrl!;
  const secret = telegram.webhookSecret ?? randomBytes(32).toString("hex");
  if (!secretTokenPattern.test(secret)) {
    throw new TelegramStartError(
      "CONFIG_INVALID",
      "TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - (1 to 256 characters).",
    );
  }
  const path = new URL(url).pathname;
  const handle = webhookCallback(bot, "http", {
    secretToken: secret,
    // Answers can take longer than Telegram's patience; acknowledge and keep working rather than be re-sent.
    onTimeout: "return",
    timeoutMilliseconds: 9_000,
  });
  const server: Server = createServer((req, res) => {
    const requestPath = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "POST" || requestPath !== path) {
      res.writeHead(404).end();
      return;
    }
    handle(req, res).catch((error: unknown) => {
      logger.warn("Telegram webhook request failed", describeError(error, telegram.token));
      if (!res.headersSent) res.writeHead(400).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(telegram.webhookPort, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  try {
    await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...allowedUpdates] });
  } catch (error) {
    await close();
    throw toStartError(error, telegram.token, apiRoot);
  }
  const address = server.address() as AddressInfo;
  logger.info("Telegram bot is running (webhook)", { username: bot.botInfo.username, port: address.port });
  let closed: Promise<void> | undefined;
  return {
    bot,
    briefingSender: createTelegramBriefingSender(bot.api),
    mode: "webhook",
    webhookAddress: address,
    stop() {
      closed ??= close().then(() => logger.info("Telegram bot stopped"));
      return closed;
    },
  };
}
