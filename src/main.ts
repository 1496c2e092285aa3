/**
 * `npm start`: runs the Telegram and/or Discord bots when their tokens are set, otherwise the terminal chat over
 * the bundled corpus (building the index on first run). Stops cleanly on SIGINT/SIGTERM.
 */
import { runDiscordBot } from "./adapters/discord/run-discord.js";
import { createTelegramBriefingSender } from "./adapters/telegram/briefing-sender.js";
import { runTelegramBot } from "./adapters/telegram/run-telegram.js";
import { runTerminalChat } from "./adapters/terminal/chat.js";
import { openServiceForCli } from "./cli/context.js";
import { loadConfig } from "./config/config.js";
import { isBriefingError } from "./core/errors.js";
import { createLogger } from "./infra/logger.js";
import { openSubscriptionStore } from "./infra/subscription-store.js";
import { startBriefingRuntime } from "./service/briefing-runtime.js";
import type { BriefingSender } from "./service/scheduler.js";

interface Running {
  stop(): Promise<void>;
}

async function main(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const bots = config.discord !== undefined || config.telegram !== undefined;
  // Subscriptions and article arrival times live in <DATA_DIR>/bot.sqlite; only the chat bots need them.
  const store = bots ? await openSubscriptionStore({ dataDir: config.dataDir }) : undefined;
  const service = await openServiceForCli({ config, logger }, store ? { arrivals: store } : {});
  const running: Running[] = [];
  const senders: { telegram?: BriefingSender; discord?: BriefingSender } = {};
  if (config.discord !== undefined) {
    const discord = await runDiscordBot(service, config, logger, store ? { subscriptions: store } : {});
    senders.discord = discord.briefingSender;
    running.push(discord);
  }
  if (config.telegram !== undefined) {
    // A 401/409 while polling is already logged with what to do; shut down the same way a signal does.
    const onFatal = () => process.kill(process.pid, "SIGTERM");
    const telegram = await runTelegramBot(service, config, logger, {
      onFatal,
      commandContext: { timeZone: config.briefingTz, ...(store ? { subscriptions: store } : {}) },
    });
    senders.telegram = createTelegramBriefingSender(telegram.bot.api);
    running.push(telegram);
  }
  if (store && running.length > 0) {
    running.push(
      await startBriefingRuntime({ service, store, corpusDir: config.corpusDir, senders, logger }),
    );
  }

  if (running.length === 0) {
    await runTerminalChat(service, { logger });
    await service.close();
    return 0;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info(`${signal} received, shutting down`);
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await Promise.allSettled(running.map((r) => r.stop()));
  await service.close();
  store?.close();
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(
    `error: ${isBriefingError(error) || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
