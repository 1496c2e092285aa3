/**
 * The Discord adapter: a discord.js client whose handlers only translate. A slash command, an autocomplete
 * request, a mention or a DM comes in; one command-table (or service) call runs; the rendered reply goes out.
 * Allowlist, per-user rate limit and the error boundary live here, not in the core.
 */
import { once } from "node:events";
import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  Client,
  type ClientOptions,
  DiscordjsError,
  DiscordjsErrorCodes,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  type MessageCreateOptions,
  MessageFlags,
  Partials,
  PermissionFlagsBits,
  RESTEvents,
} from "discord.js";
import {
  type CommandContext,
  type CommandDefinition,
  type CommandReply,
  findCommand,
  type ParsedArgs,
  parseNamedArgs,
  parseTextArgs,
} from "../../commands/table.js";
import type { Config } from "../../config/config.js";
import { BriefingError } from "../../core/errors.js";
import { type Clock, type Logger, silentLogger, systemClock } from "../../core/ports.js";
import type { NewsService } from "../../service/news-service.js";
import { createRateLimiter, type RateLimiter } from "../../service/rate-limiter.js";
import type { BriefingSender } from "../../service/scheduler.js";
import { createDiscordBriefingSender } from "./briefing-sender.js";
import { explainDiscordError } from "./register-commands.js";
import { type DiscordLimits, type DiscordMessage, discordLimits, renderReply, truncate } from "./render.js";

/** Never ping anyone: not @everyone, not roles, not users, not the author of a replied-to message. */
export const noMentions = { parse: [], repliedUser: false } as const;

/** Short texts users see; nothing here leaks internals. */
export const discordTexts = {
  apology: "Sorry, something went wrong on my side while answering. Please try again in a moment.",
  unknownCommand: "I don't know that command. Try /help.",
  notAllowed: "I'm not enabled in this server.",
  dmNotAllowed: "I only answer in the servers I'm enabled for, not in direct messages.",
  rateLimited: (seconds: number) =>
    `You're asking faster than I can answer. Please try again in ${seconds} second${seconds === 1 ? "" : "s"}.`,
} as const;

export interface DiscordBotOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Per-user question limiter; defaults to a token bucket of `config.questionsPerMinute`. */
  readonly rateLimiter?: RateLimiter;
  /** REST timeout and retry count; defaults to `config.requestTimeoutMs` and discord.js' 3 retries. */
  readonly rest?: { readonly timeoutMs?: number; readonly retries?: number };
  /** Discord's limits; tests pass smaller ones only to exercise splitting. */
  readonly limits?: DiscordLimits;
  /** Storage for /subscribe and friends; without it those commands say subscriptions are unavailable. */
  readonly subscriptions?: CommandContext["subscriptions"];
}

export interface DiscordBot {
  readonly client: Client;
  /** Posts scheduled daily briefings to subscribed channels (for the scheduler's `senders.discord`). */
  readonly briefingSender: BriefingSender;
  /** Logs in and resolves once the gateway session is ready; rejects with a fix-it `BriefingError`. */
  start(): Promise<void>;
  /** Closes the gateway connection and stops every timer, so the process can exit. */
  stop(): Promise<void>;
}

type Deny = string | undefined;

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { error: error.message, name: error.name, stack: error.stack };
  return { error: String(error) };
}

/**
 * Creates the bot without connecting. Needs only the discord section of the config plus the question rate
 * and request timeout; everything else it reaches through `service`.
 */
export function createDiscordBot(
  service: NewsService,
  config: Pick<Config, "discord" | "questionsPerMinute" | "requestTimeoutMs" | "briefingTz">,
  options: DiscordBotOptions = {},
): DiscordBot {
  const discord = config.discord;
  if (discord === undefined) {
    throw new BriefingError("CONFIG_INVALID", "DISCORD_TOKEN is not set: the Discord bot cannot start.");
  }
  const logger = options.logger ?? silentLogger;
  const limits = options.limits ?? discordLimits;
  const limiter =
    options.rateLimiter ??
    createRateLimiter({
      capacity: config.questionsPerMinute,
      refillPerMinute: config.questionsPerMinute,
      clock: options.clock ?? systemClock,
    });
  const allowed = discord.allowedGuilds === undefined ? undefined : new Set(discord.allowedGuilds);

  const clientOptions: ClientOptions = {
    // Guilds for slash commands and the guild list; messages only for mentions and DMs, whose content Discord
    // delivers without the privileged MessageContent intent.
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    allowedMentions: noMentions,
    rest: {
      timeout: options.rest?.timeoutMs ?? config.requestTimeoutMs,
      ...(options.rest?.retries === undefined ? {} : { retries: options.rest.retries }),
      ...(discord.apiRoot === undefined ? {} : { api: discord.apiRoot.replace(/\/+$/, "") }),
    },
  };
  const client = new Client(clientOptions);

  /** Allowlist first, then the question budget; returns what to tell the user, or undefined to go on. */
  const deny = (guildId: string | null, userId: string, asksQuestion: boolean): Deny => {
    if (allowed !== undefined) {
      if (guildId === null) return discordTexts.dmNotAllowed;
      if (!allowed.has(guildId)) return discordTexts.notAllowed;
    }
    if (!asksQuestion) return undefined;
    const decision = limiter.take(userId);
    return decision.allowed ? undefined : discordTexts.rateLimited(Math.ceil(decision.retryAfterMs / 1000));
  };

  /** `canManage`: in a server, whether the member may manage it (channel briefing settings); always true in DMs. */
  const contextOf = (channelId: string, userId: string, canManage: boolean): CommandContext => ({
    service,
    platform: "discord",
    chatId: channelId,
    userId,
    canManage,
    timeZone: config.briefingTz,
    ...(options.subscriptions === undefined ? {} : { subscriptions: options.subscriptions }),
  });

  const toPayload = (message: DiscordMessage) => ({
    content: message.content ?? "",
    embeds: [...message.embeds],
    allowedMentions: noMentions,
  });

  /** The error boundary: log once with context, tell the user briefly, keep running. */
  const guard = async (
    what: string,
    context: Record<string, unknown>,
    run: () => Promise<void>,
    apologize: () => Promise<unknown>,
  ): Promise<void> => {
    try {
      await run();
    } catch (error) {
      logger.error(`Discord ${what} failed`, { ...context, ...describe(error) });
      await apologize().catch((apologyError: unknown) =>
        logger.debug("Discord apology could not be sent", describe(apologyError)),
      );
    }
  };

  const onCommand = async (interaction: ChatInputCommandInteraction): Promise<void> => {
    let answered = false;
    const ephemeral = (content: string) => ({
      content: truncate(content, limits.content),
      flags: MessageFlags.Ephemeral as const,
      allowedMentions: noMentions,
    });
    await guard(
      "command",
      { command: interaction.commandName, user: interaction.user.id, guild: interaction.guildId },
      async () => {
        const command = findCommand(interaction.commandName);
        if (command === undefined) {
          await interaction.reply(ephemeral(discordTexts.unknownCommand));
          return;
        }
        const values = Object.fromEntries(
          command.options.map((o) => [o.name, interaction.options.getString(o.name) ?? undefined]),
        );
        const parsed = parseNamedArgs(command, values);
        const denial = deny(interaction.guildId, interaction.user.id, command.asksQuestion && parsed.ok);
        if (denial !== undefined || !parsed.ok) {
          await interaction.reply(ephemeral(denial ?? (parsed.ok ? "" : parsed.message)));
          return;
        }
        await interaction.deferReply();
        const canManage = interaction.inGuild()
          ? (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false)
          : true;
        const reply = await command.run(
          parsed.args,
          contextOf(interaction.channelId, interaction.user.id, canManage),
        );
        const rendered = renderReply(reply, limits);
        if (rendered.kind === "notice") {
          // A deferred reply is public; a refusal must be private, so it replaces the "thinking…" message.
          await interaction.deleteReply();
          answered = true;
          await interaction.followUp(ephemeral(rendered.text));
          return;
        }
        const [first, ...rest] = rendered.messages;
        if (first !== undefined) await interaction.editReply(toPayload(first));
        answered = true;
        for (const message of rest) await interaction.followUp(toPayload(message));
      },
      async () => {
        if (!interaction.deferred && !interaction.replied) {
          await interaction.reply(ephemeral(discordTexts.apology));
          return;
        }
        if (!answered) await interaction.deleteReply();
        await interaction.followUp(ephemeral(discordTexts.apology));
      },
    );
  };

  const onAutocomplete = async (interaction: AutocompleteInteraction): Promise<void> => {
    await guard(
      "autocomplete",
      { command: interaction.commandName, user: interaction.user.id },
      async () => {
        const focused = interaction.options.getFocused(true);
        const option = findCommand(interaction.commandName)?.options.find((o) => o.name === focused.name);
        const inAllowedPlace =
          allowed === undefined || (interaction.guildId !== null && allowed.has(interaction.guildId));
        if (option?.autocomplete !== "speaker" || !inAllowedPlace) {
          await interaction.respond([]);
          return;
        }
        const speakers = await service.speakers(String(focused.value).trim(), 25);
        await interaction.respond(
          speakers.slice(0, 25).map((s) => ({
            name: truncate(`${s.name}${s.role ? ` (${s.role})` : ""}`, 100),
            value: s.name.slice(0, 100),
          })),
        );
      },
      () => (interaction.responded ? Promise.resolve() : interaction.respond([])),
    );
  };

  /** A mention's or DM's text as a command: "/quotes Annie Kelly" runs /quotes, anything else is /ask. */
  const commandOf = (text: string): { command: CommandDefinition; parsed: ParsedArgs } | undefined => {
    const slash = /^\/([\w-]+)\s*([\s\S]*)$/.exec(text);
    const named = slash?.[1] === undefined ? undefined : findCommand(slash[1]);
    if (named !== undefined) return { command: named, parsed: parseTextArgs(named, slash?.[2] ?? "") };
    const command = findCommand(text === "" ? "help" : "ask");
    return command && { command, parsed: parseTextArgs(command, text) };
  };

  const onMessage = async (message: Message): Promise<void> => {
    const me = client.user;
    if (me === null || message.author.bot || message.system) return;
    const inGuild = message.inGuild();
    if (inGuild && !message.mentions.users.has(me.id)) return;
    const send = async (messages: readonly MessageCreateOptions[]) => {
      const [first, ...rest] = messages;
      if (first !== undefined) await message.reply(first);
      for (const next of rest) {
        if (message.channel.isSendable()) await message.channel.send(next);
      }
    };
    const say = (text: string) =>
      send([{ content: truncate(text, limits.content), allowedMentions: noMentions }]);
    await guard(
      "message",
      { user: message.author.id, guild: message.guildId, channel: message.channelId },
      async () => {
        const text = message.content.replace(new RegExp(`<@!?${me.id}>`, "g"), " ").trim();
        const found = commandOf(text);
        if (found === undefined) return;
        const { command, parsed } = found;
        const denial = deny(message.guildId, message.author.id, command.asksQuestion && parsed.ok);
        if (denial !== undefined || !parsed.ok) {
          await say(denial ?? (parsed.ok ? "" : parsed.message));
          return;
        }
        if (message.channel.isSendable()) await message.channel.sendTyping().catch(() => undefined);
        const canManage = inGuild
          ? (message.member?.permissions.has(PermissionFlagsBits.ManageGuild) ?? false)
          : true;
        const reply: CommandReply = await command.run(
          parsed.args,
          contextOf(message.channelId, message.author.id, canManage),
        );
        const rendered = renderReply(reply, limits);
        if (rendered.kind === "notice") await say(rendered.text);
        else await send(rendered.messages.map(toPayload));
      },
      () => say(discordTexts.apology),
    );
  };

  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    if (interaction.isAutocomplete()) void onAutocomplete(interaction);
    else if (interaction.isChatInputCommand()) void onCommand(interaction);
  });
  client.on(Events.MessageCreate, (message) => void onMessage(message));
  client.on(Events.GuildCreate, (guild) => {
    if (allowed !== undefined && !allowed.has(guild.id)) {
      logger.warn(
        "Discord bot is in a guild outside DISCORD_ALLOWED_GUILDS; it will refuse questions there",
        {
          guild: guild.id,
          name: guild.name,
        },
      );
    }
  });
  client.on(Events.Error, (error) => logger.error("Discord client error", describe(error)));
  client.on(Events.ShardError, (error, shard) =>
    logger.warn("Discord gateway connection error", { shard, ...describe(error) }),
  );
  client.rest.on(RESTEvents.RateLimited, (info) =>
    logger.warn("Discord rate limit hit; waiting", {
      route: info.route,
      method: info.method,
      retryAfterMs: info.retryAfter,
      global: info.global,
    }),
  );

  return {
    client,
    briefingSender: createDiscordBriefingSender(client.rest, limits),
    async start() {
      const ready = once(client, Events.ClientReady);
      try {
        await client.login(discord.token);
        await ready;
      } catch (error) {
        ready.catch(() => undefined);
        await client.destroy();
        if (
          error instanceof DiscordjsError &&
          (error.code === DiscordjsErrorCodes.TokenInvalid || error.code === DiscordjsErrorCodes.TokenMissing)
        ) {
          throw new BriefingError(
            "PLATFORM_AUTH",
            "Discord rejected DISCORD_TOKEN (401 Unauthorized). Copy the bot token again from the Developer Portal (Bot → Reset Token) into .env.",
            { cause: error },
          );
        }
        throw explainDiscordError(error, "log in");
      }
    },
    async stop() {
      await client.destroy();
    },
  };
}
