/**
 * The searchable corpus: articles, passages, quote records, BM25 and vector indexes, built incrementally
 * (an unchanged article keeps its passages, quotes and vectors; a removed one leaves every index) and
 * persisted as one kill-safe snapshot. Implements the core's `RetrievalCorpus` and the `CorpusSnapshot` view.
 */
import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { chunkArticle } from "../core/chunk.js";
import { BriefingError } from "../core/errors.js";
import type { Embedder, LexicalIndex, Logger } from "../core/ports.js";
import { extractQuotes } from "../core/quotes.js";
import type { RetrievalCorpus } from "../core/retrieval.js";
import {
  computePassageTerms,
  countTerms,
  forEachTermSlot,
  passageContentTermIds,
  SortedTermCounts,
  termId,
  termName,
} from "../core/sentence-terms.js";
import { contentTerms } from "../core/text.js";
import type { Article, Passage, QuoteRecord, Span } from "../core/types.js";
import { bm25FromBytes, createBm25Index } from "../infra/bm25-index.js";
import { createHnswIndex, type HnswIndex, loadHnswIndex } from "../infra/hnsw-index.js";
import { type OpenedSnapshot, openSnapshot, saveSnapshot } from "../infra/snapshot-store.js";
import type { CorpusSnapshot } from "./corpus-snapshot.js";

/** Bump when stored terms, quote records or layout change (stemmer, quote extraction), so older indexes are rebuilt. */
export const INDEX_FORMAT_VERSION = 7;

export interface IngestProgress {
  readonly phase: "embed";
  readonly done: number;
  readonly total: number;
}

export interface IngestSummary {
  readonly articles: number;
  readonly passages: number;
  readonly quotes: number;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly unchanged: number;
  /** Passages embedded in this run (0 when nothing changed). */
  readonly embedded: number;
}

/** One article in `corpus.json`: everything but its text (in `texts.bin`) and its passages (in `passages.bin`). */
interface StoredArticle {
  readonly article: Omit<Article, "text">;
  readonly hash: string;
  /** Length of the article's text in `texts.bin`, in UTF-8 bytes. */
  readonly textBytes: number;
  readonly passages: number;
  /** Quote records without their text, which is the article's text from `start` to `end`. */
  readonly quotes: readonly Omit<QuoteRecord, "articleId" | "id" | "text">[];
}

interface StoredCorpus {
  readonly formatVersion: number;
  readonly embedderId: string;
  readonly dimensions: number;
  readonly nextLabel: number;
  readonly articles: readonly StoredArticle[];
}

export function articleHash(article: Article): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        article.id,
        article.title,
        article.date,
        article.source,
        article.url,
        article.license,
        article.text,
      ]),
    )
    .digest("hex");
}

/** The in-memory corpus index. Immutable once built: a refresh builds a new one and swaps it in. */
export class CorpusIndex implements RetrievalCorpus {
  readonly articles = new Map<string, Article>();
  readonly passages = new Map<string, Passage>();
  readonly passageList: Passage[] = [];
  readonly passagesByArticle = new Map<string, Passage[]>();
  readonly quoteList: QuoteRecord[] = [];
  readonly quotesByPassage = new Map<string, QuoteRecord[]>();
  readonly quotesByArticle = new Map<string, QuoteRecord[]>();
  /** An article's passages that hold quote records, in the order they entered `quotesByPassage`. */
  readonly quotePassagesByArticle = new Map<string, string[]>();
  readonly hashes = new Map<string, string>();
  readonly #labelByPassage = new Map<string, number>();
  // By label (labels are dense small integers): arrays, not maps, so loading 100k passages sets 2 maps, not 5.
  readonly #passageByLabel: string[] = [];
  readonly #vectors: Float32Array[] = [];
  readonly #articleTerms = new Map<string, SortedTermCounts>();
  /** Term ids of every passage's sentences (`computePassageTerms`), so a question never tokenises a candidate. */
  readonly #passageTerms: Int32Array[] = [];
  nextLabel = 0;
  /** The snapshot this index was saved as or loaded from (undefined until saved). */
  snapshotId: string | undefined;

  /**
   * @param lexicalLoaded true when `lexical` was restored whole from disk, so adding articles must not index
   *   their passages into it again.
   */
  constructor(
    readonly embedder: Embedder,
    readonly lexical: LexicalIndex,
    readonly vectors: HnswIndex,
    private readonly lexicalLoaded = false,
  ) {}

  labelOf(passageId: string): number | undefined {
    return this.#labelByPassage.get(passageId);
  }

  passageIdOf(label: number): string | undefined {
    return this.#passageByLabel[label];
  }

  passageVector(passageId: string): readonly number[] | undefined {
    const label = this.#labelByPassage.get(passageId);
    const v = label === undefined ? undefined : this.#vectors[label];
    return v ? (v as unknown as readonly number[]) : undefined;
  }

  /** Inverse passage frequency; a term's passage count is its BM25 text postings (the same stemmed content terms). */
  idf(term: string): number {
    const n = this.passageList.length;
    const df = this.lexical.documentFrequency(term);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  passageTerms(passage: Passage): Int32Array | undefined {
    const label = this.#labelByPassage.get(passage.id);
    return label === undefined ? undefined : this.#passageTerms[label];
  }

  articleTerms(articleId: string): SortedTermCounts {
    let terms = this.#articleTerms.get(articleId);
    if (!terms) {
      const a = this.articles.get(articleId);
      const lists = (this.passagesByArticle.get(articleId) ?? []).map((p) => {
        const data = this.passageTerms(p);
        return data ? passageContentTermIds(data) : [...new Set(contentTerms(p.text).map(termId))];
      });
      terms = countTerms(lists, a ? contentTerms(a.title).map(termId) : []);
      this.#articleTerms.set(articleId, terms);
    }
    return terms;
  }

  /** Adds one article's records (vectors already in the HNSW index under `labels`). */
  addArticle(
    article: Article,
    hash: string,
    passages: Passage[],
    labels: number[],
    vectors: Float32Array[],
    quotes: QuoteRecord[],
    terms?: readonly Int32Array[],
    articleTerms?: SortedTermCounts,
  ): void {
    this.articles.set(article.id, article);
    if (articleTerms) this.#articleTerms.set(article.id, articleTerms);
    this.hashes.set(article.id, hash);
    this.passagesByArticle.set(article.id, passages);
    passages.forEach((p, i) => {
      this.passages.set(p.id, p);
      this.passageList.push(p);
      const label = labels[i]!;
      this.#labelByPassage.set(p.id, label);
      this.#passageByLabel[label] = p.id;
      this.#vectors[label] = vectors[i]!;
      if (!this.lexicalLoaded) this.lexical.add({ id: p.id, title: article.title, text: p.text });
      const data = terms?.[i] ?? computePassageTerms(p, article.text);
      this.#passageTerms[label] = data;
    });
    this.quotesByArticle.set(article.id, quotes);
    for (const q of quotes) {
      this.quoteList.push(q);
      const p =
        passages.find((x) => q.start >= x.start && q.start < x.end) ??
        passages.find((x) => q.sentence.start < x.end && x.start < q.sentence.end);
      if (!p) continue;
      let list = this.quotesByPassage.get(p.id);
      if (!list) {
        list = [];
        this.quotesByPassage.set(p.id, list);
        const ids = this.quotePassagesByArticle.get(article.id) ?? [];
        ids.push(p.id);
        this.quotePassagesByArticle.set(article.id, ids);
      }
      list.push(q);
    }
  }

  labelsOf(articleId: string): number[] {
    return (this.passagesByArticle.get(articleId) ?? []).map((p) => this.#labelByPassage.get(p.id)!);
  }

  /** The kept term data of an article's passages, in order. */
  termsOf(articleId: string): Int32Array[] {
    return (this.passagesByArticle.get(articleId) ?? []).map((p) => this.passageTerms(p)!);
  }

  vectorOfLabel(label: number): Float32Array | undefined {
    return this.#vectors[label];
  }

  /**
   * The corpus as three parts for the snapshot: JSON for the articles' metadata and quote records, their texts as
   * one UTF-8 blob, and every passage as numbers (start, end, label, sentence count, then the sentence spans) — so a
   * start parses a few MB of JSON, not the whole corpus.
   */
  encode(): { stored: StoredCorpus; texts: Buffer; passages: Int32Array; order: Article[] } {
    const order = [...this.articles.values()];
    const texts = order.map((a) => Buffer.from(a.text, "utf8"));
    const numbers: number[] = [];
    const articles = order.map((article, i): StoredArticle => {
      const { text: _text, ...meta } = article;
      const passages = this.passagesByArticle.get(article.id) ?? [];
      for (const p of passages) {
        numbers.push(p.start, p.end, this.#labelByPassage.get(p.id)!, p.sentences.length);
        for (const span of p.sentences) numbers.push(span.start, span.end);
      }
      return {
        article: meta,
        hash: this.hashes.get(article.id)!,
        textBytes: texts[i]!.length,
        passages: passages.length,
        quotes: (this.quotesByArticle.get(article.id) ?? []).map(
          ({ id: _id, articleId: _a, text: _t, ...rest }) => rest,
        ),
      };
    });
    return {
      stored: {
        formatVersion: INDEX_FORMAT_VERSION,
        embedderId: this.embedder.id,
        dimensions: this.embedder.dimensions,
        nextLabel: this.nextLabel,
        articles,
      },
      texts: Buffer.concat(texts),
      passages: Int32Array.from(numbers),
      order,
    };
  }
}

/** Exposes `passages` as the ordered list for `CorpusSnapshot` readers. */
export function snapshotView(index: CorpusIndex): CorpusSnapshot {
  return {
    articles: index.articles,
    passages: index.passageList,
    quotes: index.quoteList,
    embedder: index.embedder,
    passageVector: (id) => index.passageVector(id),
  };
}

/**
 * A passage read from a snapshot. Its sentence spans stay in the snapshot's numbers until first read (most passages
 * of a large corpus are never a candidate): a start then allocates ~435k fewer small objects at 100k passages.
 */
class StoredPassage implements Passage {
  readonly #numbers: Int32Array;
  /** Offset of the sentence count in `#numbers`; the spans follow it. */
  readonly #at: number;
  #sentences: readonly Span[] | undefined;

  constructor(
    readonly id: string,
    readonly articleId: string,
    readonly index: number,
    readonly start: number,
    readonly end: number,
    readonly text: string,
    numbers: Int32Array,
    at: number,
  ) {
    this.#numbers = numbers;
    this.#at = at;
  }

  get sentences(): readonly Span[] {
    if (!this.#sentences) {
      const count = this.#numbers[this.#at]!;
      const spans: Span[] = [];
      for (let k = this.#at + 1; k < this.#at + 1 + 2 * count; k += 2)
        spans.push({ start: this.#numbers[k]!, end: this.#numbers[k + 1]! });
      this.#sentences = spans;
    }
    return this.#sentences;
  }
}

function quotesFromStored(article: Article, stored: StoredArticle["quotes"]): QuoteRecord[] {
  return stored.map((q, i) => ({
    ...q,
    id: `${article.id}~${i}`,
    articleId: article.id,
    text: article.text.slice(q.start, q.end),
  }));
}

/** Text embedded for a passage: its article's title gives the passage context. */
function embeddingText(article: Article, passage: Passage): string {
  return `${article.title}. ${passage.text}`;
}

export interface BuildOptions {
  readonly articles: readonly Article[];
  readonly embedder: Embedder;
  /** The index to update incrementally (its vectors are reused for unchanged articles). */
  readonly previous?: CorpusIndex | undefined;
  readonly onProgress?: ((progress: IngestProgress) => void) | undefined;
  readonly batchSize?: number;
}

/** Builds a new index from articles, reusing everything of `previous` whose article did not change. */
export async function buildCorpusIndex(
  options: BuildOptions,
): Promise<{ index: CorpusIndex; summary: IngestSummary }> {
  const { articles, embedder } = options;
  const previous =
    options.previous && options.previous.embedder.id === embedder.id ? options.previous : undefined;
  const vectors = await createHnswIndex({
    dimensions: embedder.dimensions,
    capacity: Math.max(1024, articles.length * 8),
  });
  const index = new CorpusIndex(embedder, createBm25Index(), vectors);
  index.nextLabel = previous?.nextLabel ?? 0;
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  const fresh: { article: Article; hash: string; passages: Passage[]; quotes: QuoteRecord[] }[] = [];
  for (const article of articles) {
    const hash = articleHash(article);
    const old = previous?.hashes.get(article.id);
    if (previous && old === hash) {
      const passages = previous.passagesByArticle.get(article.id) ?? [];
      const labels = previous.labelsOf(article.id);
      const vecs = labels.map((l) => previous.vectorOfLabel(l)!);
      for (const [i, l] of labels.entries()) vectors.add(l, Array.from(vecs[i]!));
      index.addArticle(
        article,
        hash,
        [...passages],
        labels,
        vecs,
        [...(previous.quotesByArticle.get(article.id) ?? [])],
        previous.termsOf(article.id),
      );
      unchanged++;
      continue;
    }
    if (old === undefined) added++;
    else changed++;
    fresh.push({ article, hash, passages: chunkArticle(article), quotes: extractQuotes(article) });
  }
  const total = fresh.reduce((s, f) => s + f.passages.length, 0);
  const batchSize = options.batchSize ?? 256;
  let done = 0;
  options.onProgress?.({ phase: "embed", done, total });
  let queue: { item: (typeof fresh)[number]; vectors: Float32Array[] }[] = [];
  const flush = async (items: typeof fresh) => {
    const texts = items.flatMap((f) => f.passages.map((p) => embeddingText(f.article, p)));
    const embedded = texts.length > 0 ? await embedder.embedDocuments(texts) : [];
    if (embedded.length !== texts.length) {
      throw new BriefingError(
        "EMBEDDER_UNAVAILABLE",
        `Embedder ${embedder.id} returned ${embedded.length} vectors for ${texts.length} passages.`,
      );
    }
    let k = 0;
    for (const item of items) {
      const vecs = item.passages.map(() => Float32Array.from(embedded[k++]!));
      queue.push({ item, vectors: vecs });
    }
    for (const { item, vectors: vecs } of queue) {
      const labels = vecs.map((v) => {
        const label = index.nextLabel++;
        vectors.add(label, Array.from(v));
        return label;
      });
      index.addArticle(item.article, item.hash, item.passages, labels, vecs, item.quotes);
    }
    queue = [];
    done += texts.length;
    options.onProgress?.({ phase: "embed", done, total });
  };
  let batch: typeof fresh = [];
  let batchPassages = 0;
  for (const f of fresh) {
    batch.push(f);
    batchPassages += f.passages.length;
    if (batchPassages >= batchSize) {
      await flush(batch);
      batch = [];
      batchPassages = 0;
    }
  }
  if (batch.length > 0) await flush(batch);
  const kept = new Set(articles.map((a) => a.id));
  const removed = previous ? [...previous.articles.keys()].filter((id) => !kept.has(id)).length : 0;
  return {
    index,
    summary: {
      articles: index.articles.size,
      passages: index.passageList.length,
      quotes: index.quoteList.length,
      added,
      changed,
      removed,
      unchanged,
      embedded: total,
    },
  };
}

const files = {
  corpus: "corpus.json",
  texts: "texts.bin",
  passages: "passages.bin",
  vectors: "vectors.f32",
  hnsw: "hnsw.bin",
  bm25: "bm25.bin",
  terms: "terms.bin",
  articleTerms: "article-terms.bin",
  vocabulary: "vocabulary.json",
} as const;

/**
 * Every passage's term data and every article's term counts in snapshot order, with ids renumbered into a
 * vocabulary saved beside them (process ids depend on what was interned first). Layout of each buffer: item count,
 * count + 1 offsets, then the items one after another (an article's item: its term ids, then their counts).
 */
function encodeTerms(
  arrays: readonly Int32Array[],
  articles: readonly SortedTermCounts[],
): { buffer: Int32Array; articleBuffer: Int32Array; vocabulary: string[] } {
  const local = new Map<number, number>();
  const vocabulary: string[] = [];
  const localOf = (id: number) => {
    let mapped = local.get(id);
    if (mapped === undefined) {
      mapped = vocabulary.length;
      local.set(id, mapped);
      vocabulary.push(termName(id));
    }
    return mapped;
  };
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const buffer = new Int32Array(1 + arrays.length + 1 + total);
  buffer[0] = arrays.length;
  let at = 2 + arrays.length;
  arrays.forEach((a, i) => {
    buffer[1 + i] = at;
    const copy = buffer.subarray(at, at + a.length);
    copy.set(a);
    forEachTermSlot(copy, (slot) => {
      copy[slot] = localOf(copy[slot]!);
    });
    at += a.length;
  });
  buffer[1 + arrays.length] = at;
  const articleTotal = articles.reduce((s, a) => s + 2 * a.ids.length, 0);
  const articleBuffer = new Int32Array(1 + articles.length + 1 + articleTotal);
  articleBuffer[0] = articles.length;
  at = 2 + articles.length;
  articles.forEach((a, i) => {
    articleBuffer[1 + i] = at;
    // Local ids in ascending order, so a fresh process (whose ids are the local ones) can search them as they are.
    const order = Array.from(a.ids.keys()).sort((x, y) => localOf(a.ids[x]!) - localOf(a.ids[y]!));
    order.forEach((k, j) => {
      articleBuffer[at + j] = localOf(a.ids[k]!);
      articleBuffer[at + a.ids.length + j] = a.counts[k]!;
    });
    at += 2 * a.ids.length;
  });
  articleBuffer[1 + articles.length] = at;
  return { buffer, articleBuffer, vocabulary };
}

/** Items of a buffer laid out by `encodeTerms`; throws when the offsets do not add up. */
function items(buffer: Int32Array, what: string): Int32Array[] {
  const count = buffer[0] ?? -1;
  if (count < 0 || buffer.length < count + 2 || buffer[1 + count] !== buffer.length) {
    throw new Error(`${what} has the wrong length`);
  }
  const out: Int32Array[] = [];
  for (let i = 0; i < count; i++) {
    const from = buffer[1 + i]!;
    const to = buffer[2 + i]!;
    if (from < 2 + count || to < from || to > buffer.length) throw new Error(`${what} has a bad offset`);
    out.push(buffer.subarray(from, to));
  }
  return out;
}

/**
 * The passages' term data and the articles' term counts back from `encodeTerms`, renumbered to this process's ids;
 * throws when malformed.
 */
function decodeTerms(
  raw: Buffer,
  articleRaw: Buffer,
  vocabularyJson: string,
): { passages: Int32Array[]; articles: SortedTermCounts[] } {
  const vocabulary = JSON.parse(vocabularyJson) as unknown;
  if (!Array.isArray(vocabulary) || !vocabulary.every((t) => typeof t === "string")) {
    throw new Error("vocabulary is not a list of strings");
  }
  const ids = Int32Array.from(vocabulary as string[], (t) => termId(t));
  // A fresh process interns the saved vocabulary first, in order: its ids are the saved ones, nothing to renumber.
  const same = ids.every((id, i) => id === i);
  const mapped = (local: number) => {
    const id = ids[local];
    if (id === undefined) throw new Error("term id outside the vocabulary");
    return id;
  };
  const passages = items(int32View(raw), "term data");
  if (!same)
    for (const data of passages)
      forEachTermSlot(data, (slot) => {
        data[slot] = mapped(data[slot]!);
      });
  const articles = items(int32View(articleRaw), "article term data").map((item) => {
    if (item.length % 2 !== 0) throw new Error("article term data has an odd item");
    const n = item.length / 2;
    const termIds = item.subarray(0, n);
    const counts = item.subarray(n);
    if (same) {
      for (let i = 0; i < n; i++)
        if (termIds[i]! >= ids.length) throw new Error("term id outside the vocabulary");
      return new SortedTermCounts(termIds, counts);
    }
    const order = Array.from(termIds.keys()).sort((x, y) => mapped(termIds[x]!) - mapped(termIds[y]!));
    return new SortedTermCounts(
      Int32Array.from(order, (k) => mapped(termIds[k]!)),
      Int32Array.from(order, (k) => counts[k]!),
    );
  });
  return { passages, articles };
}

/** The bytes of a typed array, for writing it to a file. */
function bytesOf(array: Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** A file's bytes as 32-bit numbers (copied once when the buffer is not 4-byte aligned). */
function int32View(bytes: Buffer): Int32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  return new Int32Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 4));
}

function float32View(bytes: Buffer): Float32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  return new Float32Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 4));
}

/** Persists the index as one snapshot (temp dir, checksummed manifest, atomic pointer switch). */
export async function saveCorpusIndex(root: string, index: CorpusIndex): Promise<void> {
  const { stored, texts, passages, order } = index.encode();
  const saved = await saveSnapshot(
    root,
    { formatVersion: INDEX_FORMAT_VERSION, embedderId: index.embedder.id, articles: stored.articles.length },
    async (dir: string) => {
      await writeFile(path.join(dir, files.corpus), JSON.stringify(stored));
      await writeFile(path.join(dir, files.texts), texts);
      await writeFile(path.join(dir, files.passages), bytesOf(passages));
      const labels = order.flatMap((a) => index.labelsOf(a.id));
      const dims = index.embedder.dimensions;
      const buffer = new Float32Array(labels.length * (dims + 1));
      labels.forEach((label, i) => {
        buffer[i * (dims + 1)] = label;
        buffer.set(index.vectorOfLabel(label)!, i * (dims + 1) + 1);
      });
      await writeFile(path.join(dir, files.vectors), bytesOf(buffer));
      await index.vectors.save(path.join(dir, files.hnsw));
      await index.lexical.save(path.join(dir, files.bm25));
      const terms = encodeTerms(
        order.flatMap((a) => index.termsOf(a.id)),
        order.map((a) => index.articleTerms(a.id)),
      );
      await writeFile(path.join(dir, files.terms), bytesOf(terms.buffer));
      await writeFile(path.join(dir, files.articleTerms), bytesOf(terms.articleBuffer));
      await writeFile(path.join(dir, files.vocabulary), JSON.stringify(terms.vocabulary));
    },
  );
  index.snapshotId = saved.id;
}

const SOURCES_FILE = "sources.json";

const sourcesSchema = z.object({
  snapshotId: z.string(),
  files: z.array(z.object({ file: z.string(), size: z.number(), mtimeMs: z.number() })),
  problems: z.array(
    z.object({ file: z.string(), line: z.number().optional(), message: z.string() }).transform((p) => {
      const { line, ...rest } = p;
      return line === undefined ? rest : { ...rest, line };
    }),
  ),
});

/** The corpus files (sizes, mtimes) and their problems as they were when the snapshot `snapshotId` was checked. */
export type CorpusSources = z.infer<typeof sourcesSchema>;

/**
 * The corpus listing recorded beside the index, or null when there is none or it is unreadable (then the corpus is
 * read again, the safe direction). Kept outside the snapshot so an unchanged corpus that was touched costs one
 * re-read, not a new snapshot.
 */
export async function readCorpusSources(root: string): Promise<CorpusSources | null> {
  try {
    const parsed = sourcesSchema.safeParse(JSON.parse(await readFile(path.join(root, SOURCES_FILE), "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Records the listing for a snapshot (write then rename, so a crash leaves the old record or the new one). */
export async function writeCorpusSources(root: string, sources: CorpusSources): Promise<void> {
  const temp = path.join(root, `.${SOURCES_FILE}.${process.pid}.tmp`);
  await writeFile(temp, JSON.stringify(sources));
  await rename(temp, path.join(root, SOURCES_FILE));
}

/**
 * Loads the persisted index. Returns null when there is none. Throws `INDEX_CORRUPT` (from the snapshot store or
 * here) when a file is damaged and `INDEX_MISMATCH` when another embedder built it; callers rebuild on both.
 */
export async function loadCorpusIndex(
  root: string,
  embedder: Embedder,
  logger: Logger,
): Promise<CorpusIndex | null> {
  // The worker checks sums while this thread parses; the HNSW file is checked before native code reads it.
  const snapshot = await openSnapshot(root, { checksums: "alongside", first: [files.hnsw] });
  if (!snapshot) return null;
  const meta = snapshot.manifest.meta as { formatVersion?: number; embedderId?: string };
  if (meta.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new BriefingError(
      "INDEX_MISMATCH",
      `Index format ${String(meta.formatVersion)} is not ${INDEX_FORMAT_VERSION}.`,
    );
  }
  if (meta.embedderId !== embedder.id) {
    throw new BriefingError(
      "INDEX_MISMATCH",
      `The index was built with embedder "${String(meta.embedderId)}" but this run uses "${embedder.id}"; vectors of different models cannot be mixed.`,
      { context: { stored: meta.embedderId, current: embedder.id } },
    );
  }
  let index: CorpusIndex;
  try {
    index = await readIndexFiles(snapshot, embedder);
  } catch (error) {
    // A damaged file explains a parse error better than the parse error does.
    await snapshot.verified();
    throw error;
  }
  await snapshot.verified();
  logger.debug("index loaded", { articles: index.articles.size, dir: snapshot.dir });
  return index;
}

async function readIndexFiles(snapshot: OpenedSnapshot, embedder: Embedder): Promise<CorpusIndex> {
  const corrupt = (file: string, why: string, cause?: unknown) =>
    new BriefingError("INDEX_CORRUPT", `Index file ${file} ${why}.`, cause ? { cause } : {});
  const dims = embedder.dimensions;
  // Every file is requested at once (libuv threads read them, hnswlib reads its own once its sum is checked) while
  // this thread parses the ones already in.
  const reads = new Map<string, Promise<Buffer>>();
  const bytes = (file: string): Promise<Buffer> => {
    let read = reads.get(file);
    if (!read) {
      read = readFile(path.join(snapshot.dir, file));
      read.catch(() => {}); // awaited where used; an early failure must not go unhandled
      reads.set(file, read);
    }
    return read;
  };
  for (const file of [
    files.corpus,
    files.texts,
    files.passages,
    files.vectors,
    files.bm25,
    files.terms,
    files.articleTerms,
    files.vocabulary,
  ])
    bytes(file);
  const vectorIndex = snapshot
    .verified(files.hnsw)
    .then(() => loadHnswIndex(path.join(snapshot.dir, files.hnsw), { dimensions: dims }));
  vectorIndex.catch(() => {});
  let stored: StoredCorpus;
  try {
    stored = JSON.parse((await bytes(files.corpus)).toString("utf8")) as StoredCorpus;
  } catch (cause) {
    throw corrupt(files.corpus, "is unreadable", cause);
  }
  if (!Array.isArray(stored.articles)) throw corrupt(files.corpus, "lists no articles");
  const texts = await bytes(files.texts);
  const passageNumbers = int32View(await bytes(files.passages));
  const flat = float32View(await bytes(files.vectors));
  // Views into one buffer: no copy per passage.
  const vectorByLabel: Float32Array[] = [];
  for (let i = 0; i + dims < flat.length; i += dims + 1)
    vectorByLabel[flat[i]!] = flat.subarray(i + 1, i + 1 + dims);
  let lexical: LexicalIndex;
  try {
    lexical = bm25FromBytes(await bytes(files.bm25));
  } catch (cause) {
    throw new BriefingError("INDEX_CORRUPT", `Index file ${files.bm25} is unreadable.`, {
      cause,
    });
  }
  let terms: Int32Array[];
  let articleTerms: SortedTermCounts[];
  try {
    ({ passages: terms, articles: articleTerms } = decodeTerms(
      await bytes(files.terms),
      await bytes(files.articleTerms),
      (await bytes(files.vocabulary)).toString("utf8"),
    ));
  } catch (cause) {
    throw new BriefingError("INDEX_CORRUPT", `Index file ${files.terms} is unreadable.`, {
      cause,
    });
  }
  if (
    terms.length !== stored.articles.reduce((s, a) => s + a.passages, 0) ||
    articleTerms.length !== stored.articles.length
  ) {
    throw new BriefingError("INDEX_CORRUPT", `Index file ${files.terms} does not match the corpus.`);
  }
  const vectors = await vectorIndex;
  let nextTerms = 0;
  let textAt = 0;
  let numberAt = 0;
  const index = new CorpusIndex(embedder, lexical, vectors, true);
  index.nextLabel = stored.nextLabel;
  for (const [articleNumber, a] of stored.articles.entries()) {
    if (textAt + a.textBytes > texts.length) throw corrupt(files.texts, "is shorter than the corpus says");
    const article: Article = { ...a.article, text: texts.toString("utf8", textAt, textAt + a.textBytes) };
    textAt += a.textBytes;
    const passages: Passage[] = [];
    const labels: number[] = [];
    const vecs: Float32Array[] = [];
    for (let index = 0; index < a.passages; index++) {
      if (numberAt + 4 > passageNumbers.length)
        throw corrupt(files.passages, "is shorter than the corpus says");
      const start = passageNumbers[numberAt]!;
      const end = passageNumbers[numberAt + 1]!;
      const label = passageNumbers[numberAt + 2]!;
      const count = passageNumbers[numberAt + 3]!;
      if (count < 0 || numberAt + 4 + 2 * count > passageNumbers.length)
        throw corrupt(files.passages, "is shorter than the corpus says");
      passages.push(
        new StoredPassage(
          `${article.id}#${index}`,
          article.id,
          index,
          start,
          end,
          article.text.slice(start, end),
          passageNumbers,
          numberAt + 3,
        ),
      );
      numberAt += 4 + 2 * count;
      const v = vectorByLabel[label];
      if (!v) throw new BriefingError("INDEX_CORRUPT", `Vector for passage label ${label} is missing.`);
      labels.push(label);
      vecs.push(v);
    }
    const passageTerms = terms.slice(nextTerms, nextTerms + passages.length);
    nextTerms += passages.length;
    index.addArticle(
      article,
      a.hash,
      passages,
      labels,
      vecs,
      quotesFromStored(article, a.quotes),
      passageTerms,
      articleTerms[articleNumber],
    );
  }
  if (textAt !== texts.length) throw corrupt(files.texts, "does not match the corpus");
  if (numberAt !== passageNumbers.length) throw corrupt(files.passages, "does not match the corpus");
  index.snapshotId = snapshot.id;
  return index;
}
