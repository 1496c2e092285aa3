/**
 * Starts the Discord bot for `npm start`: checks the config with fix-it messages, logs in, reports where it
 * serves, and hands back `stop()` for a clean shutdown (the caller wires SIGINT/SIGTERM to it).
 */
import type { Config } from "../../config/config.js";
import { BriefingError } from "../../core/errors.js";
import type { Logger } from "../../core/ports.js";
import type { NewsService } from "../../service/news-service.js";
import type { BriefingSender } from "../../service/scheduler.js";
import { createDiscordBot, type DiscordBotOptions } from "./create-discord-bot.js";

export interface RunningDiscordBot {
  /** Hand to the scheduler as `senders.discord`; usable while the bot runs. */
  readonly briefingSender: BriefingSender;
  stop(): Promise<void>;
}

/**
 * Logs in and serves until `stop()`. Rejects before connecting when DISCORD_APPLICATION_ID is missing, and
 * with a `PLATFORM_AUTH` error when Discord answers 401 to the token.
 */
export async function runDiscordBot(
  service: NewsService,
  config: Pick<Config, "discord" | "questionsPerMinute" | "requestTimeoutMs" | "briefingTz">,
  logger: Logger,
  options: Omit<DiscordBotOptions, "logger"> = {},
): Promise<RunningDiscordBot> {
  const discord = config.discord;
  if (discord === undefined) {
    throw new BriefingError("CONFIG_INVALID", "DISCORD_TOKEN is not set: the Discord bot cannot start.");
  }
  if (discord.applicationId === undefined) {
    throw new BriefingError(
      "CONFIG_INVALID",
      "DISCORD_APPLICATION_ID is not set: copy the Application ID from the Discord Developer Portal (General Information) into .env, then run `npm run cli -- discord:register`.",
    );
  }
  const bot = createDiscordBot(service, config, { ...options, logger });
  await bot.start();
  const client = bot.client;
  const actualApp = client.application?.id;
  if (actualApp !== undefined && actualApp !== discord.applicationId) {
    logger.warn(
      "DISCORD_APPLICATION_ID does not match the token's application; slash commands registered for it will not reach this bot",
      { configured: discord.applicationId, actual: actualApp },
    );
  }
  logger.info("Discord bot online", {
    user: client.user?.tag,
    guilds: client.guilds.cache.size,
    allowedGuilds: discord.allowedGuilds?.length ?? "all",
  });
  let stopping: Promise<void> | undefined;
  return {
    briefingSender: bot.briefingSender,
    stop() {
      stopping ??= bot.stop().then(() => logger.info("Discord bot stopped"));
      return stopping;
    },
  };
}
