// /briefing, /subscribe and /ask <n> through real grammY against the loopback fake Bot API, and scheduled delivery
// through the Telegram BriefingSender (including a chat that blocked the bot).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramBriefingSender } from "../../src/adapters/telegram/briefing-sender.js";
import { runTelegramBot } from "../../src/adapters/telegram/run-telegram.js";
import type { Clock } from "../../src/core/ports.js";
import { silentLogger } from "../../src/core/ports.js";
import { normalizeForCompare } from "../../src/core/verify.js";
import { openSubscriptionStore } from "../../src/infra/subscription-store.js";
import { createBriefingService } from "../../src/service/briefing-service.js";
import { createScheduler } from "../../src/service/scheduler.js";
import { createFakeNewsService } from "../telegram/fake-news-service.js";
import { startFakeTelegram, telegramConfigFor } from "../telegram/fake-telegram.js";
import { snapshotOf, wikinewsArticles } from "./fixtures.js";

const CHAT = 4242;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness() {
  const dir = mkdtempSync(path.join(tmpdir(), "tg-briefing-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openSubscriptionStore({ dataDir: dir });
  cleanups.push(() => store.close());
  let now = Date.parse("2019-10-11T08:00:00Z");
  const clock: Clock = { now: () => new Date(now) };
  const articles = wikinewsArticles().filter((a) => a.date === "2019-10-10");
  const corpus = await snapshotOf(articles);
  const briefings = createBriefingService({ corpus: () => corpus, clock, defaultTz: "UTC", arrivals: store });
  const service = {
    ...createFakeNewsService(),
    brief: briefings.brief,
    storyDetails: briefings.storyDetails,
  };
  const fake = await startFakeTelegram();
  cleanups.push(() => fake.close());
  const running = await runTelegramBot(
    service,
    {
      telegram: telegramConfigFor(fake),
      questionsPerMinute: 30,
    },
    silentLogger,
    { commandContext: { subscriptions: store, timeZone: "Europe/Berlin" } },
  );
  cleanups.push(() => running.stop());
  const say = async (text: string) => {
    const before = fake.sentTo(CHAT).length;
    fake.pushMessage({ text, chatId: CHAT, userId: 7, chatType: "private" });
    await fake.waitFor(() => fake.sentTo(CHAT).length > before);
    return fake.sentTo(CHAT).slice(before);
  };
  return {
    fake,
    store,
    running,
    articles,
    say,
    setNow: (iso: string) => {
      now = Date.parse(iso);
    },
    clock,
    briefings,
  };
}

describe("briefings through the Telegram fake", () => {
  it("/briefing yesterday shows the numbered stories with verbatim, cited quotes", async () => {
    const { say, articles } = await harness();
    const [message] = await say("/briefing yesterday");
    const text = message!.text;
    expect(text).toContain("Briefing for Thu 10 Oct 2019");
    expect(text).toContain("3 articles · 3 stories · Thu 10 Oct 2019");
    for (const a of articles) expect(text).toContain(a.title);
    const quoted = [...text.matchAll(/“([^”]+)”/g)].map((m) => m[1]!);
    expect(quoted.length).toBeGreaterThanOrEqual(3);
    for (const q of quoted) {
      expect(articles.some((a) => normalizeForCompare(a.text).includes(normalizeForCompare(q)))).toBe(true);
    }
    expect(text).toContain("Send /ask <n> for more quotes from story n.");

    const [details] = await say("/ask 2");
    expect(details!.text).toContain("Story 2 of Thu 10 Oct 2019");
  });

  it("/subscribe 07:30 Europe/Berlin stores the subscription and the scheduler delivers it", async () => {
    const { say, store, running, setNow, clock, briefings, fake } = await harness();
    const [reply] = await say("/subscribe 07:30 Europe/Berlin");
    expect(reply!.text).toBe(
      "Subscribed: the daily briefing will arrive here every day at 07:30 (Europe/Berlin). /unsubscribe stops it.",
    );
    expect(store.get({ platform: "telegram", chatId: String(CHAT) })).toMatchObject({
      time: "07:30",
      timeZone: "Europe/Berlin",
      createdBy: "7",
    });
    const [shown] = await say("/subscriptions");
    expect(shown!.text).toBe(
      "Daily briefing here every day at 07:30 (Europe/Berlin). /unsubscribe stops it.",
    );

    const scheduler = createScheduler({
      store,
      briefings,
      senders: { telegram: createTelegramBriefingSender(running.bot.api) },
      clock,
    });
    setNow("2019-10-10T05:30:00Z"); // 07:30 in Berlin on the 10th
    const before = fake.sentTo(CHAT).length;
    expect(await scheduler.tick()).toEqual([
      { platform: "telegram", chatId: String(CHAT), localDate: "2019-10-10", result: "sent" },
    ]);
    const delivered = fake.sentTo(CHAT).slice(before);
    expect(delivered[0]!.text).toContain("Briefing for Thu 10 Oct 2019");
    expect(await scheduler.tick()).toEqual([]);

    // The next morning the user has blocked the bot: Telegram answers 403, the chat is unsubscribed.
    setNow("2019-10-11T05:30:00Z");
    fake.failNext("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" });
    expect(await scheduler.tick()).toEqual([
      { platform: "telegram", chatId: String(CHAT), localDate: "2019-10-11", result: "gone" },
    ]);
    expect(store.get({ platform: "telegram", chatId: String(CHAT) })).toBeUndefined();
  });
});
