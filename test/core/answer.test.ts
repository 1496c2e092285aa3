// Composing answers from ranked passages over a hand-built corpus: the speaker's own words for "what did X say",
// the answering sentence for facts, refusals on weak evidence and on a year the article does not know, quotes
// trimmed and re-verified at their offsets, never more than three.
import { describe, expect, it } from "vitest";
import { answerDefaults, composeAnswer, REFUSAL_TEXT } from "../../src/core/answer.js";
import { analyzeQuestion } from "../../src/core/question.js";
import { speakerMatches } from "../../src/core/quotes.js";
import type { RankedPassage } from "../../src/core/retrieval.js";
import type { Answer, Article } from "../../src/core/types.js";
import { verifyQuote } from "../../src/core/verify.js";
import { article, buildSmallCorpus, rank, type SmallCorpus } from "../support/small-corpus.js";

const flood = article(
  "flood",
  "River floods town of Brandt",
  `The river burst its banks in Brandt on Saturday, flooding two hundred homes.

Mayor Jane Ortiz said, "The water will peak on Sunday night and the shelters are ready." Fire chief Tom Reyes told reporters, "Our crews rescued twelve people from rooftops."

"We have never seen the river this high," Ortiz added. "Every family that needs a bed tonight will have one," she said. "Nobody should drive through flood water," Ortiz warned. "The state has sent forty soldiers to help," the mayor explained. "Schools will stay closed on Monday," Ortiz said.`,
  { date: "2021-07-10", source: "Brandt Courier" },
);

const rail = article(
  "rail",
  "Minister outlines rail plan",
  `Transport Minister Ana Silva presented the plan on Monday.

Silva said: "The new line will link the two largest cities in under ninety minutes. It will carry twenty million passengers a year once it is finished. Construction starts in the spring and the first section opens in four years. The budget is twelve billion euros, shared between the state and the regions. We expect the line to cut road traffic on the corridor by a third. Tickets will cost less than the bus does today."`,
  { date: "2021-05-03" },
);

const corpus = buildSmallCorpus([flood, rail]);

function ask(question: string, c: SmallCorpus = corpus, articles: ReadonlyMap<string, Article> = c.articles) {
  const { analysis, ranked } = rank(c, question);
  return composeAnswer({
    analysis,
    ranked,
    articles,
    quotesByPassage: c.quotesByPassage,
    speakerMatch: speakerMatches,
  });
}

/** What a reader is promised: each quote is the article's own text at its offsets, tidy, and cited. */
function expectVerified(answer: Answer): void {
  expect(answer.refused).toBe(false);
  expect(answer.quotes.length).toBeGreaterThan(0);
  expect(answer.quotes.length).toBeLessThanOrEqual(answerDefaults.maxQuotes);
  for (const q of answer.quotes) {
    const source = corpus.articles.get(q.article.id)!;
    expect(q.text).toBe(source.text.slice(q.start, q.end));
    expect(verifyQuote(source, q)).toEqual({ ok: true });
    expect(q.text).toBe(q.text.trim());
    expect(q.text).not.toMatch(/^["'“”‘’]|[\s,.;:"'“”‘’]$/);
    expect(q.article).toEqual({
      id: source.id,
      title: source.title,
      date: source.date,
      source: source.source,
      url: source.url,
    });
  }
}

describe("composeAnswer", () => {
  it("answers 'what did the mayor say' with the mayor's words, attributed, in a lead naming her", () => {
    const answer = ask("What did the mayor say about the flood?");
    expectVerified(answer);
    for (const q of answer.quotes) {
      expect(q).toMatchObject({ speaker: "Jane Ortiz", role: "Mayor", direct: true });
    }
    expect(answer.lead).toBe(
      'Jane Ortiz (Mayor), as quoted in "River floods town of Brandt" (Brandt Courier, 2021-07-10):',
    );
  });

  it("prefers the speaker the question names over another quoted in the same paragraph", () => {
    const answer = ask("What did the fire chief say about the flood rescue?");
    expectVerified(answer);
    expect(answer.quotes[0]).toMatchObject({
      text: "Our crews rescued twelve people from rooftops",
      speaker: "Tom Reyes",
      role: "Fire chief",
      direct: true,
    });
  });

  it("answers a factual question with the article's own sentence, not someone's quote", () => {
    const answer = ask("How many homes were flooded in Brandt?");
    expectVerified(answer);
    expect(answer.quotes[0]).toMatchObject({
      text: "The river burst its banks in Brandt on Saturday, flooding two hundred homes",
      speaker: null,
      direct: false,
    });
    expect(answer.lead).toBe('From "River floods town of Brandt" (Brandt Courier, 2021-07-10):');
  });

  it("gives at most three quotes when a speaker has more, and fewer when told to", () => {
    expect(corpus.quotesByArticle.get("flood")!.filter((q) => q.speaker === "Jane Ortiz")).toHaveLength(6);
    expect(ask("What did the mayor say about the flood?").quotes).toHaveLength(3);
    const { analysis, ranked } = rank(corpus, "What did the mayor say about the flood?");
    const one = composeAnswer({
      analysis,
      ranked,
      articles: corpus.articles,
      quotesByPassage: corpus.quotesByPassage,
      speakerMatch: speakerMatches,
      thresholds: { maxQuotes: 1 },
    });
    expect(one.quotes).toHaveLength(1);
  });

  it("cuts a long quote to its best sentences, still verbatim inside the quotation", () => {
    const answer = ask("What did Silva say about the price of tickets for the rail line?");
    expectVerified(answer);
    const q = answer.quotes[0]!;
    expect(q.speaker).toBe("Ana Silva");
    expect(q.text.length).toBeLessThanOrEqual(answerDefaults.maxQuoteChars);
    expect(q.text).toContain("Tickets will cost less than the bus does today");
    const record = corpus.quotesByArticle.get("rail")![0]!;
    expect(record.end - record.start).toBeGreaterThan(answerDefaults.maxQuoteChars);
    expect(q.start >= record.start && q.end <= record.end).toBe(true);
  });

  it("never shows a quote whose offsets no longer fit the cited article", () => {
    // The article changed after its passages were ranked: every span now points past its end.
    const shortened = new Map(corpus.articles);
    shortened.set("flood", { ...flood, text: flood.text.slice(0, 40) });
    expect(ask("What did the mayor say about the flood?", corpus, shortened)).toEqual({
      refused: true,
      lead: REFUSAL_TEXT,
      quotes: [],
      reason: "no-evidence",
    });
  });
});

describe("composeAnswer: refusals", () => {
  const { analysis, ranked } = rank(corpus, "What did the mayor say about the flood?");
  const top = ranked[0]!;
  const compose = (list: readonly RankedPassage[], question = analysis) =>
    composeAnswer({
      analysis: question,
      ranked: list,
      articles: corpus.articles,
      quotesByPassage: corpus.quotesByPassage,
      speakerMatch: speakerMatches,
    });

  it("refuses with the refusal text when nothing was retrieved or the question has no topic words", () => {
    expect(compose([])).toEqual({ refused: true, lead: REFUSAL_TEXT, quotes: [], reason: "no-evidence" });
    expect(compose(ranked, analyzeQuestion("What did they say?"))).toMatchObject({
      refused: true,
      lead: REFUSAL_TEXT,
      quotes: [],
    });
  });

  it("refuses when the best article holds too little of the question, and answers just above the threshold", () => {
    const below = { ...top, articleCoverage: answerDefaults.minEvidence - 0.01, missingNames: 0 };
    const above = { ...top, articleCoverage: answerDefaults.minEvidence + 0.01, missingNames: 0 };
    expect(compose([below, ...ranked.slice(1)])).toEqual({
      refused: true,
      lead: REFUSAL_TEXT,
      quotes: [],
      reason: "weak-evidence",
    });
    expect(compose([above, ...ranked.slice(1)]).refused).toBe(false);
  });

  it("refuses when the article lacks the names the question uses, even if it holds its other words", () => {
    const lacksNames = { ...top, articleCoverage: 0.7, missingNames: 1 };
    expect(compose([lacksNames, ...ranked.slice(1)])).toMatchObject({
      refused: true,
      reason: "weak-evidence",
    });
  });

  it("refuses a question about a year the article neither is dated in nor mentions", () => {
    expect(ask("What did the mayor say about the flood in 2019?")).toEqual({
      refused: true,
      lead: REFUSAL_TEXT,
      quotes: [],
      reason: "weak-evidence",
    });
    expectVerified(ask("What did the mayor say about the flood in 2021?"));
  });

  it("refuses a question about something the corpus does not cover", () => {
    expect(ask("Who won the chess olympiad in Budapest?")).toMatchObject({
      refused: true,
      lead: REFUSAL_TEXT,
      quotes: [],
    });
  });
});
