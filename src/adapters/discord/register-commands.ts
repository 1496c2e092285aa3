/**
 * Slash-command JSON generated from the shared command table, and its registration through Discord's REST
 * API (guild-scoped when a guild id is given, which is instant; global otherwise, which Discord propagates).
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  DiscordAPIError,
  InteractionContextType,
  REST,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  Routes,
} from "discord.js";
import { type CommandDefinition, commandTable } from "../../commands/table.js";
import type { Config } from "../../config/config.js";
import { BriefingError } from "../../core/errors.js";
import { type Logger, silentLogger } from "../../core/ports.js";

export type DiscordConfig = NonNullable<Config["discord"]>;

const namePattern = /^[-_\p{Ll}\p{N}]{1,32}$/u;

function checkText(what: string, value: string, max: number): void {
  if (value.length < 1 || value.length > max) {
    throw new BriefingError("INTERNAL", `${what} must be 1-${max} characters for Discord: "${value}"`, {
      context: { what, value },
    });
  }
}

function checkName(what: string, name: string): void {
  if (!namePattern.test(name)) {
    throw new BriefingError(
      "INTERNAL",
      `${what} "${name}" is not a valid Discord command name (lowercase, 1-32 characters)`,
      { context: { what, name } },
    );
  }
}

/** One table entry as a chat-input command. Required options come first, as Discord demands. */
export function toSlashCommand(command: CommandDefinition): RESTPostAPIChatInputApplicationCommandsJSONBody {
  checkName("Command", command.name);
  checkText(`Description of /${command.name}`, command.description, 100);
  const options = [...command.options].sort((a, b) => Number(b.required) - Number(a.required));
  return {
    type: ApplicationCommandType.ChatInput,
    name: command.name,
    description: command.description,
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    integration_types: [ApplicationIntegrationType.GuildInstall],
    options: options.map((option) => {
      checkName(`Option of /${command.name}`, option.name);
      checkText(`Description of /${command.name} ${option.name}`, option.description, 100);
      return {
        type: ApplicationCommandOptionType.String,
        name: option.name,
        description: option.description,
        required: option.required,
        ...(option.maxLength === undefined ? {} : { max_length: Math.min(option.maxLength, 6000) }),
        ...(option.autocomplete ? { autocomplete: true } : {}),
      };
    }),
  };
}

/**
 * The whole payload for `PUT /applications/:id/commands`, straight from the shared table, so Discord and
 * Telegram cannot drift apart. `/start` is kept: on Discord it behaves like `/help` with an intro, which is
 * harmless and keeps `/help`'s list of commands true on both platforms.
 */
export function buildSlashCommands(
  table: readonly CommandDefinition[] = commandTable,
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  if (table.length > 100) {
    throw new BriefingError("INTERNAL", "Discord allows at most 100 slash commands per scope");
  }
  return table.map(toSlashCommand);
}

/** A REST client for the bot token, pointed at `DISCORD_API_ROOT` when set (proxies, the test fake). */
export function createDiscordRest(
  discord: Pick<DiscordConfig, "token" | "apiRoot">,
  options: { readonly timeoutMs?: number; readonly retries?: number } = {},
): REST {
  return new REST({
    version: "10",
    ...(discord.apiRoot === undefined ? {} : { api: discord.apiRoot.replace(/\/+$/, "") }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  }).setToken(discord.token);
}

/** Why Discord refused a request, as a fix-it message. */
export function explainDiscordError(error: unknown, action: string): unknown {
  if (error instanceof DiscordAPIError && error.status === 401) {
    return new BriefingError(
      "PLATFORM_AUTH",
      `Discord rejected DISCORD_TOKEN while trying to ${action} (401 Unauthorized). Copy the bot token again from the Developer Portal (Bot → Reset Token) into .env.`,
      { cause: error },
    );
  }
  if (error instanceof DiscordAPIError && error.status === 404 && action.includes("register")) {
    return new BriefingError(
      "CONFIG_INVALID",
      `Discord answered 404 while trying to ${action}: check DISCORD_APPLICATION_ID (and DISCORD_GUILD_ID, and that the bot was invited to that guild with the applications.commands scope).`,
      { cause: error },
    );
  }
  return error;
}

export interface RegistrationResult {
  readonly scope: "guild" | "global";
  readonly guildId: string | undefined;
  readonly names: readonly string[];
}

/** Registers (overwrites) the bot's slash commands: in one guild when `guildId` is set, globally otherwise. */
export async function registerSlashCommands(
  discord: DiscordConfig,
  options: {
    readonly logger?: Logger;
    readonly rest?: REST;
    readonly table?: readonly CommandDefinition[];
  } = {},
): Promise<RegistrationResult> {
  const logger = options.logger ?? silentLogger;
  const applicationId = discord.applicationId;
  if (applicationId === undefined) {
    throw new BriefingError(
      "CONFIG_INVALID",
      "DISCORD_APPLICATION_ID is required to register slash commands: copy the Application ID from the Developer Portal (General Information) into .env.",
    );
  }
  const body = buildSlashCommands(options.table);
  const rest = options.rest ?? createDiscordRest(discord);
  const route =
    discord.guildId === undefined
      ? Routes.applicationCommands(applicationId)
      : Routes.applicationGuildCommands(applicationId, discord.guildId);
  try {
    await rest.put(route, { body });
  } catch (error) {
    throw explainDiscordError(error, "register slash commands");
  }
  const result: RegistrationResult = {
    scope: discord.guildId === undefined ? "global" : "guild",
    guildId: discord.guildId,
    names: body.map((c) => c.name),
  };
  logger.info("Discord slash commands registered", { ...result });
  return result;
}
