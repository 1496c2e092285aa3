// End-to-end with the real service over the seed corpus: /ask on Discord (real discord.js, loopback fake
// Discord) defers, then edits in Annie Kelly's verbatim quote with its citation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCitation } from "../../src/adapters/discord/render.js";
import { type RunningDiscordBot, runDiscordBot } from "../../src/adapters/discord/run-discord.js";
import { parseConfig } from "../../src/config/config.js";
import { silentLogger } from "../../src/core/ports.js";
import { verifyQuote } from "../../src/core/verify.js";
import { openSeedService, SEED_QUESTION, SEED_QUOTE, type TestService } from "../support/seed-service.js";
import { descriptions, visible } from "./discord-checks.js";
import { type FakeDiscord, startFakeDiscord } from "./fake-discord.js";

describe("Discord bot over the seed corpus", () => {
  let service: TestService;
  let fake: FakeDiscord;
  let bot: RunningDiscordBot;

  beforeAll(async () => {
    service = await openSeedService();
    fake = await startFakeDiscord();
    const config = parseConfig({
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_ROOT: fake.apiRoot,
    });
    bot = await runDiscordBot(service, config, silentLogger, { rest: { timeoutMs: 5000, retries: 1 } });
  });

  afterAll(async () => {
    await bot?.stop();
    await fake?.close();
    await service?.dispose();
  });

  it("answers /ask with the seed question: deferred, then Annie Kelly's verbatim quote and its citation", async () => {
    const view = fake.slashCommand("ask", { question: SEED_QUESTION });
    const original = await fake.waitFor(() => view.original?.embeds.length && view.original, 30_000);
    expect(view.callbacks.map((c) => c.type)).toEqual([5]);

    const answer = await service.ask(SEED_QUESTION);
    const quote = answer.quotes.find((q) => q.text.includes(SEED_QUOTE));
    expect(quote?.speaker).toBe("Annie Kelly");
    const article = service.corpus().articles.get(quote!.article.id)!;
    expect(verifyQuote(article, quote!)).toEqual({ ok: true });

    const shown = descriptions([original]);
    expect(visible(shown)).toContain(SEED_QUOTE);
    expect(visible(shown)).toMatch(/— \*\*Annie Kelly\*\*/);
    const citation = renderCitation(quote!.article);
    expect(shown).toContain(citation);
    expect(citation).toContain(article.title);
    if (article.url !== null) expect(shown).toContain(`](${article.url})`);
    expect(original.allowed_mentions).toMatchObject({ parse: [] });
  });
});
