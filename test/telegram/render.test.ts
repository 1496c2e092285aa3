// Unit tests for Telegram HTML rendering and splitting, checked by parsing the output as Telegram would.
import { describe, expect, it } from "vitest";
import {
  packMessages,
  renderNotice,
  renderReply,
  SOURCES_HINT,
  TELEGRAM_MESSAGE_LIMIT,
} from "../../src/adapters/telegram/render.js";
import { createFakeNewsService, KELLY_QUOTE, loadSeedArticle, quoteFrom } from "./fake-news-service.js";
import {
  HOSTILE_QUESTION,
  HOSTILE_QUOTES,
  hostileAnswer,
  hostileArticle,
  longAnswer,
  scriptUrlArticle,
} from "./fixtures.js";
import { entityText, parseTelegramHtml } from "./telegram-html.js";

function parse(html: string) {
  const parsed = parseTelegramHtml(html);
  if (!parsed.ok) throw new Error(`${parsed.description}\n${html}`);
  return parsed;
}

describe("renderReply", () => {
  it("shows the lead, then each quote as a blockquote with speaker and a linked title, outlet and date", async () => {
    const service = createFakeNewsService({
      article: { ...loadSeedArticle(), url: "https://example.org/seed" },
    });
    const question = "What did the White House say about pulling embassy staff out of Iraq?";
    const [html, ...rest] = renderReply({ kind: "answer", question, answer: await service.ask(question) });
    expect(rest).toEqual([]);
    const { text, entities } = parse(html!);
    expect(text.split("\n")[0]).toBe(
      "The White House said the decision to pull staff followed routine reviews.",
    );
    const quote = entities.find((e) => e.type === "blockquote")!;
    expect(entityText(text, quote)).toBe(
      `“${KELLY_QUOTE}”\n— Annie Kelly, White House Spokesperson\n` +
        "US considering withdrawing some embassy staff from Iraq · Reuters · 12 Jun 2025",
    );
    const link = entities.find((e) => e.type === "text_link")!;
    expect(entityText(text, link)).toBe("US considering withdrawing some embassy staff from Iraq");
    expect(link.url).toBe("https://example.org/seed");
    expect(entities.filter((e) => e.type === "bold").map((e) => entityText(text, e))).toEqual([
      "Annie Kelly",
    ]);
  });

  it("shows markup, Markdown markers and URLs from questions and articles as plain text", () => {
    const messages = renderReply({
      kind: "answer",
      question: HOSTILE_QUESTION,
      answer: hostileAnswer(HOSTILE_QUESTION),
    });
    expect(messages).toHaveLength(1);
    const { text, entities } = parse(messages[0]!);
    expect(text).toContain(HOSTILE_QUESTION);
    for (const quote of HOSTILE_QUOTES) expect(text).toContain(`“${quote}”`);
    expect(text).toContain(hostileArticle.title);
    expect(text).toContain("R&D <Weekly>");
    // Only the formatting the bot chose: two quotes, two bold speakers, two title links.
    expect(entities.map((e) => e.type).sort()).toEqual([
      "blockquote",
      "blockquote",
      "bold",
      "bold",
      "text_link",
      "text_link",
    ]);
    const links = entities.filter((e) => e.type === "text_link");
    expect(links.map((l) => entityText(text, l))).toEqual([hostileArticle.title, hostileArticle.title]);
    expect(links[0]!.url).toBe("https://news.example/a?x=1&y=%222%22%3Cscript%3E");
    expect(entities.filter((e) => e.type === "bold").map((e) => entityText(text, e))).toEqual([
      "Tom <Cat>",
      "Jerry & Co",
    ]);
  });

  it("never turns a non-http URL into a link", () => {
    const answer = {
      refused: false,
      lead: "One quote.",
      quotes: [quoteFrom(scriptUrlArticle, HOSTILE_QUOTES[1])],
    };
    const { text, entities } = parse(renderReply({ kind: "answer", question: "q", answer })[0]!);
    expect(entities.some((e) => e.type === "text_link")).toBe(false);
    expect(text).toContain("(javascript:alert(1))");
  });

  it("splits a long answer between quotes: every message fits, every quote and link stays whole", () => {
    const answer = longAnswer();
    const messages = renderReply({ kind: "answer", question: "budgets?", answer });
    expect(messages.length).toBeGreaterThan(2);
    const parsed = messages.map((m) => {
      expect(m.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
      return parse(m);
    });
    for (const quote of answer.quotes) {
      const holders = parsed.filter((p) =>
        p.entities.some((e) => e.type === "blockquote" && entityText(p.text, e).includes(`“${quote.text}”`)),
      );
      expect(holders).toHaveLength(1);
      const link = holders[0]!.entities.find((e) => e.type === "text_link" && e.url === quote.article.url);
      expect(link && entityText(holders[0]!.text, link)).toBe(quote.article.title);
    }
    expect(parsed[0]!.text.startsWith(answer.lead)).toBe(true);
  });

  it("adds the /sources hint to refusals", () => {
    const [html] = renderReply({
      kind: "answer",
      question: "weather on Mars?",
      answer: { refused: true, lead: "I couldn't find that.", quotes: [], reason: "no-evidence" },
    });
    expect(parse(html!).text).toBe(`I couldn't find that. ${SOURCES_HINT}`);
  });

  it("says when a speaker has no quotes, escaping the query", () => {
    const [html] = renderReply({
      kind: "quotes",
      query: "<Nobody> & co",
      speaker: null,
      role: null,
      quotes: [],
    });
    expect(parse(html!).text).toBe(`I found no quotes from “<Nobody> & co”. ${SOURCES_HINT}`);
  });

  it("summarises the corpus for /sources", () => {
    const [html] = renderReply({
      kind: "sources",
      summary: {
        articles: 336,
        passages: 2100,
        quotes: 900,
        firstDate: "2006-01-02",
        lastDate: "2023-05-30",
        outlets: [{ name: "Wikinews", articles: 336 }],
      },
    });
    const { text } = parse(html!);
    expect(text).toContain(
      "I hold 336 articles dated 2 Jan 2006 to 30 May 2023, with 900 quotes in 2100 passages.",
    );
    expect(text).toContain("Outlets: Wikinews (336).");
  });
});

describe("packMessages", () => {
  it("splits a single paragraph longer than a message at spaces, keeping valid HTML", () => {
    const text = Array.from({ length: 1500 }, (_, i) => `w${i}&<>`).join(" ");
    const messages = renderNotice(text);
    expect(messages.length).toBeGreaterThan(1);
    const texts = messages.map((m) => {
      expect(m.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
      return parse(m).text;
    });
    expect(texts.join(" ")).toBe(text);
  });

  it("never splits inside a link, even in an oversized blockquote", () => {
    const link = { text: "The linked title", href: "https://example.org/x" };
    const block = {
      quote: true,
      segments: [{ text: "a ".repeat(3000) }, link, { text: " b".repeat(3000) }],
    };
    const messages = packMessages([block]);
    const withLink = messages.map(parse).filter((p) => p.entities.some((e) => e.type === "text_link"));
    expect(withLink).toHaveLength(1);
    const entity = withLink[0]!.entities.find((e) => e.type === "text_link")!;
    expect(entityText(withLink[0]!.text, entity)).toBe("The linked title");
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
  });
});
