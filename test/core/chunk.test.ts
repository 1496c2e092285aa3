import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chunkArticle, MAX_PASSAGE_CHARS } from "../../src/core/chunk.js";
import { splitSentences } from "../../src/core/sentences.js";

const seedText = readFileSync(
  new URL("../../../shared/seed/us-iraq-embassy-staff.txt", import.meta.url),
  "utf8",
);
const wikinews = readFileSync(
  new URL("../../../shared/data/wikinews/articles.jsonl", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter(Boolean)
  .slice(0, 60)
  .map((l) => JSON.parse(l) as { id: string; text: string });

describe("chunkArticle", () => {
  it("keeps every passage and sentence at its offsets in the article", () => {
    for (const article of [{ id: "seed", text: seedText }, ...wikinews]) {
      for (const p of chunkArticle(article)) {
        expect(article.text.slice(p.start, p.end)).toBe(p.text);
        expect(p.sentences[0]!.start).toBe(p.start);
        expect(p.sentences[p.sentences.length - 1]!.end).toBe(p.end);
        for (const s of p.sentences) expect(s.start >= p.start && s.end <= p.end).toBe(true);
      }
    }
  });

  it("makes one passage per short paragraph and splits long ones between sentences", () => {
    const seed = chunkArticle({ id: "seed", text: seedText });
    expect(seed).toHaveLength(seedText.split("\n").length);
    const long = Array.from(
      { length: 30 },
      (_, i) => `Sentence number ${i} talks about the storm in detail.`,
    ).join(" ");
    const passages = chunkArticle({ id: "long", text: long });
    expect(passages.length).toBeGreaterThan(1);
    for (const p of passages) {
      expect(p.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
      expect(p.text.endsWith(".")).toBe(true);
    }
    expect(passages.map((p) => p.text).join(" ")).toBe(long);
  });
});

describe("splitSentences", () => {
  it("does not split at abbreviations, initials or decimals", () => {
    const text =
      'The U.S. envoy met Mr. Smith at 3.5 p.m. on Jan. 4. "We agree," J. Doe said. Then it ended!';
    const sentences = splitSentences(text).map((s) => text.slice(s.start, s.end));
    expect(sentences).toEqual([
      "The U.S. envoy met Mr. Smith at 3.5 p.m. on Jan. 4.",
      '"We agree," J. Doe said.',
      "Then it ended!",
    ]);
  });
});
