/**
 * Term data of candidate passages for sentence scoring, computed once per passage and kept in a bounded cache:
 * every word is interned to an integer id, and a passage's sentences become small id lists (stems for exact
 * matches, words for soft matches) in one Int32Array. A question then compares ids instead of tokenising and
 * stemming 150–300 candidate passages again (the largest cost of `ask` at 100k passages). Values are the same as
 * tokenising on the fly: the same `tokenize`, `stem` and stop words produce the lists.
 */
import { STOPWORDS, stem, tokenize } from "./text.js";
import type { Passage } from "./types.js";

const idOf = new Map<string, number>();
const names: string[] = [];

/** The id of a word or stem, assigning the next one to a new string. Ids live as long as the process. */
export function termId(term: string): number {
  let id = idOf.get(term);
  if (id === undefined) {
    id = names.length;
    idOf.set(term, id);
    names.push(term);
  }
  return id;
}

/** How many ids exist (ids are 0 .. count - 1). */
export function termCount(): number {
  return names.length;
}

/** The string of an id. */
export function termName(id: number): string {
  return names[id]!;
}

/** Term → count, read-only: the part of `ReadonlyMap` the retrieval core uses for an article's terms. */
export interface TermCounts {
  get(term: string): number | undefined;
  has(term: string): boolean;
  keys(): IterableIterator<string>;
}

/** Counts over sorted term ids (8 bytes a term instead of a Map entry and its string). */
export class SortedTermCounts implements TermCounts {
  /** `ids` ascending, `counts[i]` the count of `ids[i]`. */
  constructor(
    readonly ids: Int32Array,
    readonly counts: Int32Array,
  ) {}

  get(term: string): number | undefined {
    const id = idOf.get(term);
    if (id === undefined) return undefined;
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.ids[mid]!;
      if (at === id) return this.counts[mid];
      if (at < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  has(term: string): boolean {
    return this.get(term) !== undefined;
  }

  *keys(): IterableIterator<string> {
    for (const id of this.ids) yield names[id]!;
  }
}

let scratch = new Int32Array(0);

/**
 * For each term, the number of `lists` holding it (each list: distinct term ids), and `extra` terms with 0 when no
 * list holds them (an article's title terms).
 */
export function countTerms(lists: Iterable<ArrayLike<number>>, extra: Iterable<number>): SortedTermCounts {
  if (scratch.length < names.length) scratch = new Int32Array(names.length * 2);
  // scratch[id] = count + 1 while counting; 0 = not seen.
  const seen: number[] = [];
  for (const list of lists)
    for (let i = 0; i < list.length; i++) {
      const id = list[i]!;
      if (scratch[id] === 0) {
        seen.push(id);
        scratch[id] = 1;
      }
      scratch[id]!++;
    }
  for (const id of extra)
    if (scratch[id] === 0) {
      seen.push(id);
      scratch[id] = 1;
    }
  const ids = Int32Array.from(seen).sort();
  const counts = Int32Array.from(ids, (id) => scratch[id]! - 1);
  for (const id of seen) scratch[id] = 0;
  return new SortedTermCounts(ids, counts);
}

/** The passage's distinct content term ids (a view of the last list of a `passageTerms` array). */
export function passageContentTermIds(data: Int32Array): Int32Array {
  let at = 1;
  for (let s = 0; s < data[0]!; s++) at += data[at]! + 1 + data[at + data[at]! + 1]! + 1;
  return data.subarray(at + 1, at + 1 + data[at]!);
}

/**
 * Passages kept; one entry is about 1 KB (a few hundred ids), so the cache stays near 20 MB while holding the
 * candidates of the last ~80 questions.
 */
export const passageTermCacheSize = 20_000;
const cache = new Map<Passage, Int32Array>();

/**
 * Layout: `[sentences, (words, ...wordIds, stems, ...stemIds) per sentence, passageTerms, ...termIds]`. Words are
 * the sentence's distinct non-stop tokens (what the soft matcher compares); stems are the distinct stems of all its
 * tokens (what an exact match looks up); passage terms are the distinct stemmed content terms of the passage text.
 */
export function passageTerms(passage: Passage, articleText: string): Int32Array {
  const known = cache.get(passage);
  if (known) return known;
  const packed = computePassageTerms(passage, articleText);
  if (cache.size >= passageTermCacheSize) cache.delete(cache.keys().next().value!);
  cache.set(passage, packed);
  return packed;
}

/**
 * A token's word id (-1 for a stop word) and stem id, kept per distinct token: `stem` is pure, so this returns what
 * `termId(stem(token))` would, and assigns ids in the same order (the word first, then its stem).
 */
const tokenIds = new Map<string, { readonly word: number; readonly stem: number }>();

function internToken(token: string): { readonly word: number; readonly stem: number } {
  const word = STOPWORDS.has(token) ? -1 : termId(token);
  const ids = { word, stem: termId(stem(token)) };
  tokenIds.set(token, ids);
  return ids;
}

/** `passageTerms` without the cache, for an index that keeps every passage's term data itself. */
export function computePassageTerms(passage: Passage, articleText: string): Int32Array {
  const out: number[] = [passage.sentences.length];
  for (const span of passage.sentences) {
    const tokens = tokenize(articleText.slice(span.start, span.end));
    const words = new Set<number>();
    const stems = new Set<number>();
    for (const token of tokens) {
      const known = tokenIds.get(token) ?? internToken(token);
      if (known.word >= 0) words.add(known.word);
      stems.add(known.stem);
    }
    out.push(words.size, ...words, stems.size, ...stems);
  }
  const terms = new Set<number>();
  for (const token of tokenize(passage.text)) {
    const known = tokenIds.get(token) ?? internToken(token);
    if (known.word >= 0) terms.add(known.stem);
  }
  out.push(terms.size, ...terms);
  return Int32Array.from(out);
}

/** Calls `visit` with the position of every id (not count) in a `passageTerms` array, e.g. to renumber them. */
export function forEachTermSlot(data: Int32Array, visit: (slot: number) => void): void {
  let at = 1;
  for (let s = 0; s < data[0]!; s++) {
    for (let k = 0; k < 2; k++) {
      const count = data[at]!;
      for (let j = at + 1; j <= at + count; j++) visit(j);
      at += count + 1;
    }
  }
  const count = data[at]!;
  for (let j = at + 1; j <= at + count; j++) visit(j);
}
