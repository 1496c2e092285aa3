/**
 * Term ids and the per-article term counts the retrieval core reads (how many passages hold a term; title-only
 * terms count 0): the same answers as counting strings in a Map.
 */
import { describe, expect, it } from "vitest";
import { countTerms, termId, termName } from "../../src/core/sentence-terms.js";

describe("countTerms", () => {
  it("counts the lists holding each term, keeps extra terms at 0, and answers by string", () => {
    const [embassy, staff, baghdad, vote] = ["embassy", "staff", "baghdad", "vote"].map(termId) as [
      number,
      number,
      number,
      number,
    ];
    const counts = countTerms([[embassy, staff], [staff, baghdad], [staff]], [vote, embassy]);
    expect(counts.get("staff")).toBe(3);
    expect(counts.get("embassy")).toBe(1);
    expect(counts.get("baghdad")).toBe(1);
    expect(counts.get("vote")).toBe(0);
    expect(counts.has("vote")).toBe(true);
    expect(counts.get("election")).toBeUndefined();
    expect(counts.has("never-interned-term")).toBe(false);
    expect(new Set(counts.keys())).toEqual(new Set(["embassy", "staff", "baghdad", "vote"]));
    // A second count starts from zero (the scratch counters are reset).
    expect(countTerms([[staff]], []).get("staff")).toBe(1);
  });

  it("gives each string one id that maps back to it", () => {
    const id = termId("spokesperson");
    expect(termId("spokesperson")).toBe(id);
    expect(termName(id)).toBe("spokesperson");
  });
});
