// End-to-end: the real news service over the bundled seed corpus, behind the real grammY bot (long polling),
// talking to the loopback fake Telegram Bot API. What the user sees is checked against the article text.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningTelegramBot, runTelegramBot } from "../../src/adapters/telegram/run-telegram.js";
import { parseCorpusFile } from "../../src/core/corpus-format.js";
import { silentLogger } from "../../src/core/ports.js";
import {
  openSeedService,
  SEED_QUESTION,
  SEED_QUOTE,
  seedCorpus,
  type TestService,
} from "../support/seed-service.js";
import { type FakeTelegram, startFakeTelegram, telegramConfigFor } from "./fake-telegram.js";
import { entityText } from "./telegram-html.js";

const seedFile = path.join(seedCorpus, "seed-iraq-embassy.md");
const seedArticle = parseCorpusFile(seedFile, readFileSync(seedFile, "utf8")).articles[0]!;

describe("Telegram bot over the real service (seed corpus)", () => {
  let service: TestService;
  let fake: FakeTelegram;
  let running: RunningTelegramBot;

  beforeAll(async () => {
    service = await openSeedService();
    fake = await startFakeTelegram();
    running = await runTelegramBot(
      service,
      {
        telegram: telegramConfigFor(fake),
        questionsPerMinute: 6,
      },
      silentLogger,
    );
  });

  afterAll(async () => {
    await running?.stop();
    await fake?.close();
    await service?.dispose();
  });

  it("answers the seed question with Annie Kelly's verbatim quote, attributed and cited", async () => {
    fake.pushMessage({ text: SEED_QUESTION, userId: 42 });
    await fake.waitFor(() => fake.sentTo(42).length >= 1, 60_000);
    const reply = fake.sentTo(42)[0]!;

    const blockquotes = reply.entities
      .filter((e) => e.type === "blockquote")
      .map((e) => entityText(reply.text, e));
    const kelly = blockquotes.find((b) => b.includes(SEED_QUOTE));
    expect(kelly, reply.text).toBeDefined();
    expect(seedArticle.text).toContain(SEED_QUOTE);
    expect(kelly).toMatch(/— Annie Kelly, White House Spokesperson\n/);
    expect(kelly).toContain(`${seedArticle.title} · Reuters · 12 Jun 2025`);

    const link = reply.entities.find((e) => e.type === "text_link");
    if (seedArticle.url !== null) {
      // The title links to the article.
      expect(link?.url).toBe(new URL(seedArticle.url).href);
      expect(link && entityText(reply.text, link)).toBe(seedArticle.title);
    } else {
      // The bundled seed article carries no URL in its front matter: the title is shown, unlinked.
      expect(link).toBeUndefined();
    }
  });
});
