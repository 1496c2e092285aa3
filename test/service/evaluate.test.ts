import { describe, expect, it } from "vitest";
import { coversHalf, evalQuestionSchema, speakerMatchesGold } from "../../src/service/evaluate.js";

describe("evalQuestionSchema", () => {
  it("reads the dev-set format and tolerates what a held-out set may do differently", () => {
    const dev = evalQuestionSchema.parse({
      id: "d001",
      type: "quote",
      question: "Q?",
      article_ids: ["a"],
      answer_quote: "x",
      speaker: "Ann Lee",
      date: null,
    });
    expect(dev).toMatchObject({ id: "d001", type: "quote", speaker: "Ann Lee" });
    const lenient = evalQuestionSchema.parse({ id: 7, type: "opinion", question: "Q?", extra: true });
    expect(lenient).toEqual({
      id: "7",
      type: "opinion",
      question: "Q?",
      article_ids: [],
      answer_quote: null,
      speaker: null,
    });
    expect(evalQuestionSchema.safeParse({ id: "x" }).success).toBe(false);
  });
});

describe("eval matching", () => {
  it("counts a span as a hit when it covers at least half of the gold span", () => {
    expect(coversHalf({ start: 0, end: 50 }, { start: 0, end: 100 })).toBe(true);
    expect(coversHalf({ start: 0, end: 49 }, { start: 0, end: 100 })).toBe(false);
    expect(coversHalf({ start: 200, end: 300 }, { start: 0, end: 100 })).toBe(false);
  });

  it("matches speakers by full name, surname, or containment, accent-insensitively", () => {
    expect(speakerMatchesGold("Recep Tayyip Erdoğan", "Erdogan")).toBe(true);
    expect(speakerMatchesGold("Kelly", "Annie Kelly")).toBe(true);
    expect(speakerMatchesGold("Donald Trump", "Joe Biden")).toBe(false);
    expect(speakerMatchesGold(null, "Joe Biden")).toBe(false);
  });
});
