/**
 * The BM25 index's top-k path (minisearch's scoring, kept to the best k) returns what minisearch's own `search`
 * returns, ties included: the ranking every retriever builds on.
 */
import { describe, expect, it } from "vitest";
import { createBm25Index, loadBm25Index } from "../../src/infra/bm25-index.js";

const docs = Array.from({ length: 60 }, (_, i) => ({
  id: `a${i % 7}#${i}`,
  title: i % 3 === 0 ? "Embassy staff leave Baghdad" : "Election results",
  // Many passages share a text, so many scores tie exactly.
  text: [
    "The embassy staff left Baghdad.",
    "Votes were counted in the election.",
    "Staff at the embassy said",
  ][i % 3]!,
}));

describe("bm25 index search", () => {
  const index = createBm25Index();
  for (const d of docs) index.add(d);

  it("gives the same best k as ranking every hit, with ties in the same order", () => {
    for (const query of ["embassy staff", "election vote", "baghdad embassy election", "staff"]) {
      const every = index.search(query, 100_000);
      expect(every.length).toBeGreaterThan(10);
      for (const k of [1, 5, 12, 80]) expect(index.search(query, k)).toEqual(every.slice(0, k));
    }
  });

  it("applies the filter before keeping the best k, also after a save and load", () => {
    const loaded = loadBm25Index(JSON.stringify(index.toJSON()));
    const odd = (id: string) => Number(id.split("#")[1]) % 2 === 1;
    const every = loaded.search("embassy staff", 100_000, odd);
    expect(every.every((h) => odd(h.id))).toBe(true);
    expect(loaded.search("embassy staff", 5, odd)).toEqual(every.slice(0, 5));
    expect(loaded.search("nothing here", 5)).toEqual([]);
  });
});
