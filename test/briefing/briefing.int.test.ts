// Briefings over real Wikinews days and dense Current Events portal days, with the product's GloVe embedder.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Briefing,
  buildBriefing,
  groupStories,
  renderBriefingText,
  storyHighlights,
} from "../../src/core/briefing.js";
import type { Embedder } from "../../src/core/ports.js";
import type { Article } from "../../src/core/types.js";
import { normalizeForCompare, verifyQuote } from "../../src/core/verify.js";
import { daySlice, portalDay, snapshotOf, testGloveEmbedder, wikinewsArticles } from "./fixtures.js";

let embedder: Embedder;
beforeAll(async () => {
  embedder = await testGloveEmbedder();
});

/** Every shown quote or sentence is verbatim in its cited article at the cited offsets. */
function expectVerbatim(briefing: Briefing, articles: readonly Article[]) {
  for (const story of briefing.stories) {
    const article = articles.find((a) => a.id === story.article.id);
    expect(article, `cited article ${story.article.id}`).toBeDefined();
    const text = story.quote ?? story.sentence ?? "";
    expect(text.length).toBeGreaterThan(0);
    expect(verifyQuote(article!, { text, start: story.start, end: story.end }).ok).toBe(true);
    expect(normalizeForCompare(article!.text.slice(story.start, story.end))).toBe(normalizeForCompare(text));
    expect(story.article.date).toBe(briefing.date);
  }
}

async function wikinewsBriefing(date: string) {
  const articles = wikinewsArticles().filter((a) => a.date === date);
  const snapshot = await snapshotOf(articles, embedder);
  return { articles, ...buildBriefing(daySlice(snapshot, date), []) };
}

describe("briefing over Wikinews days", () => {
  it("2019-02-11: three unrelated articles are three stories, each with a verbatim attributed quote", async () => {
    const { briefing, articles } = await wikinewsBriefing("2019-02-11");
    expect(briefing.coverage).toBe("3 articles · 3 stories · Mon 11 Feb 2019");
    expect(briefing.stories.map((s) => s.n)).toEqual([1, 2, 3]);
    expect(briefing.more).toBe(0);
    expect(new Set(briefing.stories.map((s) => s.lead))).toEqual(new Set(articles.map((a) => a.title)));
    expectVerbatim(briefing, articles);
    const munk = briefing.stories.find((s) => s.lead.includes("Walter Munk"));
    expect(munk).toMatchObject({
      quote: "Munk has been a world treasure for ocean science and geophysics.",
      speaker: "Margaret Leinen",
      role: "Scripps Oceanography director",
    });
  });

  it("2019-10-10: each story cites its own article and the text fits one Telegram message", async () => {
    const { briefing, articles } = await wikinewsBriefing("2019-10-10");
    expect(briefing.coverage).toBe("3 articles · 3 stories · Thu 10 Oct 2019");
    for (const story of briefing.stories) expect(story.articles.map((a) => a.id)).toEqual([story.article.id]);
    expectVerbatim(briefing, articles);
    const text = renderBriefingText(briefing);
    expect(text.length).toBeLessThan(4096);
    expect(text).toContain("3 articles · 3 stories · Thu 10 Oct 2019");
    expect(text).toContain("Send /ask <n> for more quotes from story n.");
  });

  it("gives several verified quotes of one story for /ask <n>", async () => {
    const date = "2019-10-10";
    const articles = wikinewsArticles().filter((a) => a.date === date);
    const day = daySlice(await snapshotOf(articles, embedder), date);
    const story = groupStories(day).find((s) => s.articleIds[0]?.includes("diplomat-s-wife"))!;
    const quotes = storyHighlights(story, day).slice(0, 5);
    expect(quotes.length).toBe(5);
    expect(quotes[0]!.direct).toBe(true);
    for (const q of quotes) {
      const article = articles.find((a) => a.id === q.article.id)!;
      expect(verifyQuote(article, q).ok).toBe(true);
    }
  });

  it("says so for a day without articles and offers the nearest days that have some", async () => {
    const all = wikinewsArticles();
    const snapshot = await snapshotOf(all.slice(0, 0), embedder);
    const dates = all.map((a) => a.date!).filter(Boolean);
    const { briefing } = buildBriefing(daySlice(snapshot, "2019-02-12"), dates);
    expect(briefing.stories).toEqual([]);
    expect(briefing.coverage).toBe("0 articles · 0 stories · Tue 12 Feb 2019");
    expect(briefing.nearest).toEqual(["2019-02-11", "2019-02-13"]);
    expect(renderBriefingText(briefing)).toContain(
      "No articles on Tue 12 Feb 2019. Nearest days with articles: 2019-02-11, 2019-02-13.",
    );
  });
});

describe("briefing over dense portal days", () => {
  it("2019-10-10: reports of the Turkish offensive form one story; unrelated events stay apart", async () => {
    const items = portalDay("2019-10-10");
    const articles = items.map((i) => i.article);
    const day = daySlice(await snapshotOf(articles, embedder), "2019-10-10");
    const stories = groupStories(day);
    const storyOf = (needle: string) => {
      const id = articles.find((a) => a.text.includes(needle))!.id;
      return stories.findIndex((s) => s.articleIds.includes(id));
    };
    const offensive = storyOf("Heavy fighting between the Turkish Land Forces");
    expect(storyOf("threatens to send 3.6 million Syrian refugees")).toBe(offensive);
    expect(storyOf("blames the Turkish offensive on the Kurdish forces")).toBe(offensive);
    expect(storyOf("demanding that the International Monetary Fund (IMF) leave Ecuador")).toBe(
      storyOf("parade captured police officers in the Ecuadorian capital Quito"),
    );
    expect(storyOf("A highway bridge collapses onto cars in Wuxi")).not.toBe(offensive);
    expect(stories[storyOf("A highway bridge collapses onto cars in Wuxi")]!.articleIds).toHaveLength(1);
    expect(stories[storyOf("Iran beats Cambodia 14–0")]!.articleIds).toHaveLength(1);
    // The biggest story comes first.
    expect(offensive).toBe(0);
    const { briefing } = buildBriefing(day, []);
    expect(briefing.counts).toEqual({ articles: articles.length, stories: stories.length });
    expect(briefing.coverage).toBe(
      `${articles.length} articles · ${stories.length} stories · Thu 10 Oct 2019`,
    );
    expectVerbatim(briefing, articles);
  });

  it("2020-03-13: a 52-item day lists the top stories within one message and counts the rest", async () => {
    const articles = portalDay("2020-03-13").map((i) => i.article);
    const day = daySlice(await snapshotOf(articles, embedder), "2020-03-13");
    const { briefing } = buildBriefing(day, []);
    expect(articles.length).toBe(52);
    expect(briefing.stories.length).toBeGreaterThanOrEqual(5);
    expect(briefing.stories.length).toBeLessThanOrEqual(10);
    expect(briefing.more).toBe(briefing.counts.stories - briefing.stories.length);
    expect(briefing.more).toBeGreaterThan(0);
    const text = renderBriefingText(briefing);
    expect(text.length).toBeLessThan(4096);
    expect(text).toContain(`…and ${briefing.more} more stories.`);
    expectVerbatim(briefing, articles);
  });
});
