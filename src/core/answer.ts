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

/** Answer thresholds; calibrated on the development questions (see README "Quality on the development questions"). */
export const answerDefaults = {
  /**
   * Refuse when the best article's evidence score is below this: the share of the question's topic weight the
   * article holds, minus `missingNamePenalty` times the share of the question's name weight it lacks.
   * Calibrated on the development questions, in the middle of the gap between the classes: answerable ones
   * score ≥ 0.39 except two worded far from their article; unanswerable ones ≤ 0.26 except one.
   */
  minEvidence: 0.33,
  missingNamePenalty: 0.4,
  /** Longest quote shown, in characters; longer quotes are cut to their best sentences. */
  maxQuoteChars: 400,
  maxQuotes: 3,
  /** Further sentences are added only when they score at least this share of the best one... */
  secondaryRatio: 0.8,
  /** ...and the same speaker's further quotes at least this share. */
  sameSpeakerRatio: 0.5,
  /** A quote shorter than this many words (a phrase like "lousy") is shown in its whole sentence instead. */
  minQuoteWords: 4,
  speakerWeight: 1.0,
  /** Passages whose attributed quotes are candidates, and passages whose sentences are. */
  evidencePassages: 6,
  sentencePassages: 3,
  /** Added to a quote when the question asks for someone's words. */
  quoteBonus: 0.3,
  /** Taken from a quote when it does not, unless the question names its speaker (match ≥ `namedSpeaker`). */
  quotePenalty: 0.5,
  namedSpeaker: 0.85,
  /** Least speaker match for a person's other quotes in the top article to become candidates. */
  focusSpeaker: 0.4,
} as const satisfies Record<string, number>;

export type AnswerThresholds = Record<keyof typeof answerDefaults, number>;

export interface AnswerInput {
  readonly analysis: QuestionAnalysis;
  readonly ranked: readonly RankedPassage[];
  readonly articles: ReadonlyMap<string, Article>;
  readonly quotesByPassage: ReadonlyMap<string, readonly QuoteRecord[]>;
  /**
   * The ids of an article's passages that hold quote records, in `quotesByPassage` order; without it they are found
   * by scanning `quotesByPassage` (every passage of the corpus), which costs ~1 ms per answer at 100k passages.
   */
  readonly quotePassagesOf?: (articleId: string) => readonly string[];
  readonly speakerMatch: (record: QuoteRecord, question: string) => number;
  /** Sentence scores for a passage not already scored (quotes found outside the top passages). */
  readonly thresholds?: Partial<AnswerThresholds>;
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

/**
 * Cuts a quote from the article at `span` (tidied of surrounding quote marks and trailing punctuation) and returns
 * it only if it passes `verifyQuote`.
 */
export function makeQuote(
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

interface Candidate {
  readonly articleId: string;
  readonly span: Span;
  readonly speaker: string | null;
  readonly role: string | null;
  readonly direct: boolean;
  readonly score: number;
}

/**
 * Evidence candidates from the top passages: their sentences, and their attributed quotes (favoured when the
 * question asks for someone's words or names the speaker).
 */
function candidates(input: AnswerInput, t: AnswerThresholds): Candidate[] {
  const { analysis } = input;
  const out: Candidate[] = [];
  const wantsWords = analysis.wantsQuote || analysis.kind === "quote";
  input.ranked.slice(0, t.evidencePassages).forEach((ranked, rank) => {
    const passageQuotes = (input.quotesByPassage.get(ranked.passage.id) ?? []).filter((q) => q.speaker);
    if (rank < t.sentencePassages) {
      for (const s of ranked.sentences) {
        const inner = passageQuotes.find((q) => q.start >= s.start && q.end <= s.end);
        const span =
          s.end - s.start > t.maxQuoteChars * 1.5 ? { start: s.start, end: s.start + t.maxQuoteChars } : s;
        out.push({
          articleId: ranked.passage.articleId,
          span,
          speaker: inner?.speaker ?? null,
          role: inner?.role ?? null,
          direct: false,
          score: ranked.score + s.score,
        });
      }
    }
    for (const record of passageQuotes) {
      const match = input.speakerMatch(record, analysis.text);
      const phrase = record.text.split(/\s+/).length < t.minQuoteWords;
      const fit = wantsWords ? t.quoteBonus : match >= t.namedSpeaker ? 0 : -t.quotePenalty;
      out.push({
        articleId: record.articleId,
        span: phrase ? record.sentence : bestWindow(record, ranked.sentences, t.maxQuoteChars),
        speaker: record.speaker,
        role: record.role,
        direct: !phrase,
        score: ranked.score + quoteCoverage(record, ranked.sentences) + t.speakerWeight * match + fit,
      });
    }
  });
  if (wantsWords) out.push(...focusSpeakerQuotes(input, t, out));
  return out.sort((a, b) => b.score - a.score);
}

/**
 * When the question asks for the words of someone the top article quotes (by name or role), that person's other
 * quotes in the article are candidates too, even outside the best passages: the quote often sits in the
 * paragraph after the one that introduces the speaker.
 */
function focusSpeakerQuotes(
  input: AnswerInput,
  t: AnswerThresholds,
  seen: readonly Candidate[],
): Candidate[] {
  const top = input.ranked[0];
  if (!top) return [];
  const articleId = top.passage.articleId;
  const passageIds =
    input.quotePassagesOf?.(articleId) ??
    [...input.quotesByPassage.keys()].filter((id) => id.startsWith(`${articleId}#`));
  const records = passageIds.flatMap((id) =>
    (input.quotesByPassage.get(id) ?? []).filter((q) => q.speaker && q.articleId === articleId),
  );
  let target: { speaker: string; match: number } | null = null;
  for (const q of records) {
    const match = input.speakerMatch(q, input.analysis.text);
    if (match >= t.focusSpeaker && (!target || match > target.match)) target = { speaker: q.speaker!, match };
  }
  if (!target) return [];
  const byPassage = new Map(input.ranked.map((r) => [r.passage.id, r]));
  const floor = Math.min(...input.ranked.map((r) => r.score));
  const out: Candidate[] = [];
  for (const passageId of passageIds) {
    const ranked = byPassage.get(passageId);
    for (const record of input.quotesByPassage.get(passageId) ?? []) {
      if (
        record.speaker !== target.speaker ||
        seen.some((c) => c.direct && c.span.start >= record.start && c.span.end <= record.end)
      )
        continue;
      out.push({
        articleId,
        span: bestWindow(record, ranked?.sentences ?? [], t.maxQuoteChars),
        speaker: record.speaker,
        role: record.role,
        direct: true,
        score:
          (ranked?.score ?? floor) +
          (ranked ? quoteCoverage(record, ranked.sentences) : 0) +
          t.speakerWeight * target.match +
          t.quoteBonus,
      });
    }
  }
  return out;
}

/** Builds the answer, or a refusal when the evidence is too weak. */
export function composeAnswer(input: AnswerInput): Answer {
  const t: AnswerThresholds = { ...answerDefaults, ...input.thresholds };
  const top = input.ranked[0];
  if (!top || input.analysis.terms.length === 0) return refusal("no-evidence");
  // A question about a year the article neither is dated in nor mentions is about something else.
  if (!top.yearsFound || evidenceScore(top, t.missingNamePenalty) < t.minEvidence)
    return refusal("weak-evidence");
  const quotes: AnswerQuote[] = [];
  const push = (c: Candidate) => {
    if (quotes.length >= t.maxQuotes) return;
    const article = input.articles.get(c.articleId);
    if (!article) return;
    const q = makeQuote(article, c.span, c.speaker, c.role, c.direct);
    if (!q || quotes.some((o) => o.article.id === q.article.id && q.start < o.end && o.start < q.end)) return;
    quotes.push(q);
  };
  const ranked = candidates(input, t);
  const best = ranked[0];
  if (!best) return refusal("no-evidence");
  push(best);
  // More of the same kind of evidence when it is nearly as good: the same speaker's other words, or the next
  // best sentences.
  for (const c of ranked) {
    if (quotes.length >= t.maxQuotes) break;
    if (c === best || c.direct !== best.direct || (best.direct && c.speaker !== best.speaker)) continue;
    if (c.score < best.score * (best.direct ? t.sameSpeakerRatio : t.secondaryRatio)) continue;
    push(c);
  }
  if (quotes.length === 0) return refusal("no-evidence");
  return { refused: false, lead: lead(quotes), quotes };
}
