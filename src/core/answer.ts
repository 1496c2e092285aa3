/**
 * Composes an answer from ranked passages: the speaker's attributed quotes when the question asks for someone's
 * words, otherwise the sentence(s) that answer it. Every quote is cut from the article text at known offsets and
 * passes `verifyQuote` before it is returned; weak evidence is refused rather than guessed.
 */
import type { QuestionAnalysis } from "./question.js";
import type { RankedPassage, SentenceScore } from "./retrieval.js";
import type { Answer, AnswerQuote, Article, QuoteRecord, Span } from "./types.js";
import { toArticleRef } from "./types.js";
import { verifyQuote } from "./verify.js";

export const REFUSAL_TEXT = "I couldn't find that in the articles I have.";

/** Answer thresholds; calibrated on the development questions (see README "Eval"). */
export const answerDefaults = {
  /**
   * Refuse when the best article's evidence score is below this: the share of the question's topic weight the
   * article holds, minus `missingNamePenalty` times the share of the question's name weight it lacks.
   * Calibrated on the development questions: answerable ones score ≥ 0.44 except four quote questions worded
   * far from their article; unanswerable ones ≤ 0.26 except one.
   */
  minEvidence: 0.35,
  missingNamePenalty: 0.4,
  /** Longest quote shown, in characters; longer quotes are cut to their best sentences. */
  maxQuoteChars: 400,
  maxQuotes: 3,
  /** Extra sentences are added only when they score at least this share of the best one. */
  secondaryRatio: 0.8,
  speakerWeight: 1.0,
} as const satisfies Record<string, number>;

export interface AnswerInput {
  readonly analysis: QuestionAnalysis;
  readonly ranked: readonly RankedPassage[];
  readonly articles: ReadonlyMap<string, Article>;
  readonly quotesByPassage: ReadonlyMap<string, readonly QuoteRecord[]>;
  readonly speakerMatch: (record: QuoteRecord, question: string) => number;
  /** Sentence scores for a passage not already scored (quotes found outside the top passages). */
  readonly thresholds?: Partial<typeof answerDefaults>;
}

export function refusal(reason: Answer["reason"], lead = REFUSAL_TEXT): Answer {
  return reason === undefined
    ? { refused: true, lead, quotes: [] }
    : { refused: true, lead, quotes: [], reason };
}

/** Trims whitespace and a trailing comma/period/colon so a quote reads cleanly; keeps ? and !. */
function tidy(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /[\s"'“”‘’]/.test(text[start]!)) start++;
  while (end > start && /[\s,.;:"'“”‘’—–-]/.test(text[end - 1]!)) end--;
  return { start, end };
}

function makeQuote(
  article: Article,
  span: Span,
  speaker: string | null,
  role: string | null,
  direct: boolean,
): AnswerQuote | null {
  const { start, end } = tidy(article.text, span);
  const quote = { text: article.text.slice(start, end), start, end };
  if (!verifyQuote(article, quote).ok) return null;
  return { ...quote, speaker, role, article: toArticleRef(article), direct };
}

/** The best run of at most two sentences inside a long quote, by sentence score. */
function bestWindow(record: QuoteRecord, sentences: readonly SentenceScore[], maxChars: number): Span {
  if (record.end - record.start <= maxChars) return record;
  const inside = sentences
    .map((s) => ({ ...s, start: Math.max(s.start, record.start), end: Math.min(s.end, record.end) }))
    .filter((s) => s.end > s.start);
  if (inside.length === 0) return { start: record.start, end: Math.min(record.end, record.start + maxChars) };
  let best = inside[0]!;
  let bestScore = -1;
  for (let i = 0; i < inside.length; i++) {
    const one = inside[i]!;
    const two = inside[i + 1];
    const pairFits = two !== undefined && two.end - one.start <= maxChars;
    const score = one.score + (pairFits ? two.score * 0.5 : 0);
    if (score > bestScore) {
      bestScore = score;
      best = pairFits ? { ...one, end: two.end } : one;
    }
  }
  return best;
}

function quoteCoverage(record: QuoteRecord, sentences: readonly SentenceScore[]): number {
  let best = 0;
  for (const s of sentences) {
    if (s.end > record.sentence.start && s.start < record.sentence.end) best = Math.max(best, s.coverage);
  }
  return best;
}

function lead(quotes: readonly AnswerQuote[]): string {
  const first = quotes[0]!;
  const articles = new Set(quotes.map((q) => q.article.id));
  const where =
    articles.size === 1
      ? `"${first.article.title}"${first.article.source ? ` (${first.article.source}${first.article.date ? `, ${first.article.date}` : ""})` : first.article.date ? ` (${first.article.date})` : ""}`
      : `${articles.size} articles`;
  const speakers = [...new Set(quotes.filter((q) => q.direct && q.speaker).map((q) => q.speaker!))];
  if (first.direct && speakers.length > 0) {
    const who = first.role ? `${first.speaker} (${first.role})` : first.speaker;
    return speakers.length === 1
      ? `${who}, as quoted in ${where}:`
      : `What ${speakers.join(" and ")} said, from ${where}:`;
  }
  return `From ${where}:`;
}

/** How strongly the top passage's article supports the question (see `answerDefaults.minEvidence`). */
export function evidenceScore(
  top: RankedPassage,
  missingNamePenalty: number = answerDefaults.missingNamePenalty,
): number {
  return top.articleCoverage - missingNamePenalty * top.missingNames;
}

/** Builds the answer, or a refusal when the evidence is too weak. */
export function composeAnswer(input: AnswerInput): Answer {
  const t = { ...answerDefaults, ...input.thresholds };
  const top = input.ranked[0];
  if (!top || input.analysis.terms.length === 0) return refusal("no-evidence");
  // A question about a year the article neither is dated in nor mentions is about something else.
  if (!top.yearsFound || evidenceScore(top, t.missingNamePenalty) < t.minEvidence)
    return refusal("weak-evidence");
  const quotes: AnswerQuote[] = [];
  const seen = new Set<string>();
  const push = (q: AnswerQuote | null) => {
    if (!q || quotes.length >= t.maxQuotes) return;
    const key = `${q.article.id}:${q.start}`;
    if (
      seen.has(key) ||
      quotes.some((o) => o.article.id === q.article.id && q.start < o.end && o.start < q.end)
    )
      return;
    seen.add(key);
    quotes.push(q);
  };

  if (input.analysis.wantsQuote || input.analysis.kind === "quote") {
    const candidates: { record: QuoteRecord; score: number; ranked: RankedPassage }[] = [];
    for (const ranked of input.ranked.slice(0, 6)) {
      for (const record of input.quotesByPassage.get(ranked.passage.id) ?? []) {
        if (!record.speaker) continue;
        const score =
          ranked.score +
          t.speakerWeight * input.speakerMatch(record, input.analysis.text) +
          quoteCoverage(record, ranked.sentences);
        candidates.push({ record, score, ranked });
      }
    }
    candidates.sort((a, b) => b.score - a.score);
    const best = candidates[0];
    if (best && best.ranked.passage.articleId === top.passage.articleId) {
      for (const c of candidates) {
        if (
          c !== best &&
          (c.score < best.score * t.secondaryRatio || c.record.speaker !== best.record.speaker)
        )
          continue;
        const article = input.articles.get(c.record.articleId)!;
        const span = bestWindow(c.record, c.ranked.sentences, t.maxQuoteChars);
        push(makeQuote(article, span, c.record.speaker, c.record.role, true));
        if (quotes.length >= 2) break;
      }
    }
  }

  if (quotes.length === 0) {
    const scored = input.ranked
      .slice(0, 3)
      .flatMap((r) => r.sentences.map((s) => ({ s, r, total: s.score + r.score })))
      .sort((a, b) => b.total - a.total);
    const best = scored[0];
    if (!best) return refusal("no-evidence");
    for (const c of scored) {
      if (c !== best && (c.total < best.total * t.secondaryRatio || quotes.length >= 2)) break;
      const article = input.articles.get(c.r.passage.articleId)!;
      const inner = (input.quotesByPassage.get(c.r.passage.id) ?? []).find(
        (q) => q.speaker && q.start >= c.s.start && q.end <= c.s.end,
      );
      const span =
        c.s.end - c.s.start > t.maxQuoteChars * 1.5
          ? { start: c.s.start, end: c.s.start + t.maxQuoteChars }
          : c.s;
      push(makeQuote(article, span, inner?.speaker ?? null, inner?.role ?? null, false));
    }
  }
  if (quotes.length === 0) return refusal("no-evidence");
  return { refused: false, lead: lead(quotes), quotes };
}
