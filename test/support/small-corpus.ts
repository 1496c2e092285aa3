/**
 * A hand-built, in-memory `RetrievalCorpus` for unit tests of retrieval and answers: the real chunker, quote
 * extractor and BM25 index (pure JS), an exact `VectorIndex`, and vectors the test chooses (default: a hashed bag
 * of content terms), so fusion and reading-inside-the-article can be checked without GloVe or hnswlib.
 */
import { chunkArticle } from "../../src/core/chunk.js";
import { analyzeQuestion, type QuestionAnalysis } from "../../src/core/question.js";
import { extractQuotes, speakerMatches } from "../../src/core/quotes.js";
import {
  type RankedPassage,
  type RetrievalCorpus,
  type RetrievalMode,
  retrieve,
} from "../../src/core/retrieval.js";
import { contentTerms } from "../../src/core/text.js";
import type { Article, DateRange, Passage, QuoteRecord } from "../../src/core/types.js";
import { createBm25Index } from "../../src/infra/bm25-index.js";
import { createExactIndex } from "../../src/infra/exact-index.js";

export const TOY_DIMENSIONS = 32;

/** A deterministic toy embedding: content terms hashed into `TOY_DIMENSIONS` buckets, unit length. */
export function bagOfTerms(text: string, dimensions = TOY_DIMENSIONS): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const term of contentTerms(text)) {
    let h = 2166136261;
    for (let i = 0; i < term.length; i++) h = Math.imul(h ^ term.charCodeAt(i), 16777619) >>> 0;
    v[h % dimensions]! += 1;
  }
  return unit(v);
}

export function unit(v: readonly number[]): number[] {
  const norm = Math.hypot(...v);
  return norm === 0 ? [...v] : v.map((x) => x / norm);
}

export interface SmallCorpus extends RetrievalCorpus {
  readonly passageList: readonly Passage[];
  readonly quotesByArticle: ReadonlyMap<string, readonly QuoteRecord[]>;
  /** The passage with this article id and index (throws when absent, to keep tests short). */
  passage(articleId: string, index: number): Passage;
}

export function article(
  id: string,
  title: string,
  text: string,
  extra: Partial<Pick<Article, "date" | "source" | "url">> = {},
): Article {
  return {
    id,
    title,
    date: extra.date ?? null,
    source: extra.source ?? "Test Wire",
    url: extra.url ?? `https://news.example/${id}`,
    license: null,
    text,
  };
}

/**
 * Builds the corpus. `vectorOf` chooses each passage's vector (same dimensions for all); by default the toy
 * bag-of-terms of the title and passage text, as the service embeds `title. text`.
 */
export function buildSmallCorpus(
  articles: readonly Article[],
  vectorOf: (article: Article, passage: Passage) => readonly number[] = (a, p) =>
    bagOfTerms(`${a.title}. ${p.text}`),
): SmallCorpus {
  const byId = new Map<string, Article>();
  const passages = new Map<string, Passage>();
  const passageList: Passage[] = [];
  const passagesByArticle = new Map<string, Passage[]>();
  const quotesByPassage = new Map<string, QuoteRecord[]>();
  const quotesByArticle = new Map<string, QuoteRecord[]>();
  const labelOf = new Map<string, number>();
  const idOf = new Map<number, string>();
  const vectorsById = new Map<string, readonly number[]>();
  const df = new Map<string, number>();
  const lexical = createBm25Index();
  let vectors: ReturnType<typeof createExactIndex> | null = null;

  for (const a of articles) {
    byId.set(a.id, a);
    const chunks = chunkArticle(a);
    passagesByArticle.set(a.id, chunks);
    const quotes = extractQuotes(a);
    quotesByArticle.set(a.id, quotes);
    for (const p of chunks) {
      passages.set(p.id, p);
      passageList.push(p);
      lexical.add({ id: p.id, title: a.title, text: p.text });
      for (const t of new Set(contentTerms(p.text))) df.set(t, (df.get(t) ?? 0) + 1);
      const v = vectorOf(a, p);
      vectors ??= createExactIndex({ dimensions: v.length });
      const label = labelOf.size;
      labelOf.set(p.id, label);
      idOf.set(label, p.id);
      vectorsById.set(p.id, v);
      vectors.add(label, v);
    }
    for (const q of quotes) {
      const p = chunks.find((x) => q.start >= x.start && q.start < x.end);
      if (!p) continue;
      quotesByPassage.set(p.id, [...(quotesByPassage.get(p.id) ?? []), q]);
    }
  }
  const articleTerms = new Map<string, Map<string, number>>();
  return {
    articles: byId,
    passages,
    passageList,
    passagesByArticle,
    quotesByPassage,
    quotesByArticle,
    lexical,
    vectors: vectors ?? createExactIndex({ dimensions: TOY_DIMENSIONS }),
    labelOf: (id) => labelOf.get(id),
    passageIdOf: (label) => idOf.get(label),
    passageVector: (id) => vectorsById.get(id),
    idf(term) {
      const n = passageList.length;
      const d = df.get(term) ?? 0;
      return Math.log(1 + (n - d + 0.5) / (d + 0.5));
    },
    articleTerms(articleId) {
      let terms = articleTerms.get(articleId);
      if (!terms) {
        terms = new Map();
        for (const p of passagesByArticle.get(articleId) ?? []) {
          for (const t of new Set(contentTerms(p.text))) terms.set(t, (terms.get(t) ?? 0) + 1);
        }
        for (const t of contentTerms(byId.get(articleId)?.title ?? "")) if (!terms.has(t)) terms.set(t, 0);
        articleTerms.set(articleId, terms);
      }
      return terms;
    },
    passage(articleId, index) {
      const p = passagesByArticle.get(articleId)?.[index];
      if (!p) throw new Error(`no passage ${articleId}#${index}`);
      return p;
    },
  };
}

/** Runs `retrieve` the way the service does (toy query vector unless one is given). */
export function rank(
  corpus: SmallCorpus,
  question: string,
  options: {
    mode?: RetrievalMode;
    queryVector?: readonly number[] | null;
    dateRange?: DateRange;
    limit?: number;
  } = {},
): { analysis: QuestionAnalysis; ranked: RankedPassage[] } {
  const analysis = analyzeQuestion(question);
  const ranked = retrieve(corpus, {
    analysis,
    queryVector: options.queryVector === undefined ? bagOfTerms(question) : options.queryVector,
    mode: options.mode ?? "default",
    dateRange: options.dateRange,
    limit: options.limit ?? 10,
    speakerMatch: speakerMatches,
  });
  return { analysis, ranked };
}
