// End-to-end: the real discord.js client logs in to a loopback fake Discord (REST + WebSocket gateway) and
// serves slash commands, autocomplete, mentions and DMs; the tests read what a Discord user would see.
import { afterEach, describe, expect, it } from "vitest";
import { type DiscordBotOptions, discordTexts } from "../../src/adapters/discord/create-discord-bot.js";
import { buildSlashCommands, registerSlashCommands } from "../../src/adapters/discord/register-commands.js";
import { renderQuote } from "../../src/adapters/discord/render.js";
import { type RunningDiscordBot, runDiscordBot } from "../../src/adapters/discord/run-discord.js";
import { type CommandContext, commandTable } from "../../src/commands/table.js";
import { parseConfig } from "../../src/config/config.js";
import type { Briefing } from "../../src/core/briefing.js";
import { isBriefingError } from "../../src/core/errors.js";
import type { Answer } from "../../src/core/types.js";
import type { NewsService } from "../../src/service/news-service.js";
import { DeliveryError } from "../../src/service/scheduler.js";
import { recordingLogger } from "../support/recording-logger.js";
import { descriptions, limitViolations, visible } from "./discord-checks.js";
import {
  defaultGuild,
  type FakeDiscord,
  type FakeMessage,
  otherGuild,
  startFakeDiscord,
} from "./fake-discord.js";
import {
  articleIds,
  createFakeNewsService,
  fixtureArticles,
  quoteFrom,
  refusal,
} from "./fake-news-service.js";

const EPHEMERAL = 64;

const open: { fake?: FakeDiscord; bot?: RunningDiscordBot }[] = [];

afterEach(async () => {
  for (const { fake, bot } of open.splice(0)) {
    await bot?.stop();
    await fake?.close();
  }
});

async function setup(
  env: Record<string, string> = {},
  service: NewsService = createFakeNewsService(),
  options: Omit<DiscordBotOptions, "logger"> = {},
): Promise<{ fake: FakeDiscord; bot: RunningDiscordBot; logger: ReturnType<typeof recordingLogger> }> {
  const fake = await startFakeDiscord();
  const entry: { fake?: FakeDiscord; bot?: RunningDiscordBot } = { fake };
  open.push(entry);
  const config = parseConfig({
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_ROOT: fake.apiRoot,
    ...env,
  });
  const logger = recordingLogger();
  const bot = await runDiscordBot(service, config, logger, {
    rest: { timeoutMs: 5000, retries: 1 },
    ...options,
  });
  entry.bot = bot;
  return { fake, bot, logger };
}

const julieHahn = quoteFrom(
  articleIds.document,
  "Environment Canada spokesperson Julie Hahn said they apply to letters of complaint, criticism or injury, research or scientific notes and findings that don`t have any conclusion, and Treasury Board letters, agendas and minutes that don`t deal with subjects of national interest.",
);
const raisinghani = quoteFrom(
  articleIds.document,
  "We take document security seriously",
  "Sujata Raisinghani",
  "Environment Canada spokeswoman",
);
const documentQuestion = "What did Environment Canada say about the lost document?";
const documentAnswer: Answer = {
  refused: false,
  lead: "Environment Canada said it takes document security seriously.",
  quotes: [raisinghani],
};

function bodiesSentBy(fake: FakeDiscord): Record<string, unknown>[] {
  return fake.requests
    .filter((r) => r.method === "POST" || r.method === "PATCH")
    .map((r) => {
      const body = r.body as Record<string, unknown> | undefined;
      // Interaction callbacks wrap the message in `data`.
      return (
        (r.path.endsWith("/callback") ? (body?.data as Record<string, unknown> | undefined) : body) ?? {}
      );
    })
    .filter((b) => "content" in b || "embeds" in b);
}

describe("Discord bot", () => {
  it("logs in through the gateway (IDENTIFY without privileged intents) and shuts down cleanly", async () => {
    const { fake, bot, logger } = await setup();
    expect(fake.identifies).toHaveLength(1);
    const intents = Number(fake.identifies[0]?.intents);
    const privileged = (1 << 1) | (1 << 8) | (1 << 15); // GuildMembers, GuildPresences, MessageContent
    expect(intents & privileged).toBe(0);
    expect(intents).toBeGreaterThan(0);
    expect(fake.requests[0]).toMatchObject({
      method: "GET",
      path: "/gateway/bot",
      authorization: `Bot ${fake.token}`,
    });
    expect(logger.entries.some((e) => e.message === "Discord bot online")).toBe(true);
    await fake.waitFor(() => fake.heartbeatAcks() > 0);
    await bot.stop();
    await fake.waitFor(() => fake.openSockets() === 0);
    expect(fake.closeCodes).toEqual([1000]);
    expect(logger.entries.at(-1)?.message).toBe("Discord bot stopped");
  });

  it("registers slash commands generated from the shared table, guild-scoped or global", async () => {
    const fake = await startFakeDiscord();
    open.push({ fake });
    const base = {
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_ROOT: fake.apiRoot,
    };
    const guild = parseConfig({ ...base, DISCORD_GUILD_ID: defaultGuild.id }).discord!;
    await expect(registerSlashCommands(guild)).resolves.toMatchObject({ scope: "guild" });
    await registerSlashCommands(parseConfig(base).discord!);

    const put = fake.requests.filter((r) => r.method === "PUT");
    expect(put.map((r) => r.path)).toEqual([
      `/applications/${fake.applicationId}/guilds/${defaultGuild.id}/commands`,
      `/applications/${fake.applicationId}/commands`,
    ]);
    const sent = put[0]?.body as Record<string, unknown>[];
    expect(sent).toEqual(buildSlashCommands());
    expect(put[1]?.body).toEqual(sent);
    expect(sent.map((c) => c.name)).toEqual(commandTable.map((c) => c.name));
    for (const command of commandTable) {
      const json = sent.find((c) => c.name === command.name)!;
      expect(json.description).toBe(command.description);
      expect(json.options).toEqual(
        command.options.map((o) => ({
          type: 3,
          name: o.name,
          description: o.description,
          required: o.required,
          ...(o.maxLength === undefined ? {} : { max_length: o.maxLength }),
          ...(o.autocomplete ? { autocomplete: true } : {}),
        })),
      );
    }
    expect(sent.find((c) => c.name === "quotes")?.options).toEqual([
      expect.objectContaining({ name: "speaker", autocomplete: true, required: true }),
    ]);
    expect(fake.commands.get(defaultGuild.id)).toHaveLength(commandTable.length);
  });

  it("answers /ask by deferring at once, then editing in the cited quote", async () => {
    const service = createFakeNewsService();
    service.answers.set(documentQuestion, documentAnswer);
    const { fake } = await setup({}, service);
    const view = fake.slashCommand("ask", { question: documentQuestion });
    const original = await fake.waitFor(() => view.original?.embeds.length && view.original);
    expect(view.callbacks.map((c) => c.type)).toEqual([5]);
    expect(Number(view.callbacks[0]?.data?.flags ?? 0) & EPHEMERAL).toBe(0);
    const embed = original.embeds[0]!;
    expect(visible(String(embed.title))).toBe(documentQuestion);
    const text = visible(String(embed.description));
    expect(text).toContain("“We take document security seriously”");
    expect(text).toContain("Sujata Raisinghani");
    expect(embed.description).toContain(
      `[Sensitive Canadian document found on rainy streets](${fixtureArticles.find((a) => a.id === articleIds.document)?.url})`,
    );
    expect(text).toContain("Wikinews · 2008-08-15");
    expect(service.calls).toContainEqual({ method: "ask", question: documentQuestion });
  });

  it("autocompletes /quotes speaker names from the service", async () => {
    const service = createFakeNewsService();
    const { fake } = await setup({}, service);
    const view = fake.autocomplete("quotes", "speaker", "ali");
    await fake.waitFor(() => view.callbacks.length);
    expect(view.callbacks[0]).toEqual({
      type: 8,
      data: { choices: [{ name: "Ali Reza Raisi (Health Ministry)", value: "Ali Reza Raisi" }] },
    });
    expect(service.calls).toContainEqual({ method: "speakers", prefix: "ali" });

    const run = fake.slashCommand("quotes", { speaker: "Ali Reza Raisi" });
    const original = await fake.waitFor(() => view && run.original?.embeds.length && run.original);
    expect(visible(String(original.embeds[0]?.description))).toContain(
      "523 new infections and 12 new deaths",
    );
  });

  it("answers a mention in a channel and a DM with a reply, and ignores messages not addressed to it", async () => {
    const service = createFakeNewsService();
    service.answers.set(documentQuestion, documentAnswer);
    const { fake } = await setup({}, service);
    fake.message("people chatting about the news", { mention: false });
    const mention = fake.message(`<@${fake.botUser.id}> ${documentQuestion}`);
    const inChannel = await fake.waitFor(() =>
      fake.channelMessages.find((m) => m.channel_id === mention.channelId),
    );
    expect(inChannel.message_reference).toMatchObject({ message_id: mention.id });
    expect(visible(descriptions([inChannel]))).toContain("“We take document security seriously”");

    const dm = fake.message(documentQuestion, { dm: true });
    const inDm = await fake.waitFor(() => fake.channelMessages.find((m) => m.channel_id === dm.channelId));
    expect(inDm.message_reference).toMatchObject({ message_id: dm.id });
    expect(visible(descriptions([inDm]))).toContain("Sujata Raisinghani");
    expect(fake.channelMessages).toHaveLength(2);
    expect(service.calls.filter((c) => c.method === "ask")).toHaveLength(2);
  });

  it("splits an answer over Discord's limits into valid messages, between quotes", async () => {
    const service = createFakeNewsService();
    const quotes = fixtureArticles.flatMap((a) =>
      a.text
        .split(/\n\n+/)
        .filter((p) => p.trim() !== "")
        .map((p) => quoteFrom(a.id, p)),
    );
    service.answers.set("Tell me everything", { refused: false, lead: "Everything I hold:", quotes });
    const { fake } = await setup({}, service);
    const view = fake.slashCommand("ask", { question: "Tell me everything" });
    const blocks = quotes.map(renderQuote);
    const shown = (): FakeMessage[] => (view.original ? [view.original, ...view.followups] : []);
    await fake.waitFor(() => blocks.every((b) => descriptions(shown()).includes(b)));
    expect(quotes.reduce((n, q) => n + q.text.length, 0)).toBeGreaterThan(6000);
    expect(view.followups.length).toBeGreaterThan(0);
    for (const message of shown()) expect(limitViolations(message)).toEqual([]);
    const perEmbed = shown().flatMap((m) => m.embeds.map((e) => String(e.description ?? "")));
    for (const block of blocks) expect(perEmbed.filter((d) => d.includes(block))).toHaveLength(1);
  });

  it("waits out a REST 429 with retry_after and still delivers the reply", async () => {
    const service = createFakeNewsService();
    service.answers.set(documentQuestion, documentAnswer);
    const { fake, logger } = await setup({}, service);
    fake.fail("PATCH", /\/messages\/%40original$/, { status: 429, retryAfter: 0.4 });
    const view = fake.slashCommand("ask", { question: documentQuestion });
    await fake.waitFor(() => view.original?.embeds.length);
    const patches = fake.requests.filter((r) => r.method === "PATCH");
    expect(patches.map((r) => r.status)).toEqual([429, 200]);
    expect(patches[1]!.at - patches[0]!.at).toBeGreaterThanOrEqual(400);
    expect(visible(descriptions([view.original!]))).toContain("We take document security seriously");
    expect(logger.entries.some((e) => e.level === "warn" && e.message.includes("rate limit"))).toBe(true);
  });

  it("apologises privately when a handler fails, logs it once, and serves the next interaction", async () => {
    const service = createFakeNewsService();
    service.failOn.add("Why is the database on fire?");
    service.answers.set(documentQuestion, documentAnswer);
    const { fake, logger } = await setup({}, service);
    const failing = fake.slashCommand("ask", { question: "Why is the database on fire?" });
    const apology = await fake.waitFor(() => failing.followups[0]);
    expect(failing.callbacks.map((c) => c.type)).toEqual([5]);
    expect(failing.original?.deleted).toBe(true);
    expect(apology).toMatchObject({ content: discordTexts.apology, flags: EPHEMERAL });
    expect(apology.content).not.toContain("fire");
    const errors = logger.entries.filter((e) => e.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.context).toMatchObject({
      command: "ask",
      error: expect.stringContaining("database is on fire"),
    });

    const next = fake.slashCommand("ask", { question: documentQuestion });
    await fake.waitFor(() => next.original?.embeds.length);
    expect(visible(descriptions([next.original!]))).toContain("We take document security seriously");
  });

  it("shows refusals privately", async () => {
    const { fake } = await setup();
    const view = fake.slashCommand("ask", { question: "Who won the 2030 World Cup?" });
    const notice = await fake.waitFor(() => view.followups[0]);
    expect(view.original?.deleted).toBe(true);
    expect(notice).toMatchObject({ content: refusal.lead, flags: EPHEMERAL, embeds: [] });
  });

  it("refuses outside DISCORD_ALLOWED_GUILDS, privately, without calling the service", async () => {
    const service = createFakeNewsService();
    service.answers.set(documentQuestion, documentAnswer);
    const { fake } = await setup({ DISCORD_ALLOWED_GUILDS: defaultGuild.id }, service);
    const outside = fake.slashCommand("ask", { question: documentQuestion }, { guildId: otherGuild.id });
    await fake.waitFor(() => outside.callbacks.length);
    expect(outside.callbacks).toEqual([
      { type: 4, data: expect.objectContaining({ content: discordTexts.notAllowed, flags: EPHEMERAL }) },
    ]);
    const dm = fake.slashCommand("ask", { question: documentQuestion }, { guildId: null });
    await fake.waitFor(() => dm.callbacks.length);
    expect(dm.callbacks[0]?.data).toMatchObject({ content: discordTexts.dmNotAllowed, flags: EPHEMERAL });
    const mention = fake.message(`<@${fake.botUser.id}> ${documentQuestion}`, { guildId: otherGuild.id });
    const reply = await fake.waitFor(() =>
      fake.channelMessages.find((m) => m.channel_id === mention.channelId),
    );
    expect(reply.content).toBe(discordTexts.notAllowed);
    expect(service.calls.filter((c) => c.method === "ask")).toEqual([]);

    const inside = fake.slashCommand("ask", { question: documentQuestion });
    await fake.waitFor(() => inside.original?.embeds.length);
    expect(service.calls.filter((c) => c.method === "ask")).toHaveLength(1);
  });

  it("limits questions per user and says so privately", async () => {
    const service = createFakeNewsService();
    service.answers.set(documentQuestion, documentAnswer);
    const { fake } = await setup({ QUESTIONS_PER_MINUTE: "1" }, service);
    const first = fake.slashCommand("ask", { question: documentQuestion });
    await fake.waitFor(() => first.original?.embeds.length);
    const second = fake.slashCommand("ask", { question: documentQuestion });
    await fake.waitFor(() => second.callbacks.length);
    expect(second.callbacks[0]).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    expect(String(second.callbacks[0]?.data?.content)).toMatch(/try again in \d+ seconds?/);
    const other = fake.slashCommand("ask", { question: documentQuestion }, { userId: "700000000000000043" });
    await fake.waitFor(() => other.original?.embeds.length);
    expect(service.calls.filter((c) => c.method === "ask")).toHaveLength(2);
  });

  it("escapes markdown in questions and articles and never allows mentions", async () => {
    const service = createFakeNewsService();
    const question = "What did _Environment Canada_ say? **@everyone** `now` <@123>";
    const handles = quoteFrom(articleIds.comicon, "torontogroot as Beast Boy and raven_alwayz as Raven");
    const sliders = quoteFrom(
      articleIds.comicon,
      "Jerry [O'Connell] and I are talking to NBC at the moment.",
      "John Rhys-Davies",
      "actor",
    );
    const answer: Answer = {
      refused: false,
      lead: "Here is what *they* said.",
      quotes: [julieHahn, handles, sliders],
    };
    service.answers.set(question, answer);
    const { fake } = await setup({}, service);
    const view = fake.slashCommand("ask", { question });
    const original = await fake.waitFor(() => view.original?.embeds.length && view.original);
    const embed = original.embeds[0]!;
    expect(embed.title).toBe(
      "What did \\_Environment Canada\\_ say? \\*\\*@\u200beveryone\\*\\* \\`now\\` \\<@123\\>",
    );
    expect(visible(String(embed.title))).toBe(question);
    const description = String(embed.description);
    expect(description).toContain("don\\`t have any conclusion");
    expect(description).toContain("raven\\_alwayz");
    expect(description).toContain("Jerry \\[O'Connell\\] and I");
    expect(description).toContain("Here is what \\*they\\* said.");
    for (const quote of answer.quotes) expect(visible(description)).toContain(`“${quote.text}”`);

    fake.message(`<@${fake.botUser.id}> ${question}`);
    await fake.waitFor(() => fake.channelMessages.length);
    const bodies = bodiesSentBy(fake);
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    for (const body of bodies) expect(body.allowed_mentions).toMatchObject({ parse: [] });
  });

  it("lets only members who can manage the server change a channel's daily briefing", async () => {
    const subscribed: { chatId: string; time: string; timeZone: string }[] = [];
    const subscriptions: NonNullable<CommandContext["subscriptions"]> = {
      subscribe: (sub, at) => {
        subscribed.push(sub);
        return { ...sub, createdAt: at.toISOString() };
      },
      unsubscribe: () => false,
      get: () => undefined,
    };
    const { fake } = await setup({ BRIEFING_TZ: "Europe/Berlin" }, createFakeNewsService(), {
      subscriptions,
    });

    const member = fake.slashCommand("subscribe", { time: "07:30" });
    const refused = await fake.waitFor(() => member.followups[0]);
    expect(member.original?.deleted).toBe(true);
    expect(refused.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(visible(refused.content)).toContain("Only members with the Manage Server permission");
    expect(subscribed).toEqual([]);

    const admin = fake.slashCommand("subscribe", { time: "07:30" }, { permissions: String(1 << 5) });
    const done = await fake.waitFor(() => admin.original?.embeds.length && admin.original);
    expect(visible(descriptions([done]))).toContain("every day at 07:30 (Europe/Berlin)");
    expect(subscribed).toMatchObject([
      { platform: "discord", chatId: defaultGuild.channelId, time: "07:30" },
    ]);
  });

  it("delivers a scheduled briefing to a channel, and tells gone channels from failed sends", async () => {
    const { fake, bot } = await setup();
    const briefing: Briefing = {
      date: "2008-08-15",
      coverage: "1 article · 1 story · Fri 15 Aug 2008",
      counts: { articles: 1, stories: 1 },
      more: 0,
      stories: [
        {
          n: 1,
          lead: "A sensitive Environment Canada document was found on an Ottawa street.",
          quote: raisinghani.text,
          speaker: raisinghani.speaker,
          role: raisinghani.role,
          article: raisinghani.article,
          start: raisinghani.start,
          end: raisinghani.end,
          articles: [raisinghani.article],
        },
      ],
    };
    const chat = { platform: "discord" as const, chatId: defaultGuild.channelId };
    await expect(bot.briefingSender.send(chat, briefing)).resolves.toBe("sent");
    const posted = fake.channelMessages.at(-1)!;
    expect(posted.channel_id).toBe(defaultGuild.channelId);
    expect(posted.allowed_mentions).toEqual({ parse: [] });
    expect(visible(descriptions([posted]))).toContain("“We take document security seriously”");

    fake.fail("POST", /^\/channels\/\d+\/messages$/, {
      status: 404,
      body: { message: "Unknown Channel", code: 10003 },
    });
    await expect(bot.briefingSender.send(chat, briefing)).resolves.toBe("gone");
    fake.fail("POST", /^\/channels\/\d+\/messages$/, {
      status: 403,
      body: { message: "Missing Permissions", code: 50013 },
    });
    const failed = await bot.briefingSender.send(chat, briefing).catch((e: unknown) => e);
    fake.fail("POST", /^\/channels\/\d+\/messages$/, {
      status: 403,
      body: { message: "Cannot send messages to this user", code: 50007 },
    });
    await expect(bot.briefingSender.send(chat, briefing)).resolves.toBe("gone");
    expect(failed).toBeInstanceOf(DeliveryError);
    expect((failed as DeliveryError).delivered).toBe(false);
    expect(fake.channelMessages).toHaveLength(1);
  });

  it("explains a rejected token (401) and a missing application id at start-up", async () => {
    const fake = await startFakeDiscord();
    open.push({ fake });
    const service = createFakeNewsService();
    const env = { DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_ROOT: fake.apiRoot };
    const bad = parseConfig({ ...env, DISCORD_TOKEN: "not-the-token" });
    const failure = await runDiscordBot(service, bad, recordingLogger(), { rest: { retries: 0 } }).catch(
      (e) => e,
    );
    expect(isBriefingError(failure, "PLATFORM_AUTH")).toBe(true);
    expect(String(failure.message)).toMatch(/DISCORD_TOKEN.*401/);
    expect(fake.requests.map((r) => [r.path, r.status])).toEqual([["/gateway/bot", 401]]);
    expect(fake.openSockets()).toBe(0);

    const noApp = parseConfig({ DISCORD_TOKEN: fake.token, DISCORD_API_ROOT: fake.apiRoot });
    const missing = await runDiscordBot(service, noApp, recordingLogger()).catch((e) => e);
    expect(isBriefingError(missing, "CONFIG_INVALID")).toBe(true);
    expect(String(missing.message)).toContain("DISCORD_APPLICATION_ID");
    expect(fake.requests).toHaveLength(1);
  });
});
