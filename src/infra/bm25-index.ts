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

/** The parts of minisearch 7 that `MiniSearch#search` uses internally (checked at run time, else `search`). */
interface MiniSearchInternals {
  executeQuery(
    query: string,
    options: object,
  ): Map<number, { readonly score: number; readonly terms: readonly string[] }>;
  readonly _documentIds: Map<number, unknown>;
}

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

  /**
   * minisearch's own scoring (`executeQuery`, what `search` runs), then what `search` does with it (score times the
   * number of query terms matched, stable sort by score, filter) kept to the best k: `search` builds a result object
   * for and sorts every passage holding any term (tens of thousands at 100k passages) to return 80.
   */
  search(query: string, k: number, filter?: (id: string) => boolean): LexicalHit[] {
    const internals = this.#search as unknown as MiniSearchInternals;
    // The insertion below is linear per hit in k: for large k, minisearch's sort is the faster way.
    if (
      k > 1000 ||
      typeof internals.executeQuery !== "function" ||
      !(internals._documentIds instanceof Map)
    ) {
      const results = this.#search.search(query, filter ? { filter: (r) => filter(String(r.id)) } : {});
      return results.slice(0, k).map((r) => ({ id: String(r.id), score: r.score }));
    }
    const top: LexicalHit[] = [];
    if (k <= 0) return top;
    for (const [docId, { score, terms }] of internals.executeQuery(query, {})) {
      const total = score * (terms.length || 1);
      // Ties keep query order (the sort is stable), so a later hit goes after every equal score.
      if (top.length === k && !(total > top[k - 1]!.score)) continue;
      const id = String(internals._documentIds.get(docId));
      if (filter && !filter(id)) continue;
      let at = top.length;
      while (at > 0 && top[at - 1]!.score < total) at--;
      top.splice(at, 0, { id, score: total });
      if (top.length > k) top.pop();
    }
    return top;
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
