/**
 * Passage retrieval: BM25 and dense candidates, fused, then the product's default path, which also reads inside
 * the candidate articles and scores evidence sentence by sentence (topic-term coverage, the kind of answer the
 * question wants, the speaker it names, the date it names). Pure: works over ports and plain data.
 */

import type { LexicalIndex, VectorIndex, WordVectors } from "./ports.js";
import type { QuestionAnalysis } from "./question.js";
import { sentenceFitsKind } from "./question.js";
import { passageTerms, type TermCounts, termCount, termId, termName } from "./sentence-terms.js";
import { contentTerms } from "./text.js";
import type { Article, DateRange, Passage, QuoteRecord, Span } from "./types.js";

export type RetrievalMode = "bm25" | "dense" | "hybrid" | "default";

/** Everything retrieval reads; built by the service from a corpus snapshot. */
export interface RetrievalCorpus {
  readonly articles: ReadonlyMap<string, Article>;
  readonly passages: ReadonlyMap<string, Passage>;
  readonly passagesByArticle: ReadonlyMap<string, readonly Passage[]>;
  readonly quotesByPassage: ReadonlyMap<string, readonly QuoteRecord[]>;
  readonly lexical: LexicalIndex;
  readonly vectors: VectorIndex;
  /** Vector label of a passage and back. */
  labelOf(passageId: string): number | undefined;
  passageIdOf(label: number): string | undefined;
  passageVector(passageId: string): readonly number[] | undefined;
  /** Inverse document frequency of a stemmed term over passages. */
  idf(term: string): number;
  /** Stemmed content terms of an article (title and text) with the number of its passages holding each. */
  articleTerms(articleId: string): TermCounts;
  /** The passage's term ids (see `passageTerms` in sentence-terms.ts) when the corpus keeps them; else computed. */
  passageTerms?(passage: Passage): Int32Array | undefined;
}

export interface SentenceScore extends Span {
  readonly score: number;
  /** Share of the question's topic weight (IDF) the sentence holds, 0..1. */
  readonly coverage: number;
  readonly fitsKind: boolean;
}

export interface RankedPassage {
  readonly passage: Passage;
  readonly score: number;
  readonly lexical: number;
  readonly dense: number;
  /** Share of the question's topic weight found in the passage's article, 0..1. */
  readonly articleCoverage: number;
  readonly sentences: readonly SentenceScore[];
  /** Best speaker match of a quote in the passage, 0..1 (0 when the question does not ask for words). */
  readonly speakerMatch: number;
  /** Share of the question's name weight (IDF) absent from the passage's article, 0..1. */
  readonly missingNames: number;
  /** False when the question names years and the article neither is dated in nor mentions any of them. */
  readonly yearsFound: boolean;
}

/** Weights of the default path; tuned on the development questions (see README "Eval"). */
export const rankingWeights = {
  lexical: 0.2,
  dense: 0.5,
  sentence: 1.0,
  passageCoverage: 0.3,
  articleCoverage: 0.9,
  kindFit: 0.25,
  speaker: 1.0,
  /** For questions asking for someone's words: a passage holding an attributed quote at all. */
  quotePresence: 0.3,
  date: 0.5,
  lead: 0,
  /** Weight of a question term inside an article whose title already holds it. */
  titleTermFactor: 0.15,
  /** Least weight of a question term found in every passage of an article (see `termWeights`). */
  localFloor: 0.1,
  /** Word-vector cosine below which words do not match; the most a soft match counts. */
  softFloor: 0.55,
  softMax: 0.5,
  /** Hybrid (score fusion) weight of the dense score against normalised BM25. */
  hybridDense: 0.35,
  candidatesLexical: 80,
  candidatesDense: 40,
  expandArticles: 6,
} as const satisfies Record<string, number>;

export interface RetrieveInput {
  readonly analysis: QuestionAnalysis;
  /** Query embedding (unit length) or null when the question has no known words. */
  readonly queryVector: readonly number[] | null;
  readonly mode: RetrievalMode;
  readonly dateRange?: DateRange | undefined;
  readonly limit: number;
  /**
   * Speaker match of a quote record against the question, 0..1; supplied by the quote module. It must depend on
   * the record's speaker and role only (it is computed once per speaker and role per question).
   */
  readonly speakerMatch: (record: QuoteRecord, question: string) => number;
  /** Word vectors for soft matching of question words in sentences (optional). */
  readonly wordVectors?: WordVectors | undefined;
}

function inRange(article: Article | undefined, range: DateRange | undefined): boolean {
  if (!range || (!range.from && !range.to)) return true;
  if (!article?.date) return false;
  if (range.from && article.date < range.from) return false;
  if (range.to && article.date > range.to) return false;
  return true;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * (b[i] ?? 0);
  return s;
}

function dayDistance(a: string, b: string): number {
  return Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000;
}

/** How well an article's date fits the date or years a question names, 0..1. */
export function dateFit(analysis: QuestionAnalysis, article: Article): number {
  if (analysis.date) {
    if (!article.date) return 0;
    const d = dayDistance(analysis.date, article.date);
    return d === 0 ? 1 : d <= 1 ? 0.8 : d <= 3 ? 0.4 : 0;
  }
  if (analysis.years.length > 0) {
    const year = article.date ? Number(article.date.slice(0, 4)) : null;
    if (year !== null && analysis.years.includes(year)) return 1;
    if (analysis.years.some((y) => article.text.includes(String(y)))) return 0.5;
    return 0;
  }
  return 0;
}

/**
 * Per-question term weights for evidence inside one article: IDF, lowered for terms the article's title already
 * holds (they pick the article, not the paragraph).
 */
export function termWeights(
  corpus: Pick<RetrievalCorpus, "idf">,
  analysis: QuestionAnalysis,
  titleTerms: ReadonlySet<string>,
  articleTerms: TermCounts,
  passages: number,
): number[] {
  const { titleTermFactor, localFloor } = rankingWeights;
  const norm = Math.log(1 + Math.max(1, passages));
  return analysis.terms.map((t) => {
    // Terms spread over the whole article say which article, not which paragraph.
    const pf = articleTerms.get(t) ?? 0;
    const local = pf > 0 ? Math.log(1 + passages / pf) / norm : 1;
    return (
      corpus.idf(t) * (titleTerms.has(t) ? titleTermFactor : 1) * (localFloor + (1 - localFloor) * local)
    );
  });
}

/** True when the question names no year, or the article is dated in or mentions one of them. */
export function yearsFound(analysis: QuestionAnalysis, article: Article): boolean {
  if (analysis.years.length === 0) return true;
  return analysis.years.some((y) => article.date?.startsWith(String(y)) || article.text.includes(String(y)));
}

/**
 * Word vectors by term id, copied into one matrix (row `id`) on first use and kept across questions: the
 * innermost loop then reads one contiguous array. `state[id]`: 0 not looked up yet, 1 has a vector, 2 has none.
 */
interface VectorTable {
  matrix: Float32Array;
  state: Uint8Array;
}

const tables = new WeakMap<WordVectors, VectorTable>();

/** A question word's best soft match (0 … `softMax`) among the term ids `ids[from .. from + count)`. */
type SoftMatcher = (questionWord: string, ids: Int32Array, from: number, count: number) => number;

/** Offset of term `id`'s row in the table, or -1 when the word has no vector; `dims` is the vectors' length. */
function rowOf(words: WordVectors, table: VectorTable, id: number, dims: number): number {
  if (id >= table.state.length) {
    const size = Math.max(termCount() + 1024, Math.ceil((id + 1) * 1.5));
    const matrix = new Float32Array(size * dims);
    matrix.set(table.matrix);
    const state = new Uint8Array(size);
    state.set(table.state);
    table.matrix = matrix;
    table.state = state;
  }
  if (table.state[id] === 0) {
    const v = words.wordVector(termName(id));
    if (v && v.length === dims) {
      table.matrix.set(v, id * dims);
      table.state[id] = 1;
    } else table.state[id] = 2;
  }
  return table.state[id] === 1 ? id * dims : -1;
}

/** One question word's cosines by term id; valid where `stamp` holds the current question's generation. */
interface CosineSlot {
  d: Float64Array;
  stamp: Int32Array;
}

let cosineGeneration = 0;
const cosineSlots: CosineSlot[] = [];

/** The `n`th slot of the shared pool (questions run one at a time: `retrieve` never awaits). */
function cosineSlot(n: number): CosineSlot {
  let slot = cosineSlots[n];
  if (!slot) {
    slot = { d: new Float64Array(termCount() + 1024), stamp: new Int32Array(termCount() + 1024) };
    cosineSlots[n] = slot;
  }
  return slot;
}

function growSlot(slot: CosineSlot, id: number): void {
  const size = Math.max(termCount() + 1024, Math.ceil((id + 1) * 1.5));
  const d = new Float64Array(size);
  const stamp = new Int32Array(size);
  d.set(slot.d);
  stamp.set(slot.stamp);
  slot.d = d;
  slot.stamp = stamp;
}

const titleTerms = new WeakMap<Article, ReadonlySet<string>>();

/** An article's title terms, kept with the (immutable) article: every question reads them for its candidates. */
function titleTermsOf(article: Article): ReadonlySet<string> {
  let terms = titleTerms.get(article);
  if (!terms) {
    terms = new Set(contentTerms(article.title));
    titleTerms.set(article, terms);
  }
  return terms;
}

/**
 * Dot product of `q` with the row of `m` at `row`, in four running sums (the loop's critical path is a quarter as
 * long; the sums round differently from one running sum only in the last bits).
 */
function dotAt(q: Float32Array, m: Float32Array, row: number): number {
  const n = q.length;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a += q[i]! * m[row + i]!;
    b += q[i + 1]! * m[row + i + 1]!;
    c += q[i + 2]! * m[row + i + 2]!;
    d += q[i + 3]! * m[row + i + 3]!;
  }
  for (; i < n; i++) a += q[i]! * m[row + i]!;
  return a + b + (c + d);
}

/**
 * Soft matching of a question word against a sentence's words, by term id (see `passageTerms`): the best cosine
 * above `softFloor`, scaled and capped at `softMax`; word vectors are cached across questions.
 */
function createIdSoftMatcher(words: WordVectors | undefined): SoftMatcher | null {
  if (!words) return null;
  let table = tables.get(words);
  if (!table) {
    table = { matrix: new Float32Array(0), state: new Uint8Array(0) };
    tables.set(words, table);
  }
  const vectors = table;
  const questionVectors = new Map<string, Float32Array | null>();
  // Cosines per question word by term id, in arrays sized to the vocabulary (tens of thousands of ids): an array
  // read instead of a hash lookup in the innermost loop. The arrays are reused by every question (a slot per
  // question word); `stamp[id] === generation` marks a cosine computed for this question.
  const generation = ++cosineGeneration;
  const cosines = new Map<string, CosineSlot>();
  return (questionWord, ids, from, count) => {
    let q = questionVectors.get(questionWord);
    if (q === undefined) {
      q = words.wordVector(questionWord) ?? null;
      questionVectors.set(questionWord, q);
    }
    if (!q) return 0;
    let known = cosines.get(questionWord);
    if (!known) {
      known = cosineSlot(cosines.size);
      cosines.set(questionWord, known);
    }
    let best = 0;
    for (let k = from; k < from + count; k++) {
      const id = ids[k]!;
      if (id >= known.stamp.length) growSlot(known, id);
      let d: number;
      if (known.stamp[id] === generation) d = known.d[id]!;
      else {
        const row = rowOf(words, vectors, id, q.length);
        d = Number.NaN;
        if (row >= 0) d = dotAt(q, vectors.matrix, row);
        known.d[id] = d;
        known.stamp[id] = generation;
      }
      if (d > best) best = d;
    }
    const { softFloor, softMax } = rankingWeights;
    return best <= softFloor ? 0 : Math.min(softMax, ((best - softFloor) / (1 - softFloor)) * softMax * 1.5);
  };
}

/**
 * "Does this list hold term t" for every question term at once: the list's ids are stamped with a new mark (one
 * write per id), then each term is one read, instead of one scan of the list per term. Ids are below `termCount()`.
 */
let termMarks = new Int32Array(0);
let currentMark = 0;

function markTerms(ids: Int32Array, from: number, count: number): number {
  if (termMarks.length < termCount()) {
    const grown = new Int32Array(Math.ceil(termCount() * 1.5) + 1024);
    grown.set(termMarks);
    termMarks = grown;
  }
  if (currentMark === 0x7fff_ffff) {
    termMarks.fill(0);
    currentMark = 0;
  }
  currentMark++;
  for (let k = from; k < from + count; k++) termMarks[ids[k]!] = currentMark;
  return currentMark;
}

/** Share of the question's term weight the passage holds (its content terms follow its sentences at `at`). */
function passageCoverageOf(
  termIds: readonly number[],
  weights: readonly number[],
  data: Int32Array,
  at: number,
): number {
  const mark = markTerms(data, at + 1, data[at]!);
  return (
    termIds.reduce((sum, id, i) => sum + (termMarks[id] === mark ? weights[i]! : 0), 0) /
    (weights.reduce((a, b) => a + b, 0) || 1)
  );
}

const kindSlots: Partial<Record<QuestionAnalysis["kind"], number>> = { number: 0, when: 1, where: 2, who: 3 };
/** Per passage, per sentence and kind: 0 unknown, 1 fits, 2 does not (a sentence's text does not change). */
const kindFits = new WeakMap<Passage, Uint8Array>();

/** `sentenceFitsKind` for sentence `n` of a passage, kept with the passage. */
function fitsKindOf(
  kind: QuestionAnalysis["kind"],
  passage: Passage,
  n: number,
  articleText: string,
  span: Span,
): boolean {
  const slot = kindSlots[kind];
  if (slot === undefined) return sentenceFitsKind(kind, "");
  let known = kindFits.get(passage);
  if (!known) {
    known = new Uint8Array(passage.sentences.length * 4);
    kindFits.set(passage, known);
  }
  const at = n * 4 + slot;
  if (known[at] === 0) known[at] = sentenceFitsKind(kind, articleText.slice(span.start, span.end)) ? 1 : 2;
  return known[at] === 1;
}

/**
 * The question's term weight a sentence holds: a term among its stems counts whole, a lacking one by its best soft
 * match among the sentence's words (0 without word vectors). The one place this sum is made, so every path that
 * scores a sentence gets the same value to the last bit.
 */
function sentenceHeld(
  analysis: QuestionAnalysis,
  termIds: readonly number[],
  weights: readonly number[],
  soft: SoftMatcher | null,
  data: Int32Array,
  wordsAt: number,
  wordCount: number,
  stemsAt: number,
  stemCount: number,
): number {
  const mark = markTerms(data, stemsAt, stemCount);
  let held = 0;
  for (let i = 0; i < termIds.length; i++) {
    if (termMarks[termIds[i]!] === mark) held += weights[i]!;
    else if (soft) held += weights[i]! * soft(analysis.words[i]!, data, wordsAt, wordCount);
  }
  return held;
}

/** A sentence's score from its coverage, with a bonus when it holds the kind of thing the question asks for. */
function sentenceScore(coverage: number, fitsKind: boolean): number {
  return coverage + (fitsKind ? rankingWeights.kindFit * Math.min(1, coverage * 2) : 0);
}

/**
 * Scores each sentence of a passage by the weighted share of the question's topic terms it holds (an exact,
 * stemmed match counts fully, a close word by word vectors partly, see `sentenceHeld`), and the passage's coverage.
 */
function scorePassage(
  corpus: RetrievalCorpus,
  analysis: QuestionAnalysis,
  termIds: readonly number[],
  weights: readonly number[],
  articleText: string,
  passage: Passage,
  soft: SoftMatcher | null,
): { sentences: SentenceScore[]; passageCoverage: number } {
  const total = weights.reduce((s, w) => s + w, 0) || 1;
  const data = corpus.passageTerms?.(passage) ?? passageTerms(passage, articleText);
  const sentences: SentenceScore[] = [];
  let at = 1;
  for (const [n, span] of passage.sentences.entries()) {
    const wordsAt = at + 1;
    const wordCount = data[at]!;
    const stemsAt = wordsAt + wordCount + 1;
    const stemCount = data[wordsAt + wordCount]!;
    at = stemsAt + stemCount;
    const coverage =
      sentenceHeld(analysis, termIds, weights, soft, data, wordsAt, wordCount, stemsAt, stemCount) / total;
    const fitsKind = fitsKindOf(analysis.kind, passage, n, articleText, span);
    sentences.push({
      start: span.start,
      end: span.end,
      score: sentenceScore(coverage, fitsKind),
      coverage,
      fitsKind,
    });
  }
  return { sentences, passageCoverage: passageCoverageOf(termIds, weights, data, at) };
}

let sentenceScratch = { at: new Int32Array(64), bound: new Float64Array(16), order: new Int32Array(16) };

/**
 * Walks a passage's sentences once: each sentence's word and stem list offsets (`at`, four numbers a sentence) and an
 * upper bound of its score (`bound`), counting a question term it lacks as the best soft match can (`softMax`) and
 * every sentence as if it fitted the question's kind; `order` lists the sentences by bound, highest first. Returns
 * the offset of the passage's own term list, which follows its sentences. The arrays are shared scratch space.
 */
function sentenceBounds(
  data: Int32Array,
  sentences: number,
  termIds: readonly number[],
  weights: readonly number[],
  softMax: number,
): number {
  if (sentenceScratch.bound.length < sentences) {
    sentenceScratch = {
      at: new Int32Array(4 * sentences),
      bound: new Float64Array(sentences),
      order: new Int32Array(sentences),
    };
  }
  const { at: offsets, bound, order } = sentenceScratch;
  const total = weights.reduce((s, w) => s + w, 0) || 1;
  let at = 1;
  for (let j = 0; j < sentences; j++) {
    const wordsAt = at + 1;
    const wordCount = data[at]!;
    const stemsAt = wordsAt + wordCount + 1;
    const stemCount = data[wordsAt + wordCount]!;
    at = stemsAt + stemCount;
    offsets[4 * j] = wordsAt;
    offsets[4 * j + 1] = wordCount;
    offsets[4 * j + 2] = stemsAt;
    offsets[4 * j + 3] = stemCount;
    const mark = markTerms(data, stemsAt, stemCount);
    let held = 0;
    for (let i = 0; i < termIds.length; i++)
      held += termMarks[termIds[i]!] === mark ? weights[i]! : weights[i]! * softMax;
    const coverage = held / total;
    bound[j] = coverage + rankingWeights.kindFit * Math.min(1, coverage * 2);
    // Insertion by bound (passages hold a handful of sentences).
    let k = j;
    while (k > 0 && bound[order[k - 1]!]! < bound[j]!) {
      order[k] = order[k - 1]!;
      k--;
    }
    order[k] = j;
  }
  return at;
}

/**
 * The passage's best sentence score, exactly as `scorePassage` computes it, reading sentences best bound first and
 * stopping once no unread sentence can beat the best so far; null as soon as no sentence can reach `needed` (the
 * passage cannot enter the top).
 */
function bestSentenceScore(
  corpus: RetrievalCorpus,
  analysis: QuestionAnalysis,
  termIds: readonly number[],
  weights: readonly number[],
  articleText: string,
  passage: Passage,
  soft: SoftMatcher | null,
  needed: number,
): number | null {
  const total = weights.reduce((s, w) => s + w, 0) || 1;
  const data = corpus.passageTerms?.(passage) ?? passageTerms(passage, articleText);
  const n = passage.sentences.length;
  sentenceBounds(data, n, termIds, weights, soft ? rankingWeights.softMax : 0);
  const { at: offsets, bound, order } = sentenceScratch;
  let best = 0;
  for (let k = 0; k < n; k++) {
    const j = order[k]!;
    if (bound[j]! <= best) break;
    if (bound[j]! < needed) return null;
    const held = sentenceHeld(
      analysis,
      termIds,
      weights,
      soft,
      data,
      offsets[4 * j]!,
      offsets[4 * j + 1]!,
      offsets[4 * j + 2]!,
      offsets[4 * j + 3]!,
    );
    const fitsKind = fitsKindOf(analysis.kind, passage, j, articleText, passage.sentences[j]!);
    const score = sentenceScore(held / total, fitsKind);
    if (score > best) best = score;
  }
  return best < needed ? null : best;
}

/**
 * Upper bounds of `scorePassage`'s best sentence score (see `sentenceBounds`) and its passage coverage (exact),
 * without the soft word matches that are most of its cost.
 */
function sentenceBound(
  termIds: readonly number[],
  weights: readonly number[],
  passage: Passage,
  articleText: string,
  corpus: RetrievalCorpus,
  softPossible: boolean,
): { bestSentence: number; passageCoverage: number } {
  const data = corpus.passageTerms?.(passage) ?? passageTerms(passage, articleText);
  const n = passage.sentences.length;
  const at = sentenceBounds(data, n, termIds, weights, softPossible ? rankingWeights.softMax : 0);
  const best = n > 0 ? Math.max(0, sentenceScratch.bound[sentenceScratch.order[0]!]!) : 0;
  return { bestSentence: best, passageCoverage: passageCoverageOf(termIds, weights, data, at) };
}

function coverageOf(
  corpus: RetrievalCorpus,
  analysis: QuestionAnalysis,
  terms: { has(term: string): boolean },
): number {
  let total = 0;
  let held = 0;
  for (const t of analysis.terms) {
    const w = corpus.idf(t);
    total += w;
    if (terms.has(t)) held += w;
  }
  return total > 0 ? held / total : 0;
}

/** Ranks passages for a question with the chosen retrieval mode. */
export function retrieve(corpus: RetrievalCorpus, input: RetrieveInput): RankedPassage[] {
  const { analysis, queryVector, mode, dateRange, limit } = input;
  const w = rankingWeights;
  const allowed = (passageId: string) => {
    const p = corpus.passages.get(passageId);
    return p !== undefined && inRange(corpus.articles.get(p.articleId), dateRange);
  };
  // Without a date range every indexed passage is allowed, so the indexes get no per-hit callback: at 100k passages
  // it cost ~3 ms per BM25 search and ~1 ms per HNSW search (4x the search itself). Hits are still checked below.
  const unfiltered = !dateRange || (!dateRange.from && !dateRange.to);
  const query = analysis.terms.join(" ");
  const lexHits =
    query && mode !== "dense"
      ? unfiltered
        ? corpus.lexical.search(query, w.candidatesLexical).filter((h) => corpus.passages.has(h.id))
        : corpus.lexical.search(query, w.candidatesLexical, allowed)
      : [];
  const maxLex = lexHits[0]?.score ?? 1;
  const lexical = new Map(lexHits.map((h) => [h.id, h.score / maxLex]));

  const denseScores = new Map<string, number>();
  if (queryVector && mode !== "bm25") {
    const hits = unfiltered
      ? corpus.vectors.search(queryVector, w.candidatesDense)
      : corpus.vectors.search(queryVector, w.candidatesDense, (label) => {
          const id = corpus.passageIdOf(label);
          return id !== undefined && allowed(id);
        });
    for (const h of hits) {
      const id = corpus.passageIdOf(h.label);
      if (id) denseScores.set(id, h.score);
    }
  }
  const denseOf = (id: string): number => {
    const known = denseScores.get(id);
    if (known !== undefined) return known;
    const v = queryVector ? corpus.passageVector(id) : undefined;
    return v && queryVector ? dot(queryVector, v) : 0;
  };

  const candidates = new Set<string>([...lexical.keys(), ...denseScores.keys()]);
  if (mode === "default") {
    // Read inside the best candidate articles: the usual miss is the right article's wrong paragraph.
    const articleBest = new Map<string, number>();
    for (const id of candidates) {
      const p = corpus.passages.get(id)!;
      const s = (lexical.get(id) ?? 0) + w.hybridDense * denseOf(id);
      articleBest.set(p.articleId, Math.max(articleBest.get(p.articleId) ?? 0, s));
    }
    const topArticles = [...articleBest.entries()].sort((a, b) => b[1] - a[1]).slice(0, w.expandArticles);
    for (const [articleId] of topArticles) {
      for (const p of corpus.passagesByArticle.get(articleId) ?? []) candidates.add(p.id);
    }
  }

  const articleCoverage = new Map<string, number>();
  const articleWeights = new Map<string, number[]>();
  const soft = createIdSoftMatcher(input.wordVectors);
  const termIds = analysis.terms.map((t) => termId(t));
  const missingNames = new Map<string, number>();
  const speakers = new Map<string, { speakerMatch: number; hasQuote: boolean }>();
  /** `speakerMatch` by speaker and role: many quotes share both (see `RetrieveInput.speakerMatch`). */
  const speakerScores = new Map<string, number>();
  const articleCoverageOf = (article: Article): number => {
    let artCov = articleCoverage.get(article.id);
    if (artCov === undefined) {
      artCov = coverageOf(corpus, analysis, corpus.articleTerms(article.id));
      articleCoverage.set(article.id, artCov);
    }
    return artCov;
  };
  const weightsOf = (article: Article): number[] => {
    let weights = articleWeights.get(article.id);
    if (!weights) {
      weights = termWeights(
        corpus,
        analysis,
        titleTermsOf(article),
        corpus.articleTerms(article.id),
        corpus.passagesByArticle.get(article.id)?.length ?? 1,
      );
      articleWeights.set(article.id, weights);
    }
    return weights;
  };
  const speakerOf = (passage: Passage): { speakerMatch: number; hasQuote: boolean } => {
    let known = speakers.get(passage.id);
    if (!known) {
      let speakerMatch = 0;
      let hasQuote = false;
      if (analysis.wantsQuote || analysis.kind === "quote") {
        for (const q of corpus.quotesByPassage.get(passage.id) ?? []) {
          if (!q.speaker) continue;
          hasQuote = true;
          const key = `${q.speaker}\u0000${q.role ?? ""}`;
          let match = speakerScores.get(key);
          if (match === undefined) {
            match = input.speakerMatch(q, analysis.text);
            speakerScores.set(key, match);
          }
          speakerMatch = Math.max(speakerMatch, match);
        }
      }
      known = { speakerMatch, hasQuote };
      speakers.set(passage.id, known);
    }
    return known;
  };
  /** What the answer layer reads about a passage: its article's share of the question, sentence scores, … */
  const evidence = (passage: Passage, article: Article) => {
    const { sentences, passageCoverage } = scorePassage(
      corpus,
      analysis,
      termIds,
      weightsOf(article),
      article.text,
      passage,
      soft,
    );
    return {
      articleCoverage: articleCoverageOf(article),
      sentences,
      passageCoverage,
      ...speakerOf(passage),
      yearsFound: yearsFound(analysis, article),
    };
  };
  /** Not part of the score, and costly (a scan of the article's terms per name): computed for the top only. */
  const missingNamesOf = (articleId: string): number => {
    let missing = missingNames.get(articleId);
    if (missing === undefined) {
      missing = missingNameShare(corpus, analysis, corpus.articleTerms(articleId));
      missingNames.set(articleId, missing);
    }
    return missing;
  };
  const byRank = (a: RankedPassage, b: RankedPassage) =>
    b.score - a.score || a.passage.id.localeCompare(b.passage.id);
  if (mode === "default") {
    if (limit <= 0) return [];
    // Reading a passage's sentences (soft word matches) is most of a question's cost. Every other part of the score
    // is computed first, with an upper bound of the sentence part; passages are then read best bound first and the
    // reading stops once no unread passage can reach the top `limit`: the same top `limit`, same scores, fewer reads.
    const pending = [...candidates].map((id) => {
      const passage = corpus.passages.get(id)!;
      const article = corpus.articles.get(passage.articleId)!;
      const lex = lexical.get(id) ?? 0;
      const dense = denseOf(id);
      const weights = weightsOf(article);
      const { bestSentence, passageCoverage } = sentenceBound(
        termIds,
        weights,
        passage,
        article.text,
        corpus,
        soft !== null,
      );
      const upper =
        w.lexical * lex +
        w.dense * dense +
        w.sentence * bestSentence +
        w.passageCoverage * passageCoverage +
        w.articleCoverage * articleCoverageOf(article) +
        w.speaker * speakerOf(passage).speakerMatch +
        (speakerOf(passage).hasQuote ? w.quotePresence : 0) +
        w.date * dateFit(analysis, article) +
        (passage.index === 0 ? w.lead : 0);
      return { passage, article, lex, dense, upper, boundBest: bestSentence, passageCoverage };
    });
    pending.sort((a, b) => b.upper - a.upper || a.passage.id.localeCompare(b.passage.id));
    const ranked: RankedPassage[] = [];
    for (const { passage, article, lex, dense, upper, boundBest, passageCoverage } of pending) {
      const threshold = ranked.length >= limit ? ranked[limit - 1]!.score : Number.NEGATIVE_INFINITY;
      // 1e-9: the bound is summed in another order than the score, so equal values may differ in the last bits.
      if (upper + 1e-9 < threshold) break;
      // The least best-sentence score that could still put this passage in the top (with a margin for rounding).
      const needed = w.sentence > 0 ? (threshold - (upper - w.sentence * boundBest)) / w.sentence - 1e-6 : -1;
      const bestSentence = bestSentenceScore(
        corpus,
        analysis,
        termIds,
        weightsOf(article),
        article.text,
        passage,
        soft,
        needed,
      );
      if (bestSentence === null) continue;
      const speaker = speakerOf(passage);
      const artCov = articleCoverageOf(article);
      const fit = dateFit(analysis, article);
      const score =
        w.lexical * lex +
        w.dense * dense +
        w.sentence * bestSentence +
        w.passageCoverage * passageCoverage +
        w.articleCoverage * artCov +
        w.speaker * speaker.speakerMatch +
        (speaker.hasQuote ? w.quotePresence : 0) +
        w.date * fit +
        (passage.index === 0 ? w.lead : 0);
      const r: RankedPassage = {
        passage,
        score,
        lexical: lex,
        dense,
        articleCoverage: artCov,
        sentences: [],
        speakerMatch: speaker.speakerMatch,
        missingNames: 0,
        yearsFound: yearsFound(analysis, article),
      };
      let at = ranked.length;
      while (at > 0 && byRank(ranked[at - 1]!, r) > 0) at--;
      ranked.splice(at, 0, r);
      if (ranked.length > limit) ranked.pop();
    }
    // The top passages' sentence scores (the cosines are cached) and missing-name shares, for the answer layer.
    return ranked.map((r) => ({
      ...r,
      sentences: evidence(r.passage, corpus.articles.get(r.passage.articleId)!).sentences,
      missingNames: missingNamesOf(r.passage.articleId),
    }));
  }
  const ranked: RankedPassage[] = [];
  for (const id of candidates) {
    const passage = corpus.passages.get(id)!;
    const lex = lexical.get(id) ?? 0;
    const dense = denseOf(id);
    if (mode === "bm25") ranked.push(simple(passage, lex, lex, dense));
    else if (mode === "dense") ranked.push(simple(passage, dense, lex, dense));
    else ranked.push(simple(passage, lex + w.hybridDense * dense, lex, dense));
  }
  ranked.sort(byRank);
  const top = ranked.slice(0, limit);
  // The plain retrievers rank by their own score alone; the passages they return still carry the evidence the
  // answer layer reads (coverage, sentences, names, years), so `ask` with them answers or refuses on the same terms.
  return top.map((r) => {
    const {
      passageCoverage: _p,
      hasQuote: _q,
      ...e
    } = evidence(r.passage, corpus.articles.get(r.passage.articleId)!);
    return { ...r, ...e, missingNames: missingNamesOf(r.passage.articleId) };
  });
}

function simple(passage: Passage, score: number, lexical: number, dense: number): RankedPassage {
  return {
    passage,
    score,
    lexical,
    dense,
    articleCoverage: 0,
    sentences: [],
    speakerMatch: 0,
    missingNames: 0,
    yearsFound: true,
  };
}

/** Share of the question's name weight absent from an article's terms. */
export function missingNameShare(
  corpus: Pick<RetrievalCorpus, "idf">,
  analysis: QuestionAnalysis,
  articleTerms: TermCounts,
): number {
  let total = 0;
  let missing = 0;
  for (const alternatives of analysis.names) {
    const w = Math.max(...alternatives.map((t) => corpus.idf(t)));
    total += w;
    if (!alternatives.some((t) => hasTermOrCompound(articleTerms, t))) missing += w;
  }
  return total > 0 ? missing / total : 0;
}

/** True when the article has the term, or (for terms of 5+ letters) a compound holding it ("kongers" in "hongkongers"). */
function hasTermOrCompound(articleTerms: TermCounts, term: string): boolean {
  if (articleTerms.has(term)) return true;
  if (term.length < 5) return false;
  for (const t of articleTerms.keys()) if (t.length > term.length && t.includes(term)) return true;
  return false;
}
