/**
 * The bot path under load: questions pushed through the loopback Telegram fake (test/telegram/fake-telegram.ts) and
 * fetched by the real grammY bot with getUpdates, answered by the real service. Each question comes from its own
 * private chat, so a reply names its update, a missing reply is a lost update and a second copy is a duplicate.
 */
import { runTelegramBot } from "../src/adapters/telegram/run-telegram.js";
import { silentLogger } from "../src/core/ports.js";
import type { RunningNewsService } from "../src/service/open-news-service.js";
import { startFakeTelegram, telegramConfigFor } from "../test/telegram/fake-telegram.js";
import { type BotResult, latency, round } from "./report.js";

export interface BotPathOptions {
  readonly questions: readonly string[];
  /** Questions pushed at once (the burst). */
  readonly messages: number;
  /** Questions asked one at a time afterwards, for push-to-reply latency. */
  readonly roundTrips: number;
  /** True: the product's outgoing throttling (Telegram's limits); false: the bot's own capacity. */
  readonly throttled: boolean;
  readonly timeoutMs?: number;
}

const FIRST_CHAT = 10_000_000;

export async function runBotPath(service: RunningNewsService, options: BotPathOptions): Promise<BotResult> {
  const fake = await startFakeTelegram();
  const total = options.messages + options.roundTrips;
  const running = await runTelegramBot(
    service,
    {
      telegram: telegramConfigFor(fake),
      // Every question comes from a different user, so the per-user limit never refuses one.
      questionsPerMinute: total + 1,
    },
    silentLogger,
    options.throttled ? {} : { throttle: false },
  );
  const timeoutMs = options.timeoutMs ?? 600_000;
  const question = (i: number) => options.questions[i % options.questions.length]!;
  const firstReplyAt = new Map<number, number>();
  const noteReplies = () => {
    for (const r of fake.requests) {
      if (r.method !== "sendMessage" || r.failedWith !== undefined) continue;
      const chat = Number(r.payload.chat_id);
      if (!firstReplyAt.has(chat)) firstReplyAt.set(chat, r.at);
    }
  };
  try {
    const pushedAt = performance.now();
    for (let i = 0; i < options.messages; i++) {
      fake.pushMessage({ text: question(i), userId: FIRST_CHAT + i });
    }
    const replied = () => new Set(fake.sent.map((m) => m.chatId)).size;
    await fake.waitFor(() => replied() >= options.messages, timeoutMs).catch(() => {});
    // Let the last answer's remaining messages arrive.
    let seen = -1;
    while (seen !== fake.sent.length) {
      seen = fake.sent.length;
      await new Promise((r) => setTimeout(r, 250));
    }
    noteReplies();
    const burstReplies = [...firstReplyAt.values()].sort((a, b) => a - b);
    const lastAt = fake.requests
      .filter((r) => r.method === "sendMessage")
      .reduce((m, r) => Math.max(m, r.at), pushedAt);
    const gaps = burstReplies.slice(1).map((t, i) => t - burstReplies[i]!);

    let duplicated = 0;
    for (let i = 0; i < options.messages; i++) {
      const sent = fake.sentTo(FIRST_CHAT + i);
      const first = sent[0]?.html;
      if (first !== undefined && sent.filter((m) => m.html === first).length > 1) duplicated++;
    }
    const answered = burstReplies.length;

    const roundTrips: number[] = [];
    for (let i = 0; i < options.roundTrips; i++) {
      const chat = FIRST_CHAT + options.messages + i;
      const at = performance.now();
      fake.pushMessage({ text: question(i * 7 + 3), userId: chat });
      await fake.waitFor(() => fake.sentTo(chat).length > 0, 60_000);
      noteReplies();
      roundTrips.push((firstReplyAt.get(chat) ?? performance.now()) - at);
    }
    const totalMs = Math.max(1, lastAt - pushedAt);
    return {
      passages: service.corpus().passages.length,
      throttled: options.throttled,
      messages: options.messages,
      chats: options.messages,
      answered,
      lost: options.messages - answered,
      duplicated,
      totalMs: round(totalMs),
      messagesPerSec: round(answered / (totalMs / 1000), 2),
      perMessage: latency(gaps),
      roundTrip: latency(roundTrips),
    };
  } finally {
    await running.stop();
    await fake.close();
  }
}
