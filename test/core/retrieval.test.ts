// Passage retrieval over a hand-built corpus: what each fusion mode puts first (BM25, dense, hybrid score fusion,
// and the default path that reads inside the top articles), the date-range filter, and the year/name signals the
// answer layer refuses on. Vectors are chosen by the test, so "dense" means exactly what the test says it means.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { WordVectors } from "../../src/core/ports.js";
import { analyzeQuestion } from "../../src/core/question.js";
import { speakerMatches } from "../../src/core/quotes.js";
import { rankingWeights, retrieve } from "../../src/core/retrieval.js";
import type { Article, Passage } from "../../src/core/types.js";
import { article, bagOfTerms, buildSmallCorpus, rank, unit } from "../support/small-corpus.js";

const ids = (ranked: readonly { passage: Passage }[]) => ranked.map((r) => r.passage.id);

describe("retrieve: fusion modes", () => {
  // BM25 loves the harbour story; the (made-up) embedder thinks the question is about the festival, and the gale
  // story is both a weak lexical match and close in vector space.
  const corpus = buildSmallCorpus(
    [
      article(
        "harbour",
        "Storm wrecks fishing fleet",
        "Fishermen said the harbour storm wrecked forty fishing boats overnight.\n\nThe coast guard closed the harbour until Friday.",
        { date: "2020-01-01" },
      ),
      article(
        "festival",
        "Rain cancels festival",
        "Organisers cancelled the music festival after heavy rain flooded the fields.",
        { date: "2020-02-01" },
      ),
      article("gale", "Gale hits coast", "A gale battered the coast and damaged boats in the harbour.", {
        date: "2020-03-01",
      }),
    ],
    (_a, p) =>
      ({
        "harbour#0": [0, 1, 0],
        "harbour#1": [0, 0, 1],
        "festival#0": [1, 0, 0],
        "gale#0": unit([0.9, 0.1, 0]),
      })[p.id] ?? [0, 0, 0],
  );
  const question = "harbour storm fishing boats";
  const queryVector = [1, 0, 0];

  it("bm25 ranks by normalised BM25 alone: the best lexical match scores 1, a passage without the words is absent", () => {
    const { ranked } = rank(corpus, question, { mode: "bm25", queryVector });
    expect(ids(ranked)[0]).toBe("harbour#0");
    expect(ranked[0]!.score).toBe(1);
    expect(ids(ranked)).not.toContain("festival#0");
    for (const r of ranked) expect(r.score).toBe(r.lexical);
    expect(ranked.map((r) => r.score)).toEqual([...ranked.map((r) => r.score)].sort((a, b) => b - a));
  });

  it("dense ranks by cosine to the query vector, whatever the words", () => {
    const { ranked } = rank(corpus, question, { mode: "dense", queryVector });
    expect(ids(ranked).slice(0, 2)).toEqual(["festival#0", "gale#0"]);
    for (const r of ranked) expect(r.score).toBeCloseTo(r.dense, 6);
    expect(ranked[0]!.dense).toBeCloseTo(1, 6);
  });

  it("hybrid adds the dense score at the documented weight to normalised BM25", () => {
    const { ranked } = rank(corpus, question, { mode: "hybrid", queryVector });
    for (const r of ranked) expect(r.score).toBeCloseTo(r.lexical + rankingWeights.hybridDense * r.dense, 9);
    // The gale passage (weak words, close vector) overtakes the festival (vector only) and the harbour's second
    // paragraph (words only): an order neither bm25 nor dense gives.
    expect(ids(ranked)).toEqual(["harbour#0", "gale#0", "festival#0", "harbour#1"]);
    expect(ids(rank(corpus, question, { mode: "bm25", queryVector }).ranked)).not.toEqual(ids(ranked));
    expect(ids(rank(corpus, question, { mode: "dense", queryVector }).ranked)).not.toEqual(ids(ranked));
  });

  it("plain modes still return the evidence the answer layer reads (coverage, sentence scores)", () => {
    for (const mode of ["bm25", "dense", "hybrid"] as const) {
      const top = rank(corpus, question, { mode, queryVector }).ranked.find(
        (r) => r.passage.id === "harbour#0",
      )!;
      expect(top.articleCoverage, mode).toBe(1);
      expect(top.sentences.length, mode).toBe(1);
      expect(top.sentences[0]!.coverage, mode).toBe(1);
      expect(top.yearsFound, mode).toBe(true);
    }
  });

  it("a question with no known words searches by BM25 only in every mode but dense", () => {
    const { ranked } = rank(corpus, question, { mode: "hybrid", queryVector: null });
    expect(ids(ranked)).not.toContain("festival#0");
    expect(rank(corpus, question, { mode: "dense", queryVector: null }).ranked).toEqual([]);
  });
});

describe("retrieve: the default path", () => {
  const question = "How many people died in the Genoa motorway bridge collapse?";
  // Other stories make "people died" common, so BM25 prefers the lead that repeats the title's words.
  const corpus = buildSmallCorpus([
    article(
      "genoa",
      "Motorway bridge collapses in Genoa",
      "The Morandi motorway bridge in Genoa collapsed on Tuesday during a storm, leaving a gap in the Genoa motorway.\n\nRescue teams searched the rubble through the night with dogs.\n\nOfficials said 43 people died and 16 were injured.",
      { date: "2018-08-15" },
    ),
    article(
      "flu",
      "Flu season ends",
      "Health officials said 200 people died of flu this winter, and more people died last year.",
      { date: "2018-04-01" },
    ),
    article(
      "heat",
      "Heat wave in Spain",
      "People died in the heat wave, hospitals said. Many people died at home.",
      { date: "2018-08-01" },
    ),
  ]);

  it("puts the paragraph that answers above the lead that BM25 puts first", () => {
    expect(ids(rank(corpus, question, { mode: "bm25" }).ranked)[0]).toBe("genoa#0");
    const { ranked } = rank(corpus, question);
    expect(ids(ranked)[0]).toBe("genoa#2");
    const top = ranked[0]!;
    const best = [...top.sentences].sort((a, b) => b.score - a.score)[0]!;
    expect(corpus.articles.get("genoa")!.text.slice(best.start, best.end)).toBe(
      "Officials said 43 people died and 16 were injured.",
    );
    expect(best.fitsKind).toBe(true);
    expect(top.articleCoverage).toBe(1);
    expect(top.yearsFound).toBe(true);
  });

  it("reads every passage of the top articles, even one that holds none of the question's words", () => {
    // The title holds no question word either, so the rescue paragraph is no BM25 hit at all.
    const untitled = buildSmallCorpus([
      article(
        "morandi",
        "Disaster in northern Italy",
        "The Genoa bridge collapsed on Tuesday.\n\nRescue teams searched the rubble through the night.\n\nOfficials said 43 people died.",
      ),
      article("flu", "Flu season ends", "Health officials said 200 people died of flu this winter."),
    ]);
    const bm25 = ids(rank(untitled, question, { mode: "bm25", queryVector: null, limit: 50 }).ranked);
    const full = ids(rank(untitled, question, { queryVector: null, limit: 50 }).ranked);
    expect(bm25).not.toContain("morandi#1");
    expect(full).toContain("morandi#1");
  });

  it("reports a year the article neither is dated in nor mentions, and names it lacks", () => {
    const { ranked } = rank(corpus, "How many people died in the Genoa bridge collapse of 2016?");
    const genoa = ranked.find((r) => r.passage.articleId === "genoa")!;
    expect(genoa.yearsFound).toBe(false);
    expect(
      rank(corpus, "How many people died in the Genoa bridge collapse of 2018?").ranked[0]!.yearsFound,
    ).toBe(true);
    const { ranked: elsewhere } = rank(corpus, "How many people died when the bridge collapsed in Naples?");
    expect(elsewhere.find((r) => r.passage.articleId === "genoa")!.missingNames).toBe(1);
  });
});

describe("retrieve: date range", () => {
  const corpus = buildSmallCorpus([
    article("jan", "Budget vote", "Parliament passed the budget vote in January.", { date: "2021-01-15" }),
    article("mar", "Budget vote delayed", "The budget vote was delayed again in March.", {
      date: "2021-03-10",
    }),
    article("may", "Budget vote fails", "The budget vote failed in May after a long debate.", {
      date: "2021-05-20",
    }),
    article("undated", "Budget vote explained", "How a budget vote works, explained."),
  ]);

  it.each([
    "bm25",
    "dense",
    "hybrid",
    "default",
  ] as const)("%s keeps only articles dated inside the range (inclusive), never undated ones", (mode) => {
    const { ranked } = rank(corpus, "budget vote", {
      mode,
      dateRange: { from: "2021-03-10", to: "2021-05-20" },
    });
    expect(new Set(ranked.map((r) => r.passage.articleId))).toEqual(new Set(["mar", "may"]));
    const open = rank(corpus, "budget vote", { mode, dateRange: { to: "2021-01-31" } }).ranked;
    expect(new Set(open.map((r) => r.passage.articleId))).toEqual(new Set(["jan"]));
    const all = rank(corpus, "budget vote", { mode }).ranked;
    expect(new Set(all.map((r) => r.passage.articleId))).toEqual(new Set(["jan", "mar", "may", "undated"]));
  });

  it("returns nothing when the range holds no article", () => {
    expect(rank(corpus, "budget vote", { dateRange: { from: "2022-01-01" } }).ranked).toEqual([]);
  });
});

describe("retrieve: reading candidates best bound first", () => {
  // 16 real Wikinews articles (test/fixtures), so candidates span many passages and articles.
  const fixtures = ["wikinews-quotes.jsonl", "wikinews-three.jsonl"].flatMap((file) =>
    readFileSync(new URL(`../fixtures/${file}`, import.meta.url), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Article),
  );
  const corpus = buildSmallCorpus(fixtures);
  const questions = [
    "What did the spokesperson say about the embassy staff?",
    "How many people died?",
    "When did Germany confirm its first coronavirus case?",
    "Who shot down the Ukrainian airliner near Tehran?",
    "What did the minister say about the election?",
  ];

  it("returns exactly the top k of reading every candidate: same passages, scores and sentences", () => {
    for (const question of questions) {
      const every = rank(corpus, question, { limit: 100_000 }).ranked;
      expect(every.length).toBeGreaterThan(12);
      for (const k of [1, 3, 12])
        expect(rank(corpus, question, { limit: k }).ranked).toEqual(every.slice(0, k));
    }
  });

  it("holds with soft word matches too (a lacking word counts as much as a soft match can)", () => {
    // Words sharing their first four letters are close (cosine 0.9), so "officials"/"official" or "died"/"dies"
    // match softly; others are orthogonal.
    const basis = new Map<string, number>();
    const words: WordVectors = {
      wordVector(word) {
        if (!/^[a-z]{4,}/.test(word)) return undefined;
        const key = word.slice(0, 4);
        if (!basis.has(key)) basis.set(key, basis.size);
        const v = new Float32Array(2048);
        const axis = (basis.get(key)! * 2) % 2048;
        v[axis] = 0.9;
        v[axis + 1] = Math.sqrt(1 - 0.81) * (word.length % 2 === 0 ? 1 : -1);
        return v;
      },
    };
    const ask = (question: string, limit: number) =>
      retrieve(corpus, {
        analysis: analyzeQuestion(question),
        queryVector: bagOfTerms(question),
        mode: "default",
        limit,
        speakerMatch: speakerMatches,
        wordVectors: words,
      });
    let soft = 0;
    for (const question of [...questions, "Which officials spoke after the deadly crashes?"]) {
      const every = ask(question, 100_000);
      soft += every.filter((r) => r.sentences.some((x) => x.coverage > 0 && x.coverage < 1)).length;
      for (const k of [1, 3, 12]) expect(ask(question, k)).toEqual(every.slice(0, k));
    }
    expect(soft).toBeGreaterThan(0);
  });

  it("returns nothing for a limit of 0", () => {
    expect(rank(corpus, questions[0]!, { limit: 0 }).ranked).toEqual([]);
  });
});
