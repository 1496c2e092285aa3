// /briefing, /subscribe and scheduled delivery through the real discord.js client logged in to the loopback fake
// Discord (REST + WebSocket gateway), with the real news service over two days of real Wikinews articles, the real
// SQLite subscription store and a fixed clock, wired the way src/main.ts wires them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningDiscordBot, runDiscordBot } from "../../src/adapters/discord/run-discord.js";
import { parseConfig } from "../../src/config/config.js";
import { type Clock, silentLogger } from "../../src/core/ports.js";
import type { Article } from "../../src/core/types.js";
import { locateQuote, verifyQuote } from "../../src/core/verify.js";
import { openSubscriptionStore, type SubscriptionStore } from "../../src/infra/subscription-store.js";
import { openNewsService, type RunningNewsService } from "../../src/service/open-news-service.js";
import { createScheduler } from "../../src/service/scheduler.js";
import { descriptions, limitViolations, visible } from "../discord/discord-checks.js";
import {
  defaultGuild,
  type FakeDiscord,
  type FakeMessage,
  type InteractionView,
  startFakeDiscord,
} from "../discord/fake-discord.js";
import { sharedCacheDir } from "../support/seed-service.js";
import { DATA_DIR, testGloveEmbedder } from "./fixtures.js";

const EPHEMERAL = 64;
const MANAGE_GUILD = String(1 << 5);
const DAYS = ["2019-10-09", "2019-10-10"];

/**
 * The Wikinews rows of DAYS, copied unchanged (Wikinews contributors, CC BY 2.5; each row keeps its `license` and
 * article `url`) into a temp corpus at test time.
 */
const corpusLines = readFileSync(path.join(DATA_DIR, "articles.jsonl"), "utf8")
  .split("\n")
  .filter((line) => DAYS.some((day) => line.includes(`"date": "${day}"`)));
const articles = corpusLines.map((line) => JSON.parse(line) as Article);
const oct10 = articles.filter((a) => a.date === "2019-10-10");

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Harness {
  readonly fake: FakeDiscord;
  readonly bot: RunningDiscordBot;
  readonly service: RunningNewsService;
  readonly brief: NonNullable<RunningNewsService["brief"]>;
  readonly store: SubscriptionStore;
  readonly clock: Clock;
  setNow(iso: string): void;
}

async function harness(startIso: string): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), "discord-briefing-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const corpusDir = path.join(dir, "corpus");
  const dataDir = path.join(dir, "data");
  mkdirSync(corpusDir);
  writeFileSync(path.join(corpusDir, "wikinews.jsonl"), `${corpusLines.join("\n")}\n`);
  let now = Date.parse(startIso);
  const clock: Clock = { now: () => new Date(now) };

  const fake = await startFakeDiscord();
  cleanups.push(() => fake.close());
  const config = parseConfig({
    DATA_DIR: dataDir,
    CORPUS_DIR: corpusDir,
    EMBEDDINGS_CACHE_DIR: sharedCacheDir,
    BRIEFING_TZ: "Europe/Berlin",
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_ROOT: fake.apiRoot,
  });
  const store = await openSubscriptionStore({ dataDir });
  cleanups.push(() => store.close());
  const service = await openNewsService({
    config,
    corpusPaths: [corpusDir],
    embedder: await testGloveEmbedder(),
    answerModel: null,
    clock,
    arrivals: store,
  });
  cleanups.push(() => service.close());
  const brief = service.brief;
  if (brief === undefined) throw new Error("the news service has no briefings");
  const bot = await runDiscordBot(service, config, silentLogger, {
    subscriptions: store,
    clock,
    rest: { timeoutMs: 5000, retries: 1 },
  });
  cleanups.push(() => bot.stop());
  const setNow = (iso: string) => {
    now = Date.parse(iso);
  };
  return { fake, bot, service, brief, store, clock, setNow };
}

/** Runs a slash command and waits until the user sees its answer: an edited original or a follow-up. */
async function run(
  fake: FakeDiscord,
  name: string,
  options: Record<string, string> = {},
  where: Parameters<FakeDiscord["slashCommand"]>[2] = {},
): Promise<InteractionView> {
  const view = fake.slashCommand(name, options, where);
  await fake.waitFor(() => view.followups.length > 0 || (view.original?.embeds.length ?? 0) > 0);
  return view;
}

/** The public text of an interaction's answer, markdown escapes removed. */
const shown = (view: InteractionView) => visible(descriptions(view.original ? [view.original] : []));

interface ShownStory {
  readonly n: number;
  readonly quote: string;
  readonly title: string;
  readonly url: string;
}

/** Story blocks as a reader sees them: "**n. lead**", "> “quote”", "> — who", "> [title](url) · outlet · date". */
function storiesOf(text: string): ShownStory[] {
  const pattern =
    /\*\*(\d+)\. [^\n]*\*\*\n> “([^\n]+)”\n> — [^\n]+\n> \[([^\]]+)\]\(([^)\s]+)\) · Wikinews · \d{4}-\d\d-\d\d/g;
  return [...text.matchAll(pattern)].map((m) => ({
    n: Number(m[1]),
    quote: m[2]!,
    title: m[3]!,
    url: m[4]!,
  }));
}

/** Every shown quote is verbatim in the article its citation links to (located, then checked by verifyQuote). */
function expectVerbatim(stories: readonly ShownStory[]): void {
  for (const story of stories) {
    const article = articles.find((a) => a.url === decodeURIComponent(story.url) || a.url === story.url);
    expect(article?.title, story.url).toBe(story.title);
    const at = locateQuote(article!.text, story.quote);
    expect(at, story.quote).not.toBeNull();
    expect(verifyQuote(article!, { text: story.quote, ...at! })).toEqual({ ok: true });
  }
}

describe("briefings through the Discord fake", () => {
  it("/briefing day:yesterday defers, then edits in the numbered stories with verbatim, cited quotes", async () => {
    const { fake, brief } = await harness("2019-10-11T08:00:00Z"); // 10:00 on Friday 11 Oct in Berlin
    const view = await run(fake, "briefing", { day: "yesterday" });

    expect(view.callbacks.map((c) => c.type)).toEqual([5]);
    expect(view.original?.flags ?? 0).toBe(0);
    expect(view.followups).toEqual([]);
    expect(view.original?.embeds[0]?.title).toBe("Briefing · Thu 10 Oct 2019");
    expect(limitViolations(view.original!)).toEqual([]);
    const text = shown(view);
    expect(text).toContain("3 articles · 3 stories · Thu 10 Oct 2019");
    expect(text).toContain("Send /ask <n> for more quotes from story n.");

    const stories = storiesOf(text);
    expect(stories.map((s) => s.n)).toEqual([1, 2, 3]);
    expect(new Set(stories.map((s) => s.title))).toEqual(new Set(oct10.map((a) => a.title)));
    expect(text).not.toContain("Scheduled power outages"); // 9 October is not "yesterday"
    expectVerbatim(stories);

    // What the service reports is what the user saw, and its offsets verify against the article.
    const briefing = await brief("2019-10-10", { tz: "Europe/Berlin" });
    for (const story of briefing.stories) {
      const article = articles.find((a) => a.id === story.article.id)!;
      const quote = story.quote ?? story.sentence ?? "";
      expect(verifyQuote(article, { text: quote, start: story.start, end: story.end })).toEqual({ ok: true });
      expect(stories[story.n - 1]?.quote).toBe(quote.replace(/\s+/g, " ").trim());
    }
  });

  it("/subscribe time:07:30 zone:Europe/Berlin: managers and DMs may, other members are refused privately", async () => {
    const { fake, store } = await harness("2019-10-10T05:00:00Z");
    const channel = { platform: "discord" as const, chatId: defaultGuild.channelId };

    const refused = await run(
      fake,
      "subscribe",
      { time: "07:30", zone: "Europe/Berlin" },
      { userId: "700000000000000077" },
    );
    // The public "thinking…" message is removed; the refusal is a follow-up only the asker sees.
    const refusal = [refused.original, ...refused.followups].filter(
      (m): m is FakeMessage => m !== undefined && !m.deleted,
    );
    expect(refusal.map((m) => visible(m.content))).toEqual([
      "Only members with the Manage Server permission can change this channel's daily briefing.",
    ]);
    expect(refusal.map((m) => m.flags & EPHEMERAL)).toEqual([EPHEMERAL]);
    expect(refusal[0]?.embeds).toEqual([]);
    expect(store.get(channel)).toBeUndefined();

    const done = await run(
      fake,
      "subscribe",
      { time: "07:30", zone: "Europe/Berlin" },
      { permissions: MANAGE_GUILD, userId: "700000000000000042" },
    );
    expect(shown(done)).toBe(
      "Subscribed: the daily briefing will arrive here every day at 07:30 (Europe/Berlin). /unsubscribe stops it.",
    );
    expect(store.get(channel)).toMatchObject({
      time: "07:30",
      timeZone: "Europe/Berlin",
      createdBy: "700000000000000042",
    });
    expect(shown(await run(fake, "subscriptions"))).toBe(
      "Daily briefing here every day at 07:30 (Europe/Berlin). /unsubscribe stops it.",
    );

    const dmChannel = "910000000000000001";
    const dm = await run(
      fake,
      "subscribe",
      { time: "18:00", zone: "America/New_York" },
      { guildId: null, channelId: dmChannel },
    );
    expect(shown(dm)).toBe(
      "Subscribed: the daily briefing will arrive here every day at 18:00 (America/New_York). /unsubscribe stops it.",
    );
    expect(store.get({ platform: "discord", chatId: dmChannel })).toMatchObject({ time: "18:00" });
    expect(store.list()).toHaveLength(2);
  });

  it("delivers the scheduled briefing to the channel once at 07:30 Berlin, and unsubscribes an Unknown Channel", async () => {
    const { fake, bot, brief, store, clock, setNow } = await harness("2019-10-10T05:00:00Z"); // 07:00 Berlin
    const channel = { platform: "discord" as const, chatId: defaultGuild.channelId };
    await run(fake, "subscribe", { time: "07:30", zone: "Europe/Berlin" }, { permissions: MANAGE_GUILD });
    const scheduler = createScheduler({
      store,
      briefings: { brief },
      senders: { discord: bot.briefingSender },
      clock,
    });

    expect(await scheduler.tick()).toEqual([]); // 07:00 is before the chat's 07:30
    expect(fake.channelMessages).toEqual([]);

    setNow("2019-10-10T05:30:00Z"); // 07:30 in Berlin
    expect(await scheduler.tick()).toEqual([{ ...channel, localDate: "2019-10-10", result: "sent" }]);
    expect(fake.channelMessages).toHaveLength(1);
    const posted = fake.channelMessages[0]!;
    expect(posted.channel_id).toBe(defaultGuild.channelId);
    expect(posted.allowed_mentions).toEqual({ parse: [] });
    expect(posted.embeds[0]?.title).toBe("Briefing · Thu 10 Oct 2019");
    const text = visible(descriptions([posted]));
    expect(text).toContain("3 articles · 3 stories · Thu 10 Oct 2019");
    const stories = storiesOf(text);
    expect(stories).toHaveLength(3);
    expectVerbatim(stories);

    setNow("2019-10-10T09:00:00Z"); // later the same day: nothing more
    expect(await scheduler.tick()).toEqual([]);
    expect(fake.channelMessages).toHaveLength(1);

    // The next morning the channel has been deleted: Discord answers Unknown Channel, the chat is unsubscribed.
    setNow("2019-10-11T05:30:00Z");
    fake.fail("POST", /^\/channels\/\d+\/messages$/, {
      status: 404,
      body: { message: "Unknown Channel", code: 10003 },
    });
    expect(await scheduler.tick()).toEqual([{ ...channel, localDate: "2019-10-11", result: "gone" }]);
    expect(store.get(channel)).toBeUndefined();
    setNow("2019-10-12T05:30:00Z");
    expect(await scheduler.tick()).toEqual([]);
    expect(fake.channelMessages).toHaveLength(1);
    expect(shown(await run(fake, "subscriptions"))).toBe(
      "No daily briefing in this chat. Start one with /subscribe 07:30 Europe/Berlin",
    );
  });
});
