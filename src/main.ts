/**
 * `npm start`: runs the Telegram and/or Discord bots when their tokens are set, otherwise the terminal chat over
 * the bundled corpus (building the index on first run). Stops cleanly on SIGINT/SIGTERM.
 */
import { runDiscordBot } from "./adapters/discord/run-discord.js";
import { runTelegramBot } from "./adapters/telegram/run-telegram.js";
import { runTerminalChat } from "./adapters/terminal/chat.js";
import { openServiceForCli } from "./cli/context.js";
import { loadConfig } from "./config/config.js";
import { isBriefingError } from "./core/errors.js";
import { createLogger } from "./infra/logger.js";

interface Running {
  stop(): Promise<void>;
}

async function main(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const service = await openServiceForCli({ config, logger });
  const running: Running[] = [];
  if (config.discord !== undefined) running.push(await runDiscordBot(service, config, logger));
  if (config.telegram !== undefined) {
    // A 401/409 while polling is already logged with what to do; shut down the same way a signal does.
    const onFatal = () => process.kill(process.pid, "SIGTERM");
    running.push(
      await runTelegramBot(service, config, logger, {
        onFatal,
        commandContext: { timeZone: config.briefingTz },
      }),
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
