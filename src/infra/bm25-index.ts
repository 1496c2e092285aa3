/**
 * BM25 over passages in flat typed-array postings, using the core's tokeniser, stop words and stemmer so lexical
 * search, sentence scoring and question analysis agree on what a "term" is. The article title is a second, lighter
 * field.
 *
 * The scores are minisearch 7's BM25+ to the last bit (same field lengths, the same running average, the same order
 * of additions, the score times the number of distinct query terms matched, ties in first-seen order);
 * `test/infra/bm25-index.test.ts` checks that against minisearch itself on Wikinews articles. minisearch was the
 * implementation until the benchmark (issue 7): its Map-of-Maps index cost ~260 MB and a 1.4 s `loadJSON` at 100k
 * passages, and scoring allocated an object per hit. Here a term's postings are two slices of one Int32Array /
 * Uint16Array per field, saved and loaded as bytes.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { LexicalHit, LexicalIndex } from "../core/ports.js";
import { STOPWORDS, stem, tokenize } from "../core/text.js";

export const bm25Defaults = {
  titleBoost: 0.35,
  /** BM25+ parameters (the formula minisearch uses, with these settings). */
  k: 1.2,
  b: 0.75,
  d: 0.5,
} as const satisfies Record<string, number>;

/** Fields in scoring order: a term's text postings are scored before its title postings, as minisearch does. */
const FIELDS = ["text", "title"] as const;
const BOOSTS = [1, bm25Defaults.titleBoost] as const;
const MAGIC = "BM25FLT1";

interface Doc {
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

/** Stemmed index terms of a text, in order (stop words dropped). */
function indexTerms(text: string): { readonly terms: string[]; readonly length: number } {
  const tokens = tokenize(text);
  const terms: string[] = [];
  for (const t of tokens) if (!STOPWORDS.has(t)) terms.push(stem(t));
  // minisearch's field length: distinct tokens before stop words are dropped.
  return { terms, length: new Set(tokens).size };
}

/** One field's postings: term number → doc numbers and term frequencies, in the order documents were added. */
interface FieldPostings {
  docs: Int32Array;
  tfs: Uint16Array;
  /** `offsets[t]..offsets[t + 1]` is term t's slice of `docs` and `tfs`; length = vocabulary size + 1. */
  offsets: Int32Array;
}

/** Growable postings used while documents are added; frozen into `FieldPostings` before a search or save. */
type Building = { docs: number[]; tfs: number[] }[];

class FlatBm25Index implements LexicalIndex {
  readonly #vocabulary = new Map<string, number>();
  /** Doc number → passage id; "" for a removed document. */
  #ids: string[] = [];
  /** Passage id → doc number; built on first need after a load (a search never needs it). */
  #byId: Map<string, number> | null = new Map();
  /** Live documents (ids not removed). */
  #count = 0;
  #fieldLengths: [number[], number[]] = [[], []];
  readonly #average: [number, number] = [0, 0];
  #building: [Building, Building] | null = [[], []];
  #frozen: [FieldPostings, FieldPostings] | null = null;
  /** Scratch for scoring, sized to the document count. */
  #total = new Float64Array(0);
  #term = new Float64Array(0);
  #matched = new Uint8Array(0);
  #seen = new Uint8Array(0);

  get size(): number {
    return this.#count;
  }

  has(id: string): boolean {
    return this.#numbers().has(id);
  }

  add(doc: Doc): void {
    const indexed = FIELDS.map((field) => indexTerms(doc[field]));
    // Field lengths and term frequencies are stored in 16 bits; a passage (≤ ~800 characters) is far below.
    if (indexed.some((x) => x.terms.length > 0xffff || x.length > 0xffff)) {
      throw new RangeError(
        `Passage ${doc.id} has more than 65,535 terms in one field; split it before indexing.`,
      );
    }
    this.remove(doc.id);
    const building = this.#thaw();
    const number = this.#ids.length;
    const count = this.#count;
    this.#ids.push(doc.id);
    this.#numbers().set(doc.id, number);
    this.#count++;
    FIELDS.forEach((_, f) => {
      const { terms, length } = indexed[f]!;
      this.#fieldLengths[f]![number] = length;
      // minisearch keeps a running average, so the same additions give the same last bits.
      this.#average[f] = (this.#average[f]! * count + length) / (count + 1);
      const postings = building[f]!;
      for (const term of terms) {
        let t = this.#vocabulary.get(term);
        if (t === undefined) {
          t = this.#vocabulary.size;
          this.#vocabulary.set(term, t);
        }
        let list = postings[t];
        if (!list) {
          list = { docs: [], tfs: [] };
          postings[t] = list;
        }
        const last = list.docs.length - 1;
        if (last >= 0 && list.docs[last] === number) list.tfs[last]!++;
        else {
          list.docs.push(number);
          list.tfs.push(1);
        }
      }
    });
  }

  remove(id: string): void {
    const number = this.#numbers().get(id);
    if (number === undefined) return;
    const building = this.#thaw();
    const count = this.#count;
    this.#numbers().delete(id);
    this.#count--;
    this.#ids[number] = "";
    FIELDS.forEach((_, f) => {
      const length = this.#fieldLengths[f]![number]!;
      this.#average[f] = count === 1 ? 0 : (this.#average[f]! * count - length) / (count - 1);
      for (const list of building[f]!) {
        const at = list?.docs.indexOf(number) ?? -1;
        if (at < 0) continue;
        list!.docs.splice(at, 1);
        list!.tfs.splice(at, 1);
      }
    });
  }

  documentFrequency(term: string): number {
    const t = this.#vocabulary.get(term);
    if (t === undefined) return 0;
    const { offsets } = this.#freeze()[0];
    return offsets[t + 1]! - offsets[t]!;
  }

  /**
   * The best k passages for the query's terms (OR), best first. Every posting of every query term is scored into
   * flat arrays; only the k best become objects. A repeated query term counts again, as in minisearch.
   */
  search(query: string, k: number, filter?: (id: string) => boolean): LexicalHit[] {
    const top: LexicalHit[] = [];
    if (k <= 0) return top;
    const fields = this.#freeze();
    const n = this.#ids.length;
    if (this.#total.length < n) {
      this.#total = new Float64Array(n);
      this.#term = new Float64Array(n);
      this.#matched = new Uint8Array(n);
      this.#seen = new Uint8Array(n);
    }
    const total = this.#total;
    const term = this.#term;
    const matched = this.#matched;
    const seen = this.#seen;
    const documents = this.#count;
    const { k: k1, b, d } = bm25Defaults;
    const order: number[] = [];
    const termOrder: number[] = [];
    const queryTerms = indexTerms(query).terms;
    queryTerms.forEach((word, i) => {
      const t = this.#vocabulary.get(word);
      if (t === undefined) return;
      const distinct = queryTerms.indexOf(word) === i;
      termOrder.length = 0;
      for (let f = 0; f < FIELDS.length; f++) {
        const { docs, tfs, offsets } = fields[f]!;
        const from = offsets[t]!;
        const to = offsets[t + 1]!;
        if (from === to) continue;
        const lengths = this.#fieldLengths[f]!;
        const average = this.#average[f]!;
        const idf = Math.log(1 + (documents - (to - from) + 0.5) / (to - from + 0.5));
        const boost = BOOSTS[f]!;
        for (let p = from; p < to; p++) {
          const doc = docs[p]!;
          const tf = tfs[p]!;
          const raw = idf * (d + (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * lengths[doc]!) / average)));
          if (seen[doc] === 0) {
            seen[doc] = 1;
            termOrder.push(doc);
            term[doc] = boost * raw;
          } else term[doc] = term[doc]! + boost * raw;
        }
      }
      for (const doc of termOrder) {
        seen[doc] = 0;
        if (matched[doc] === 0) {
          order.push(doc);
          total[doc] = term[doc]!;
          matched[doc] = 1;
        } else {
          total[doc] = total[doc]! + term[doc]!;
          if (distinct) matched[doc]!++;
        }
      }
    });
    for (const doc of order) {
      const score = total[doc]! * matched[doc]!;
      matched[doc] = 0;
      // Ties keep first-seen order: a later hit goes after every equal score.
      if (top.length === k && !(score > top[k - 1]!.score)) continue;
      const id = this.#ids[doc]!;
      if (filter && !filter(id)) continue;
      let at = top.length;
      while (at > 0 && top[at - 1]!.score < score) at--;
      top.splice(at, 0, { id, score });
      if (top.length > k) top.pop();
    }
    return top;
  }

  async save(file: string): Promise<void> {
    const fields = this.#freeze();
    const header = JSON.stringify({
      vocabulary: [...this.#vocabulary.keys()],
      ids: this.#ids,
      average: this.#average,
      postings: fields.map((f) => f.docs.length),
    });
    const arrays: ArrayBufferView[] = [
      Uint16Array.from(this.#fieldLengths[0]),
      Uint16Array.from(this.#fieldLengths[1]),
      ...fields.flatMap((f) => [f.offsets, f.docs, f.tfs]),
    ];
    await writeFile(file, encodeSections(header, arrays));
  }

  /** Loads a saved index into this (empty) one; throws a plain Error saying what is wrong with the bytes. */
  load(bytes: Uint8Array): void {
    const { header, read } = decodeSections(bytes);
    const h = header as { vocabulary?: unknown; ids?: unknown; average?: unknown; postings?: unknown };
    const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
    const numbers = (v: unknown, n: number): v is number[] =>
      Array.isArray(v) && v.length === n && v.every((x) => typeof x === "number" && Number.isFinite(x));
    if (!strings(h.vocabulary) || !strings(h.ids) || !numbers(h.average, 2) || !numbers(h.postings, 2)) {
      throw new Error("the header is not a BM25 index header");
    }
    const n = h.ids.length;
    const v = h.vocabulary.length;
    const lengths = [read(Uint16Array, n), read(Uint16Array, n)] as const;
    const fields = h.postings.map((count) => {
      const offsets = read(Int32Array, v + 1);
      const docs = read(Int32Array, count);
      const tfs = read(Uint16Array, count);
      if (offsets[0] !== 0 || offsets[v] !== count) throw new Error("postings offsets do not add up");
      for (let i = 0; i < count; i++)
        if (docs[i]! >= n || docs[i]! < 0) throw new Error("a posting names no document");
      return { docs, tfs, offsets };
    });
    for (const [i, term] of h.vocabulary.entries()) this.#vocabulary.set(term, i);
    this.#ids = h.ids;
    for (const id of h.ids) if (id !== "") this.#count++;
    this.#byId = null;
    this.#fieldLengths = [Array.from(lengths[0]), Array.from(lengths[1])];
    this.#average[0] = h.average[0]!;
    this.#average[1] = h.average[1]!;
    this.#frozen = [fields[0]!, fields[1]!];
    this.#building = null;
  }

  #numbers(): Map<string, number> {
    if (!this.#byId) {
      this.#byId = new Map();
      for (const [i, id] of this.#ids.entries()) if (id !== "") this.#byId.set(id, i);
    }
    return this.#byId;
  }

  /** The postings as typed arrays (built once after the last change). */
  #freeze(): [FieldPostings, FieldPostings] {
    if (this.#frozen) return this.#frozen;
    const building = this.#building!;
    const v = this.#vocabulary.size;
    const freeze = (lists: Building): FieldPostings => {
      const offsets = new Int32Array(v + 1);
      for (let t = 0; t < v; t++) offsets[t + 1] = offsets[t]! + (lists[t]?.docs.length ?? 0);
      const docs = new Int32Array(offsets[v]!);
      const tfs = new Uint16Array(offsets[v]!);
      for (let t = 0; t < v; t++) {
        const list = lists[t];
        if (!list) continue;
        docs.set(list.docs, offsets[t]);
        tfs.set(list.tfs, offsets[t]);
      }
      return { docs, tfs, offsets };
    };
    this.#frozen = [freeze(building[0]), freeze(building[1])];
    // The growable lists are rebuilt from the frozen ones if anything is added later (rare: a refresh builds anew).
    this.#building = null;
    return this.#frozen;
  }

  /** Growable postings again, for an add or remove after a search or a load. */
  #thaw(): [Building, Building] {
    if (!this.#building) {
      const [text, title] = this.#frozen!;
      this.#building = [thawField(text), thawField(title)];
    }
    this.#frozen = null;
    return this.#building;
  }
}

function thawField({ docs, tfs, offsets }: FieldPostings): Building {
  const lists: Building = [];
  for (let t = 0; t + 1 < offsets.length; t++) {
    const from = offsets[t]!;
    const to = offsets[t + 1]!;
    if (from < to)
      lists[t] = { docs: Array.from(docs.subarray(from, to)), tfs: Array.from(tfs.subarray(from, to)) };
  }
  return lists;
}

/**
 * Layout: 8-byte magic, a little-endian u32 header length, the JSON header, then each typed array padded to 8 bytes
 * (so a file read into an aligned buffer is used in place).
 */
function encodeSections(header: string, arrays: readonly ArrayBufferView[]): Uint8Array {
  const json = Buffer.from(header, "utf8");
  const pad = (n: number) => (n + 7) & ~7;
  let size = pad(12 + json.length);
  for (const a of arrays) size += pad(a.byteLength);
  const out = Buffer.alloc(size);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  let at = pad(12 + json.length);
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += pad(a.byteLength);
  }
  return out;
}

type ArrayType<T> = {
  new (buffer: ArrayBuffer, offset: number, length: number): T;
  BYTES_PER_ELEMENT: number;
};

function decodeSections(bytes: Uint8Array): {
  header: unknown;
  read: <T>(type: ArrayType<T>, length: number) => T;
} {
  if (bytes.byteLength < 12 || Buffer.from(bytes.subarray(0, 8)).toString("latin1") !== MAGIC) {
    throw new Error("not a BM25 index file");
  }
  // Typed arrays need aligned offsets: copy once when the bytes do not start on an 8-byte boundary.
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const length = new DataView(aligned.buffer, aligned.byteOffset).getUint32(8, true);
  if (12 + length > aligned.byteLength) throw new Error("the header runs past the end of the file");
  const header = JSON.parse(
    Buffer.from(aligned.buffer, aligned.byteOffset + 12, length).toString("utf8"),
  ) as unknown;
  let at = (12 + length + 7) & ~7;
  const read = <T>(type: ArrayType<T>, count: number): T => {
    const bytesNeeded = count * type.BYTES_PER_ELEMENT;
    if (at + bytesNeeded > aligned.byteLength) throw new Error("the file is shorter than its header says");
    const view = new type(aligned.buffer as ArrayBuffer, aligned.byteOffset + at, count);
    at += (bytesNeeded + 7) & ~7;
    return view;
  };
  return { header, read };
}

export function createBm25Index(): LexicalIndex {
  return new FlatBm25Index();
}

/** Reads an index written by `save`; throws a plain Error saying what is wrong when the file is not one. */
export async function loadBm25Index(file: string): Promise<LexicalIndex> {
  return bm25FromBytes(await readFile(file));
}

/** An index from the bytes `save` wrote; throws a plain Error saying what is wrong when they are not one. */
export function bm25FromBytes(bytes: Uint8Array): LexicalIndex {
  const index = new FlatBm25Index();
  index.load(bytes);
  return index;
}
