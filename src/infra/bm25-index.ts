/**
 * BM25 over passages with minisearch, using the core's tokeniser, stop words and stemmer so lexical search,
 * sentence scoring and question analysis agree on what a "term" is. The article title is a second, lighter field.
 */
import MiniSearch, { type Options } from "minisearch";
import type { LexicalHit, LexicalIndex } from "../core/ports.js";
import { STOPWORDS, stem, tokenize } from "../core/text.js";

export const bm25Defaults = {
  titleBoost: 0.35,
  /** BM25 parameters (minisearch's BM25+ with these settings). */
  k: 1.2,
  b: 0.75,
  d: 0.5,
} as const satisfies Record<string, number>;

interface Doc {
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

const options: Options<Doc> = {
  fields: ["text", "title"],
  storeFields: [] as string[],
  tokenize: (text: string) => tokenize(text),
  processTerm: (term: string) => (STOPWORDS.has(term) ? null : stem(term)),
  searchOptions: {
    boost: { text: 1, title: bm25Defaults.titleBoost },
    combineWith: "OR",
    bm25: { k: bm25Defaults.k, b: bm25Defaults.b, d: bm25Defaults.d },
  },
};

class MiniSearchIndex implements LexicalIndex {
  readonly #search: MiniSearch<Doc>;

  constructor(search: MiniSearch<Doc>) {
    this.#search = search;
  }

  get size(): number {
    return this.#search.documentCount;
  }

  add(doc: Doc): void {
    if (this.#search.has(doc.id)) this.#search.discard(doc.id);
    this.#search.add(doc);
  }

  remove(id: string): void {
    if (this.#search.has(id)) this.#search.discard(id);
  }

  has(id: string): boolean {
    return this.#search.has(id);
  }

  search(query: string, k: number, filter?: (id: string) => boolean): LexicalHit[] {
    const results = this.#search.search(query, filter ? { filter: (r) => filter(String(r.id)) } : {});
    return results.slice(0, k).map((r) => ({ id: String(r.id), score: r.score }));
  }

  toJSON(): unknown {
    return this.#search.toJSON();
  }
}

export function createBm25Index(): LexicalIndex {
  return new MiniSearchIndex(new MiniSearch<Doc>(options));
}

/** Restores an index saved with `toJSON()`; throws if the JSON is not a minisearch index. */
export function loadBm25Index(json: string): LexicalIndex {
  return new MiniSearchIndex(MiniSearch.loadJSON<Doc>(json, options));
}
