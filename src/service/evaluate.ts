/**
 * Retrieval and answer quality on a question set (`questions-dev.jsonl` format): article-level recall and MRR,
 * passage-level hits, and answer-level quote hits, speaker accuracy, refusals and the verbatim rate, with the
 * plain BM25, dense and hybrid retrievers measured side by side with the product's default path.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { foldCase } from "../core/text.js";
import type { Answer, Span } from "../core/types.js";
import { locateQuote, normalizeForCompare, verifyQuote } from "../core/verify.js";
import type { RetrieverName } from "./news-service.js";
import type { RunningNewsService } from "./open-news-service.js";

/**
 * One question of a set in the `questions-dev.jsonl` format. Lenient where a held-out set may differ: ids may be
 * numbers, an unknown `type` is kept (it counts as answerable when it names articles), missing optional fields
 * default to null.
 */
export const evalQuestionSchema = z.object({
  id: z.union([z.string(), z.number().transform(String)]),
  type: z.string(),
  question: z.string(),
  article_ids: z.array(z.string()).default([]),
  answer_quote: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  speaker: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  date: z.string().nullish(),
});
export type EvalQuestion = z.infer<typeof evalQuestionSchema>;

export interface RetrieverMetrics {
  recall_at_1: number;
  recall_at_5: number;
  mrr: number;
  passage_hit_at_1: number;
  passage_hit_at_5: number;
}

export interface QuestionResult {
  readonly id: string;
  readonly type: EvalQuestion["type"];
  readonly question: string;
  readonly refused: boolean;
  readonly quoteHit: boolean;
  readonly speakerOk: boolean | null;
  readonly articleRank: number | null;
  readonly passageRank: number | null;
  readonly topQuote: string | null;
  readonly topSpeaker: string | null;
}

export interface EvalReport extends RetrieverMetrics {
  questions: number;
  answerable: number;
  quote_hit: number;
  /** Null when the set has no quote questions with a gold speaker. */
  speaker_accuracy: number | null;
  /** Null when the set has no unanswerable questions. */
  refusal_rate_unanswerable: number | null;
  false_refusal_rate: number;
  verbatim_rate: number;
  by_retriever: Record<RetrieverName, RetrieverMetrics>;
  results: QuestionResult[];
}

/** The index folder `eval` uses for a set of corpus paths: its own, under the data dir, reused while they match. */
export function evalIndexDir(dataDir: string, corpusPaths: readonly string[]): string {
  const key = createHash("sha256")
    .update(corpusPaths.map((p) => path.resolve(p)).join("\n"))
    .digest("hex")
    .slice(0, 12);
  return path.join(dataDir, "eval", key);
}

export const RETRIEVERS: readonly RetrieverName[] = ["bm25", "dense", "hybrid", "default"];

function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/** True when `span` covers at least half of the gold span. */
export function coversHalf(span: Span, gold: Span): boolean {
  return overlap(span, gold) * 2 >= gold.end - gold.start;
}

/** Lenient speaker match: the gold name's last word appears in the returned speaker, or one contains the other. */
export function speakerMatchesGold(returned: string | null, gold: string): boolean {
  if (!returned) return false;
  const r = foldCase(returned);
  const g = foldCase(gold);
  if (r.includes(g) || g.includes(r)) return true;
  const last = g.split(/\s+/).pop() ?? g;
  return r.split(/[^\p{L}\p{N}'-]+/u).includes(last);
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 1000) / 1000);

export async function evaluate(
  service: RunningNewsService,
  questions: readonly EvalQuestion[],
  options: { readonly retrievers?: readonly RetrieverName[] } = {},
): Promise<EvalReport> {
  const corpus = service.corpus();
  const answerable = questions.filter((q) => q.article_ids.length > 0);
  const goldSpan = new Map<string, Span | null>();
  for (const q of answerable) {
    const article = corpus.articles.get(q.article_ids[0]!);
    goldSpan.set(q.id, article && q.answer_quote ? locateQuote(article.text, q.answer_quote) : null);
  }

  const byRetriever = {} as Record<RetrieverName, RetrieverMetrics>;
  const ranks = new Map<string, { article: number | null; passage: number | null }>();
  for (const retriever of options.retrievers ?? RETRIEVERS) {
    let r1 = 0;
    let r5 = 0;
    let rr = 0;
    let p1 = 0;
    let p5 = 0;
    for (const q of answerable) {
      const ranked = await service.search(q.question, { retriever, limit: 50 });
      const articleOrder: string[] = [];
      for (const r of ranked)
        if (!articleOrder.includes(r.passage.articleId)) articleOrder.push(r.passage.articleId);
      const articleRank = articleOrder.findIndex((id) => q.article_ids.includes(id));
      if (articleRank === 0) r1++;
      if (articleRank >= 0 && articleRank < 5) r5++;
      if (articleRank >= 0) rr += 1 / (articleRank + 1);
      const gold = goldSpan.get(q.id);
      const passageRank = gold
        ? ranked.findIndex((r) => r.passage.articleId === q.article_ids[0] && coversHalf(r.passage, gold))
        : -1;
      if (passageRank === 0) p1++;
      if (passageRank >= 0 && passageRank < 5) p5++;
      if (retriever === "default") {
        ranks.set(q.id, {
          article: articleRank >= 0 ? articleRank + 1 : null,
          passage: passageRank >= 0 ? passageRank + 1 : null,
        });
      }
    }
    const n = answerable.length;
    byRetriever[retriever] = {
      recall_at_1: ratio(r1, n),
      recall_at_5: ratio(r5, n),
      mrr: ratio(rr, n),
      passage_hit_at_1: ratio(p1, n),
      passage_hit_at_5: ratio(p5, n),
    };
  }

  let quoteHits = 0;
  let speakerQuestions = 0;
  let speakerOk = 0;
  let refusedUnanswerable = 0;
  let falseRefusals = 0;
  let shown = 0;
  let verbatim = 0;
  const results: QuestionResult[] = [];
  for (const q of questions) {
    const answer: Answer = await service.ask(q.question);
    for (const quote of answer.quotes) {
      shown++;
      const article = corpus.articles.get(quote.article.id);
      if (article && verifyQuote(article, quote).ok) verbatim++;
    }
    const gold = goldSpan.get(q.id) ?? null;
    const hit =
      gold !== null &&
      answer.quotes.some((quote) => quote.article.id === q.article_ids[0] && coversHalf(quote, gold));
    const unanswerable = q.article_ids.length === 0;
    if (unanswerable && answer.refused) refusedUnanswerable++;
    if (!unanswerable && answer.refused) falseRefusals++;
    if (hit) quoteHits++;
    let speakerResult: boolean | null = null;
    if (q.type === "quote" && q.speaker) {
      speakerQuestions++;
      speakerResult = speakerMatchesGold(answer.quotes[0]?.speaker ?? null, q.speaker);
      if (speakerResult) speakerOk++;
    }
    const rank = ranks.get(q.id);
    results.push({
      id: q.id,
      type: q.type,
      question: q.question,
      refused: answer.refused,
      quoteHit: hit,
      speakerOk: speakerResult,
      articleRank: rank?.article ?? null,
      passageRank: rank?.passage ?? null,
      topQuote: answer.quotes[0] ? normalizeForCompare(answer.quotes[0].text) : null,
      topSpeaker: answer.quotes[0]?.speaker ?? null,
    });
  }
  const unanswerableCount = questions.length - answerable.length;
  return {
    questions: questions.length,
    answerable: answerable.length,
    ...byRetriever.default,
    quote_hit: ratio(quoteHits, answerable.length),
    speaker_accuracy: speakerQuestions === 0 ? null : ratio(speakerOk, speakerQuestions),
    refusal_rate_unanswerable: unanswerableCount === 0 ? null : ratio(refusedUnanswerable, unanswerableCount),
    false_refusal_rate: ratio(falseRefusals, answerable.length),
    verbatim_rate: shown === 0 ? 1 : ratio(verbatim, shown),
    by_retriever: byRetriever,
    results,
  };
}
