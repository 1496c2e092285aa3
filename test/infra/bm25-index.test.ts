/**
 * The flat BM25 index scores exactly as minisearch 7 does with the same settings (it replaced minisearch for speed
 * and memory, issue 7), so every ranking built on it is unchanged: same ids, same scores to the last bit, ties in
 * the same order, over real Wikinews passages and after a save and load.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import MiniSearch from "minisearch";
import { afterAll, describe, expect, it } from "vitest";
import { chunkArticle } from "../../src/core/chunk.js";
import { STOPWORDS, stem, tokenize } from "../../src/core/text.js";
import type { Article } from "../../src/core/types.js";
import { bm25Defaults, createBm25Index, loadBm25Index } from "../../src/infra/bm25-index.js";

const fixtures = ["wikinews-quotes.jsonl", "wikinews-three.jsonl"];
const articles: Article[] = (
  await Promise.all(fixtures.map((f) => readFile(new URL(`../fixtures/${f}`, import.meta.url), "utf8")))
)
  .flatMap((text) => text.split("\n"))
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Article);
const docs = articles.flatMap((a) =>
  chunkArticle(a).map((p) => ({ id: p.id, title: a.title, text: p.text })),
);

/** minisearch configured as the product's BM25 was before issue 7: the reference scores. */
function referenceIndex(documents: typeof docs): MiniSearch<(typeof docs)[number]> {
  const search = new MiniSearch<(typeof docs)[number]>({
    fields: ["text", "title"],
    storeFields: [],
    tokenize: (text) => tokenize(text),
    processTerm: (term) => (STOPWORDS.has(term) ? null : stem(term)),
    searchOptions: {
      boost: { text: 1, title: bm25Defaults.titleBoost },
      combineWith: "OR",
      bm25: { k: bm25Defaults.k, b: bm25Defaults.b, d: bm25Defaults.d },
    },
  });
  search.addAll(documents);
  return search;
}

const queries = [
  "What did the spokesperson say about the embassy staff?",
  "coronavirus case Germany Bavaria",
  "Iran admits downing Ukrainian jet missile",
  "lion lions killed",
  "minister minister minister said",
  "the of and",
  "zzzz no such word",
  "Trump",
  "said government people year police",
  "",
];

describe("bm25 index", () => {
  const index = createBm25Index();
  for (const d of docs) index.add(d);
  const reference = referenceIndex(docs);
  const dir = mkdtemp(path.join(tmpdir(), "bm25-"));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it("ranks and scores every hit exactly as minisearch does", () => {
    expect(docs.length).toBeGreaterThan(50);
    let compared = 0;
    for (const query of queries) {
      const expected = reference.search(query).map((r) => ({ id: String(r.id), score: r.score }));
      expect(index.search(query, 100_000)).toEqual(expected);
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it("gives minisearch's best 80 for every dev question over all 336 Wikinews articles", async () => {
    const data = path.resolve(import.meta.dirname, "../../../shared/data/wikinews");
    const lines = async (file: string) =>
      (await readFile(path.join(data, file), "utf8")).split("\n").filter((l) => l.trim() !== "");
    const all = (await lines("articles.jsonl"))
      .map((l) => JSON.parse(l) as Article)
      .flatMap((a) => chunkArticle(a).map((p) => ({ id: p.id, title: a.title, text: p.text })));
    const questions = (await lines("questions-dev.jsonl")).map((l) => String(JSON.parse(l).question));
    const flat = createBm25Index();
    for (const d of all) flat.add(d);
    const minisearch = referenceIndex(all);
    expect(questions.length).toBeGreaterThan(100);
    for (const q of questions) {
      const expected = minisearch
        .search(q)
        .slice(0, 80)
        .map((r) => ({ id: String(r.id), score: r.score }));
      expect(flat.search(q, 80)).toEqual(expected);
    }
  });

  it("keeps the best k in the order of the full ranking, ties included", () => {
    const tied = createBm25Index();
    // Many passages share a text, so many scores tie exactly.
    for (let i = 0; i < 60; i++)
      tied.add({
        id: `t#${i}`,
        title: i % 2 ? "Embassy" : "Vote",
        text: ["Embassy staff left.", "Votes counted."][i % 2]!,
      });
    for (const query of ["embassy staff", "vote embassy"]) {
      const every = tied.search(query, 100_000);
      expect(every.length).toBeGreaterThan(10);
      for (const k of [1, 5, 12, 80]) expect(tied.search(query, k)).toEqual(every.slice(0, k));
    }
  });

  it("applies the filter before keeping the best k", () => {
    const odd = (id: string) => Number(id.split("#")[1]) % 2 === 1;
    const expected = reference
      .search("embassy staff minister", { filter: (r) => odd(String(r.id)) })
      .map((r) => ({ id: String(r.id), score: r.score }));
    expect(expected.length).toBeGreaterThan(5);
    expect(index.search("embassy staff minister", 5, odd)).toEqual(expected.slice(0, 5));
  });

  it("answers the same after a save and load, and after adding to a loaded index", async () => {
    const file = path.join(await dir, "bm25.bin");
    await index.save(file);
    const loaded = await loadBm25Index(file);
    expect(loaded.size).toBe(docs.length);
    for (const query of queries) expect(loaded.search(query, 80)).toEqual(index.search(query, 80));
    const extra = { id: "extra#0", title: "Embassy staff", text: "The embassy staff returned to Baghdad." };
    loaded.add(extra);
    const grown = referenceIndex([...docs, extra]);
    expect(loaded.search("embassy staff Baghdad", 80)).toEqual(
      grown
        .search("embassy staff Baghdad")
        .slice(0, 80)
        .map((r) => ({ id: String(r.id), score: r.score })),
    );
  });

  it("counts the passages whose text holds a term, the same before and after a save and load", async () => {
    const holds = (text: string, term: string) =>
      tokenize(text).some((t) => !STOPWORDS.has(t) && stem(t) === term);
    const file = path.join(await dir, "df.bin");
    await index.save(file);
    const loaded = await loadBm25Index(file);
    for (const term of ["embassy", "said", "minist", "lion", "coronavirus", "iran"]) {
      const expected = docs.filter((d) => holds(d.text, term)).length;
      expect(index.documentFrequency(term)).toBe(expected);
      expect(loaded.documentFrequency(term)).toBe(expected);
    }
    expect(docs.filter((d) => holds(d.text, "said")).length).toBeGreaterThan(10);
    expect(index.documentFrequency("zzzz")).toBe(0);
  });

  it("refuses a passage too long for its 16-bit counts, and keeps the index as it was", () => {
    const small = createBm25Index();
    small.add({ id: "a#0", title: "Lions", text: "Lions killed a man." });
    const huge = Array.from({ length: 70_000 }, (_, i) => `w${i}`).join(" ");
    expect(() => small.add({ id: "a#1", title: "Huge", text: huge })).toThrow(/more than 65,535 terms/);
    expect(small.size).toBe(1);
    expect(small.has("a#1")).toBe(false);
    expect(small.search("lions", 10).map((h) => h.id)).toEqual(["a#0"]);
  });

  it("forgets a removed passage and replaces a re-added one", () => {
    const small = createBm25Index();
    small.add({ id: "a#0", title: "Lions", text: "Lions killed a man." });
    small.add({ id: "a#1", title: "Lions", text: "The lion park closed." });
    small.remove("a#0");
    expect(small.has("a#0")).toBe(false);
    expect(small.search("killed", 10)).toEqual([]);
    small.add({ id: "a#1", title: "Lions", text: "The park reopened." });
    expect(small.size).toBe(1);
    expect(small.search("reopened", 10).map((h) => h.id)).toEqual(["a#1"]);
    expect(small.search("closed", 10)).toEqual([]);
  });

  it("rejects a file that is not a saved index with a message saying so", async () => {
    const file = path.join(await dir, "junk.bin");
    await writeFile(file, "{}");
    await expect(loadBm25Index(file)).rejects.toThrow(/not a BM25 index file/);
    const good = path.join(await dir, "good.bin");
    await index.save(good);
    const bytes = await readFile(good);
    await writeFile(file, bytes.subarray(0, bytes.length - 64));
    await expect(loadBm25Index(file)).rejects.toThrow(/shorter than its header says/);
  });
});
