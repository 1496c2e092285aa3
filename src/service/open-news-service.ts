/**
 * Opens the news service over a corpus: loads the persisted index (or builds it, with progress), keeps it fresh
 * on `refresh`, and answers through the core. This is the one implementation of `NewsService` every adapter calls.
 */
import path from "node:path";
import type { Config } from "../config/config.js";
import { composeAnswer, makeQuote, refusal } from "../core/answer.js";
import type { CorpusProblem } from "../core/corpus-format.js";
import { BriefingError, isBriefingError } from "../core/errors.js";
import type { AnswerModel, Clock, Embedder, EvidencePassage, Logger, WordVectors } from "../core/ports.js";
import { silentLogger, systemClock } from "../core/ports.js";
import { analyzeQuestion, isSmallTalk, type QuestionAnalysis } from "../core/question.js";
import { speakerMatches } from "../core/quotes.js";
import { type RankedPassage, retrieve } from "../core/retrieval.js";
import { STOPWORDS } from "../core/text.js";
import type {
  Answer,
  AnswerQuote,
  CorpusSummary,
  DateRange,
  QuoteRecord,
  SpeakerSummary,
} from "../core/types.js";
import { verifyQuote } from "../core/verify.js";
import { listCorpus, readCorpus, sameListing } from "../infra/corpus-reader.js";
import { createGloveEmbedder } from "../infra/glove-embedder.js";
import { type ArticleArrivals, createBriefingService } from "./briefing-service.js";
import {
  buildCorpusIndex,
  type CorpusIndex,
  type IngestProgress,
  type IngestSummary,
  loadCorpusIndex,
  readCorpusSources,
  saveCorpusIndex,
  snapshotView,
  writeCorpusSources,
} from "./corpus-index.js";
import type { CorpusSnapshot } from "./corpus-snapshot.js";
import { answerModelFromConfig, answerWithModel } from "./llm-answer.js";
import type { AskOptions, NewsService, RetrieverName, SpeakerQuotes } from "./news-service.js";

export const MAX_QUESTION_CHARS = 1000;

export interface OpenNewsServiceOptions {
  readonly config: Config;
  readonly logger?: Logger;
  /** Corpus files or folders; default `config.corpusDir`. */
  readonly corpusPaths?: readonly string[];
  /** Where this corpus's index lives; default `<dataDir>/index`. */
  readonly indexDir?: string;
  /** Overrides the embedder chosen from config (tests, benchmarks). */
  readonly embedder?: Embedder;
  /**
   * When set, answers are worded by the model; quotes stay verified (see `answerWithModel`).
   * Default: built from config when OPENAI_API_KEY or OPENAI_BASE_URL is set; `null` forces extractive answers.
   */
  readonly answerModel?: AnswerModel | null;
  readonly clock?: Clock;
  /**
   * Word vectors for soft term matching when reranking; default the GloVe vectors (offline, also with OpenAI
   * embeddings). `null` turns soft matching off.
   */
  readonly wordVectors?: WordVectors | null;
  /** Where article arrival times are kept for "new since your last briefing" (the SQLite store); default memory. */
  readonly arrivals?: ArticleArrivals;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Called once per skipped corpus file or line. */
  readonly onProblem?: (problem: CorpusProblem) => void;
  /**
   * Read every corpus file even when their sizes and mtimes match the last check (default false: such a corpus is
   * not read again). For edits that keep a file's size and mtime.
   */
  readonly rereadCorpus?: boolean;
}

export interface RunningNewsService extends NewsService {
  /** A read-only view of the current corpus; replaced whole on refresh. */
  corpus(): CorpusSnapshot;
  /** Re-reads the corpus paths and updates the index incrementally; returns what changed. */
  refresh(): Promise<IngestResult>;
  /** Ranked passages for a question with a chosen retriever (eval, benchmarks). */
  search(
    question: string,
    options?: { retriever?: RetrieverName; limit?: number; dateRange?: DateRange },
  ): Promise<RankedPassage[]>;
  readonly lastIngest: IngestResult;
  close(): Promise<void>;
}

export interface IngestResult extends IngestSummary {
  readonly skipped: number;
  /** True when the persisted index was used as is. */
  readonly reused: boolean;
}

/** Control, zero-width and bidirectional-override characters: never part of a question. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const invisible = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF]/g;

/** Removes control characters (keeping newlines and tabs as spaces) and collapses whitespace. */
export function cleanQuestion(raw: string): string {
  return raw.replace(invisible, " ").replace(/\s+/g, " ").trim();
}

async function chooseEmbedder(options: OpenNewsServiceOptions, logger: Logger): Promise<Embedder> {
  if (options.embedder) return options.embedder;
  if (options.config.embeddingsProvider === "openai") {
    const { openOpenAIEmbedder } = await import("../infra/openai-embedder.js");
    return openOpenAIEmbedder(options.config);
  }
  return createGloveEmbedder({ cacheDir: options.config.cacheDir, logger });
}

function isWordVectors(value: object): value is WordVectors {
  return typeof (value as Partial<WordVectors>).wordVector === "function";
}

export async function openNewsService(options: OpenNewsServiceOptions): Promise<RunningNewsService> {
  const logger = options.logger ?? silentLogger;
  const corpusPaths = options.corpusPaths ?? [options.config.corpusDir];
  const indexDir = options.indexDir ?? path.join(options.config.dataDir, "index");
  const embedder = await chooseEmbedder(options, logger);
  const wordVectors =
    options.wordVectors === null
      ? undefined
      : (options.wordVectors ??
        (isWordVectors(embedder)
          ? embedder
          : await createGloveEmbedder({ cacheDir: options.config.cacheDir, logger })));
  const answerModel =
    options.answerModel === undefined
      ? await answerModelFromConfig(options.config, logger)
      : (options.answerModel ?? undefined);

  let current: CorpusIndex | null = null;
  try {
    current = await loadCorpusIndex(indexDir, embedder, logger);
  } catch (error) {
    if (isBriefingError(error, "INDEX_CORRUPT") || isBriefingError(error, "INDEX_MISMATCH")) {
      logger.warn(`${error.message} Rebuilding the index in ${indexDir}.`);
    } else throw error;
  }

  const ingest = async (): Promise<IngestResult> => {
    const listing = await listCorpus(corpusPaths);
    const recorded = current?.snapshotId && !options.rereadCorpus ? await readCorpusSources(indexDir) : null;
    if (
      current &&
      recorded !== null &&
      recorded.snapshotId === current.snapshotId &&
      sameListing(recorded.files, listing.files)
    ) {
      // Same files, sizes and mtimes as when this snapshot was checked: nothing to read.
      for (const p of recorded.problems) options.onProblem?.(p);
      const n = current.articles.size;
      return { ...emptySummary(current), unchanged: n, skipped: recorded.problems.length, reused: true };
    }
    const read = await readCorpus(corpusPaths);
    for (const p of read.problems) options.onProblem?.(p);
    const record = async (index: CorpusIndex) => {
      if (index.snapshotId)
        await writeCorpusSources(indexDir, {
          snapshotId: index.snapshotId,
          files: [...listing.files],
          problems: read.problems,
        });
    };
    const previous = current ?? undefined;
    const unchanged =
      previous !== undefined &&
      previous.articles.size === read.articles.length &&
      read.articles.every(
        (a) =>
          previous.hashes.has(a.id) && previous.articles.get(a.id)?.text === a.text && sameMeta(previous, a),
      );
    if (unchanged) {
      await record(previous);
      const n = previous.articles.size;
      return { ...emptySummary(previous), unchanged: n, skipped: read.problems.length, reused: true };
    }
    const built = await buildCorpusIndex({
      articles: read.articles,
      embedder,
      previous,
      onProgress: options.onProgress,
    });
    await saveCorpusIndex(indexDir, built.index);
    await record(built.index);
    current = built.index;
    return { ...built.summary, skipped: read.problems.length, reused: false };
  };

  let lastIngest = await ingest();
  const index = (): CorpusIndex => {
    if (!current) throw new BriefingError("INDEX_MISSING", "The index is not built yet.");
    return current;
  };

  type SearchOptions = { retriever?: RetrieverName; limit?: number; dateRange?: DateRange };
  const rank = async (question: string, analysis: QuestionAnalysis, opts: SearchOptions) => {
    const idx = index();
    const vector = await embedder.embedQuery(question);
    const nonZero = vector.some((x) => x !== 0);
    return retrieve(idx, {
      analysis,
      queryVector: nonZero ? vector : null,
      mode: opts.retriever ?? "default",
      dateRange: opts.dateRange,
      limit: opts.limit ?? 10,
      speakerMatch: speakerMatches,
      wordVectors,
    });
  };
  const search = (question: string, opts: SearchOptions = {}) =>
    rank(question, analyzeQuestion(question), opts);

  const ask = async (raw: string, opts: AskOptions = {}): Promise<Answer> => {
    const question = cleanQuestion(typeof raw === "string" ? raw : "");
    if (question === "" || !/[\p{L}\p{N}]/u.test(question) || isSmallTalk(question)) {
      const [example] = await service.examples(1);
      const hint = "I answer questions about the news with quotes from the articles I hold.";
      return refusal("empty", example ? `${hint} For example: ${example}` : hint);
    }
    if (question.length > MAX_QUESTION_CHARS) {
      return refusal(
        "too-long",
        `That question is too long (${question.length} characters). Please keep it under ${MAX_QUESTION_CHARS}.`,
      );
    }
    const idx = index();
    if (idx.articles.size === 0)
      return refusal("no-articles", "I don't have any articles yet. Add some to the corpus and ask again.");
    const analysis = analyzeQuestion(question);
    const ranked = await rank(question, analysis, {
      retriever: opts.retriever ?? "default",
      limit: 12,
      ...(opts.dateRange ? { dateRange: opts.dateRange } : {}),
    });
    const extractive = composeAnswer({
      analysis,
      ranked,
      articles: idx.articles,
      quotesByPassage: idx.quotesByPassage,
      quotePassagesOf: (articleId) => idx.quotePassagesByArticle.get(articleId) ?? [],
      speakerMatch: speakerMatches,
    });
    const answer =
      answerModel && !extractive.refused
        ? await answerWithModel({
            model: answerModel,
            question,
            evidence: ranked.slice(0, 8).map((r) => evidenceOf(idx, r)),
            articles: idx.articles,
            quotes: idx.quoteList,
            extractive,
            deadlineMs: options.config.requestTimeoutMs,
            logger,
          })
        : extractive;
    return guardVerified(idx, answer, logger);
  };

  const briefings = createBriefingService({
    corpus: () => snapshotView(index()),
    clock: options.clock ?? systemClock,
    defaultTz: options.config.briefingTz,
    ...(options.arrivals ? { arrivals: options.arrivals } : {}),
  });
  briefings.observeCorpus();

  const service: RunningNewsService = {
    brief: briefings.brief,
    storyDetails: briefings.storyDetails,
    ask,
    search,
    async quotes(query, opts = {}): Promise<SpeakerQuotes> {
      const idx = index();
      const q = cleanQuestion(query).slice(0, 200);
      let best: { record: QuoteRecord; score: number } | null = null;
      for (const record of idx.quoteList) {
        if (!record.speaker) continue;
        const score = speakerMatches(record, q);
        if (score > 0 && (!best || score > best.score)) best = { record, score };
      }
      if (!best || best.score < 0.5) return { speaker: null, role: null, quotes: [] };
      const name = best.record.speaker!;
      const records = idx.quoteList
        .filter((r) => r.speaker === name)
        .sort((a, b) =>
          (idx.articles.get(b.articleId)?.date ?? "").localeCompare(
            idx.articles.get(a.articleId)?.date ?? "",
          ),
        );
      const quotes: AnswerQuote[] = [];
      for (const r of records) {
        const quote = makeQuote(idx.articles.get(r.articleId)!, r, r.speaker, r.role, true);
        if (quote) quotes.push(quote);
        if (quotes.length >= (opts.limit ?? 5)) break;
      }
      return { speaker: name, role: best.record.role, quotes };
    },
    async speakers(prefix, limit = 25): Promise<SpeakerSummary[]> {
      const idx = index();
      const wanted = cleanQuestion(prefix).toLowerCase();
      const counts = new Map<string, SpeakerSummary>();
      for (const r of idx.quoteList) {
        if (!r.speaker) continue;
        const hay = `${r.speaker} ${r.role ?? ""}`.toLowerCase();
        if (wanted && !hay.includes(wanted)) continue;
        const prev = counts.get(r.speaker);
        counts.set(r.speaker, {
          name: r.speaker,
          role: prev?.role ?? r.role,
          quotes: (prev?.quotes ?? 0) + 1,
        });
      }
      return [...counts.values()]
        .sort((a, b) => b.quotes - a.quotes || a.name.localeCompare(b.name))
        .slice(0, limit);
    },
    async sources(): Promise<CorpusSummary> {
      const idx = index();
      const dates = [...idx.articles.values()]
        .map((a) => a.date)
        .filter((d): d is string => d !== null)
        .sort();
      const outlets = new Map<string, number>();
      for (const a of idx.articles.values()) {
        const name = a.source ?? "unknown outlet";
        outlets.set(name, (outlets.get(name) ?? 0) + 1);
      }
      return {
        articles: idx.articles.size,
        passages: idx.passageList.length,
        quotes: idx.quoteList.length,
        firstDate: dates[0] ?? null,
        lastDate: dates[dates.length - 1] ?? null,
        outlets: [...outlets.entries()]
          .map(([name, articles]) => ({ name, articles }))
          .sort((a, b) => b.articles - a.articles || a.name.localeCompare(b.name)),
      };
    },
    async examples(count = 3): Promise<string[]> {
      const idx = index();
      const newest = [...idx.articles.values()].sort((a, b) => (b.date ?? "").localeCompare(a.date ?? ""));
      const out: string[] = [];
      const asked = new Set<string>();
      // Newest articles first; in each, named people with a role before organisations, one question per speaker.
      for (const article of newest) {
        const topic = lowerFirst(article.title.replace(/[.?!]+$/, ""));
        const speakers = (idx.quotesByArticle.get(article.id) ?? [])
          .filter((q) => q.speaker && !asked.has(q.speaker))
          .sort((a, b) => Number(b.role !== null) - Number(a.role !== null));
        const first = speakers[0];
        if (first?.speaker) {
          asked.add(first.speaker);
          out.push(`What did ${first.speaker} say about ${topic}?`);
        } else out.push(`What happened: ${topic}?`);
        if (out.length >= count) return out;
      }
      for (const article of newest) {
        for (const q of idx.quotesByArticle.get(article.id) ?? []) {
          if (out.length >= count) return out;
          if (!q.speaker || asked.has(q.speaker) || q.role === null) continue;
          asked.add(q.speaker);
          out.push(`What did ${q.role} ${q.speaker} say?`);
        }
      }
      return out;
    },
    corpus: () => snapshotView(index()),
    async refresh() {
      lastIngest = await ingest();
      briefings.observeCorpus();
      return lastIngest;
    },
    get lastIngest() {
      return lastIngest;
    },
    async close() {
      current = null;
    },
  };
  return service;
}

/** Lowercases a title's first word only when it is a common word ("The…"), never a name ("Iran admits…"). */
function lowerFirst(text: string): string {
  const first = /^\p{L}+/u.exec(text)?.[0] ?? "";
  return STOPWORDS.has(first.toLowerCase()) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

function sameMeta(
  index: CorpusIndex,
  a: { id: string; title: string; date: string | null; source: string | null; url: string | null },
): boolean {
  const b = index.articles.get(a.id);
  return !!b && b.title === a.title && b.date === a.date && b.source === a.source && b.url === a.url;
}

function emptySummary(index: CorpusIndex): IngestSummary {
  return {
    articles: index.articles.size,
    passages: index.passageList.length,
    quotes: index.quoteList.length,
    added: 0,
    changed: 0,
    removed: 0,
    unchanged: 0,
    embedded: 0,
  };
}

function evidenceOf(index: CorpusIndex, ranked: RankedPassage): EvidencePassage {
  const article = index.articles.get(ranked.passage.articleId)!;
  return {
    id: ranked.passage.id,
    articleId: article.id,
    title: article.title,
    date: article.date,
    source: article.source,
    text: ranked.passage.text,
    start: ranked.passage.start,
  };
}

/** The last gate on every answer path: a quote that is not verbatim at its offsets is dropped, never shown. */
function guardVerified(index: CorpusIndex, answer: Answer, logger: Logger): Answer {
  if (answer.refused) return answer;
  const quotes = answer.quotes.filter((q) => {
    const article = index.articles.get(q.article.id);
    const result = article ? verifyQuote(article, q) : { ok: false as const, reason: "unknown article" };
    if (!result.ok)
      logger.warn("dropped an unverified quote", { article: q.article.id, reason: result.reason });
    return result.ok;
  });
  if (quotes.length === 0) return refusal("no-evidence");
  return { ...answer, quotes };
}
