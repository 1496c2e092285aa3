/**
 * `discord:register`: registers the Discord slash commands generated from the shared command table, in the guild
 * DISCORD_GUILD_ID (instant) or globally (Discord may take a while to show them everywhere).
 */
import type { Command } from "commander";
import { registerSlashCommands } from "../../adapters/discord/register-commands.js";
import { BriefingError } from "../../core/errors.js";
import { cliContext } from "../context.js";

export function registerDiscordRegister(program: Command): void {
  program
    .command("discord:register")
    .description(
      "Register the Discord slash commands (guild-scoped when DISCORD_GUILD_ID is set, else global)",
    )
    .action(async (_opts: unknown, command: Command) => {
      const { config, logger } = cliContext(command);
      if (config.discord === undefined) {
        throw new BriefingError("CONFIG_INVALID", "DISCORD_TOKEN is not set: add it to .env first.");
      }
      const result = await registerSlashCommands(config.discord, { logger });
      const where = result.scope === "guild" ? `in guild ${result.guildId}` : "globally";
      process.stdout.write(`Registered ${result.names.map((n) => `/${n}`).join(", ")} ${where}.\n`);
    });
}
