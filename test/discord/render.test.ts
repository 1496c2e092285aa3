// Unit tests of the Discord renderer: escaping, quote blocks with citations, and splitting between quotes.
import { describe, expect, it } from "vitest";
import {
  discordLimits,
  embedStyle,
  escapeMarkdown,
  packBlocks,
  renderQuote,
  renderReply,
} from "../../src/adapters/discord/render.js";
import type { Answer } from "../../src/core/types.js";
import { limitViolations, visible } from "./discord-checks.js";
import { article, articleIds, fixtureArticles, quoteFrom } from "./fake-news-service.js";

/** Every paragraph of the fixture articles as a quote: ~10,000 characters, far over one message. */
function bigAnswer(): Answer {
  const quotes = fixtureArticles.flatMap((a) =>
    a.text
      .split(/\n\n+/)
      .filter((p) => p.trim().length > 0)
      .map((p) => quoteFrom(a.id, p)),
  );
  return { refused: false, lead: "Here is everything I have.", quotes };
}

describe("escapeMarkdown", () => {
  it("shows markdown, mentions and masked links literally", () => {
    const raw = "**bold** _it_ `code` ~~s~~ ||spoiler|| [x](https://e.com) <@123> @everyone @here";
    const escaped = escapeMarkdown(raw);
    expect(escaped).not.toMatch(/(^|[^\\])[*_`~|[\]()<>]/);
    expect(escaped).toContain("@\u200beveryone");
    expect(visible(escaped)).toBe(raw);
  });

  it("neutralises line-start headings, quotes and lists", () => {
    const raw = "# heading\n> quote\n- item\n12. numbered";
    const escaped = escapeMarkdown(raw);
    expect(escaped).toBe("\\# heading\n\\> quote\n\\- item\n12\\. numbered");
    expect(visible(escaped)).toBe(raw);
  });
});

describe("renderQuote", () => {
  it("shows the verbatim quote, speaker and role, and the linked title, outlet and date", () => {
    const quote = quoteFrom(
      articleIds.document,
      "We take document security seriously",
      "Sujata Raisinghani",
      "Environment Canada spokeswoman",
    );
    const block = renderQuote(quote);
    const doc = article(articleIds.document);
    expect(block).toBe(
      `> “We take document security seriously”\n> — **Sujata Raisinghani**, Environment Canada spokeswoman\n> [Sensitive Canadian document found on rainy streets](${doc.url}) · Wikinews · 2008-08-15`,
    );
  });

  it("escapes brackets in quotes so they cannot form links, and percent-encodes parentheses in urls", () => {
    const quote = quoteFrom(articleIds.comicon, "Jerry [O'Connell] and I are talking to NBC at the moment.");
    const block = renderQuote({ ...quote, article: { ...quote.article, url: "https://e.org/wiki/A_(b)" } });
    expect(block).toContain("Jerry \\[O'Connell\\] and I");
    expect(block).toContain("(https://e.org/wiki/A_%28b%29)");
  });
});

describe("renderReply", () => {
  it("renders an answer as one embed: question as title, lead, then quote blocks, colour and footer", () => {
    const quote = quoteFrom(articleIds.iran, "The definite latest numbers we have are 523 new infections");
    const rendered = renderReply({
      kind: "answer",
      question: "What did Iran report?",
      answer: { refused: false, lead: "Iran's health ministry gave figures.", quotes: [quote] },
    });
    expect(rendered.kind).toBe("public");
    if (rendered.kind !== "public") return;
    expect(rendered.messages).toHaveLength(1);
    const [embed] = rendered.messages[0]!.embeds;
    expect(embed).toMatchObject({
      title: "What did Iran report?",
      color: embedStyle.color,
      footer: { text: embedStyle.footer },
    });
    expect(embed?.description).toBe(`Iran's health ministry gave figures.\n\n${renderQuote(quote)}`);
  });

  it("turns refusals and empty quote lists into private notices", () => {
    const refused = renderReply({
      kind: "answer",
      question: "q",
      answer: { refused: true, lead: "I couldn't find that.", quotes: [] },
    });
    expect(refused).toEqual({ kind: "notice", text: "I couldn't find that." });
    const none = renderReply({ kind: "quotes", query: "nobody_here", speaker: null, role: null, quotes: [] });
    expect(none).toEqual({ kind: "notice", text: "I have no quotes from “nobody\\_here”." });
  });

  it("splits an answer over the limits between quotes, never inside one, within every limit", () => {
    const answer = bigAnswer();
    const rendered = renderReply({ kind: "answer", question: "Everything?", answer });
    if (rendered.kind !== "public") throw new Error("expected public");
    expect(rendered.messages.length).toBeGreaterThan(1);
    for (const message of rendered.messages) expect(limitViolations(message)).toEqual([]);
    const blocks = rendered.messages.flatMap((m) => m.embeds.map((e) => e.description ?? ""));
    for (const quote of answer.quotes) {
      const block = renderQuote(quote);
      expect(blocks.filter((d) => d.includes(block))).toHaveLength(1);
    }
    expect(rendered.messages[0]!.embeds[0]!.title).toBe("Everything?");
    expect(rendered.messages.slice(1).every((m) => m.embeds.every((e) => e.title === undefined))).toBe(true);
  });

  it("respects the embed-count and description limits when they are the binding ones", () => {
    const small = { ...discordLimits, embedDescription: 700, embedsPerMessage: 2, embedTotal: 6000 };
    const answer = bigAnswer();
    const rendered = renderReply({ kind: "answer", question: "Everything?", answer }, small);
    if (rendered.kind !== "public") throw new Error("expected public");
    for (const message of rendered.messages) {
      expect(message.embeds.length).toBeLessThanOrEqual(2);
      expect(message.embeds.at(-1)?.footer?.text).toBe(embedStyle.footer);
      for (const e of message.embeds) {
        const d = e.description ?? "";
        // A block longer than the limit is the only thing allowed to fill an embed alone (and it is cut).
        expect(d.length).toBeLessThanOrEqual(700);
      }
    }
  });

  it("packs lines for /sources and keeps the outlets list whole", () => {
    const messages = packBlocks(["head", "• a: 1", "• b: 2"], { title: "What I know", separator: "\n" });
    expect(messages).toEqual([
      {
        embeds: [
          {
            color: embedStyle.color,
            title: "What I know",
            description: "head\n• a: 1\n• b: 2",
            footer: { text: embedStyle.footer },
          },
        ],
      },
    ]);
  });
});
