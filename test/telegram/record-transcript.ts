/**
 * Records a real exchange for the README (section "Telegram bot"): the real service over the bundled seed corpus, the real bot
 * (long polling), the loopback fake Telegram API. Prints what the user would see, as Markdown
 * (blockquotes as `>`, bold as `**`, links as `[title](url)`).
 *
 *   npx tsx test/telegram/record-transcript.ts
 */
import { runTelegramBot } from "../../src/adapters/telegram/run-telegram.js";
import { silentLogger } from "../../src/core/ports.js";
import { openSeedService, SEED_QUESTION } from "../support/seed-service.js";
import { type SentMessage, startFakeTelegram, telegramConfigFor } from "./fake-telegram.js";

const exchange = [
  "/start",
  SEED_QUESTION,
  "/quotes Aziz Nasirzadeh",
  "/sources",
  "Who won the 2019 Champions League final?",
];

/** Text plus entities as Markdown: inline bold/links first, then `> ` before every line of a blockquote. */
function toMarkdown(message: SentMessage): string {
  const opens = new Map<number, string[]>();
  const closes = new Map<number, string[]>();
  const add = (map: Map<number, string[]>, at: number, mark: string, front = false) => {
    const list = map.get(at) ?? [];
    if (front) list.unshift(mark);
    else list.push(mark);
    map.set(at, list);
  };
  const quoteMarks: Array<[number, number]> = [];
  for (const e of message.entities) {
    const end = e.offset + e.length;
    if (e.type === "bold") {
      add(opens, e.offset, "**");
      add(closes, end, "**", true);
    } else if (e.type === "text_link") {
      add(opens, e.offset, "[");
      add(closes, end, `](${e.url})`, true);
    } else if (e.type === "blockquote") {
      quoteMarks.push([e.offset, end]);
    }
  }
  let out = "";
  const inQuote = (i: number) => quoteMarks.some(([s, t]) => i >= s && i < t);
  for (let i = 0; i <= message.text.length; i++) {
    out += (closes.get(i) ?? []).join("");
    if (i === message.text.length) break;
    const startsLine = i === 0 || message.text[i - 1] === "\n";
    if (startsLine && inQuote(i)) out += "> ";
    out += (opens.get(i) ?? []).join("");
    out += message.text[i];
  }
  return out;
}

const service = await openSeedService();
const fake = await startFakeTelegram();
const running = await runTelegramBot(
  service,
  {
    telegram: telegramConfigFor(fake),
    questionsPerMinute: 6,
  },
  silentLogger,
);
const lines: string[] = [];
try {
  for (const text of exchange) {
    const before = fake.sentTo(42).length;
    const typingBefore = fake.requests.filter((r) => r.method === "sendChatAction").length;
    fake.pushMessage({ text, userId: 42 });
    await fake.waitFor(() => fake.sentTo(42).length > before, 60_000);
    // Let a split reply finish arriving.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    lines.push(`**You:** ${text}`, "");
    if (fake.requests.filter((r) => r.method === "sendChatAction").length > typingBefore) {
      lines.push("*Bot is typing…*", "");
    }
    for (const message of fake.sentTo(42).slice(before)) lines.push("**Bot:**", "", toMarkdown(message), "");
    lines.push("---", "");
  }
} finally {
  await running.stop();
  await fake.close();
  await service.dispose();
}
process.stdout.write(`${lines.join("\n").trimEnd()}\n`);
