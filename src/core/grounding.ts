/**
 * Grounding: turns a model's draft into something safe to show, or nothing.
 * Pure. Every quote must be found inside the passage it cites and pass `verifyQuote` against the article;
 * what is shown is the article's own text at the verified offsets, never the model's string. Claims without
 * a surviving quote are dropped, and the lead may not put quotation marks around anything unverified.
 */
import type { EvidencePassage, ModelDraft } from "./ports.js";
import type { AnswerQuote, Article, QuoteRecord } from "./types.js";
import { toArticleRef } from "./types.js";
import { locateQuote, normalizeForCompare, verifyQuote } from "./verify.js";

/** Limits on what a draft may contribute; all in one place. */
export const groundingLimits = {
  /** At most this many quotes are shown, like the extractive answer. */
  maxQuotes: 3,
  /** Shorter excerpts ("the", "said") are verbatim but say nothing; they are dropped. */
  minQuoteWords: 3,
  maxQuoteChars: 600,
  maxLeadChars: 400,
} as const satisfies Record<string, number>;

/** Something of the draft that was not kept, and why (for debug logs and tests; never shown to users). */
export interface GroundingDrop {
  readonly kind: "quote" | "claim" | "lead";
  /** The model's text, as it sent it. */
  readonly text: string;
  readonly passageId?: string;
  readonly reason: string;
}

/** What survives grounding: a lead written by the model and 1–3 quotes rendered from the articles. */
export interface GroundedDraft {
  readonly lead: string;
  readonly quotes: readonly AnswerQuote[];
}

export interface GroundingResult {
  /** Null when nothing usable survives; the caller then keeps its extractive answer. */
  readonly grounded: GroundedDraft | null;
  readonly dropped: readonly GroundingDrop[];
}

interface Verified {
  readonly passageId: string;
  readonly article: Article;
  readonly start: number;
  readonly end: number;
}

const doubleMark = /["\u201C\u201D\u201E\u201F\u00AB\u00BB\u2033]/;
const quoteMarkChar = /["'\u2018\u2019\u201A\u201B\u201C\u201D\u201E\u201F\u00AB\u00BB\u2032\u2033]/;
/** A single-quoted segment: an opening mark after a space or bracket, a closing one before space or punctuation. */
const singleQuoted = /(^|[\s([{])['\u2018\u201B]([^'\u2018\u2019\u201B]+?)['\u2019](?=$|[\s.,;:!?)\]}])/g;
const url = /\b(?:https?:\/\/|www\.)|\]\(/i;

/**
 * Grounds `draft` against the passages it was given and their articles.
 *
 * Lead policy (decided here, documented in README.md, "Optional language model"): the lead is the model's `answer` when every claim
 * survived, else its surviving claims joined. A lead that puts quotation marks around text not found in a
 * cited article (or has unbalanced marks, or a link) is rejected, which makes the whole draft fall back:
 * a model that invents a quotation in its prose is not trusted to word the answer. Quoted text that is found
 * is re-rendered from the article.
 *
 * `quotes` (the corpus quote index) lets a grounded excerpt carry the speaker and role the article gives.
 */
export function groundDraft(
  draft: ModelDraft,
  passages: readonly EvidencePassage[],
  articles: ReadonlyMap<string, Article>,
  quotes: readonly QuoteRecord[] = [],
): GroundingResult {
  const dropped: GroundingDrop[] = [];
  const byId = new Map(passages.map((p) => [p.id, p]));

  const verified: Verified[] = [];
  for (const quote of draft.quotes) {
    const drop = (reason: string) =>
      dropped.push({ kind: "quote", text: quote.text, passageId: quote.passageId, reason });
    if (verified.length >= groundingLimits.maxQuotes) {
      drop(`more than ${groundingLimits.maxQuotes} quotes`);
      continue;
    }
    const result = groundQuote(quote, byId, passages, articles);
    if (!result.ok) {
      drop(result.reason);
      continue;
    }
    const overlap = verified.find(
      (v) =>
        v.article.id === result.value.article.id && v.start < result.value.end && result.value.start < v.end,
    );
    if (overlap) {
      drop("overlaps a quote already kept");
      continue;
    }
    verified.push(result.value);
  }

  const supported = new Set(verified.map((v) => v.passageId));
  const claims = draft.claims.filter((claim) => {
    const ok = claim.passageIds.some((id) => supported.has(id));
    if (!ok) dropped.push({ kind: "claim", text: claim.text, reason: "no verified quote from its passages" });
    return ok;
  });
  if (claims.length === 0) {
    return { grounded: null, dropped: [...dropped, ...unusedQuotes(verified, "no claim survived")] };
  }

  const cited = new Set(claims.flatMap((c) => c.passageIds));
  const shown = verified.filter((v) => {
    if (cited.has(v.passageId)) return true;
    dropped.push({
      kind: "quote",
      text: v.article.text.slice(v.start, v.end),
      passageId: v.passageId,
      reason: "supports no surviving claim",
    });
    return false;
  });

  const allClaimsKept = claims.length === draft.claims.length && draft.answer.trim() !== "";
  const rawLead = allClaimsKept ? draft.answer : claims.map((c) => c.text.trim()).join(" ");
  const lead = guardLead(rawLead, shown);
  if (!lead.ok) {
    dropped.push({ kind: "lead", text: rawLead, reason: lead.reason });
    return { grounded: null, dropped };
  }

  return {
    grounded: { lead: lead.value, quotes: shown.map((v) => renderQuote(v, quotes)) },
    dropped,
  };
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function groundQuote(
  quote: ModelDraft["quotes"][number],
  byId: ReadonlyMap<string, EvidencePassage>,
  passages: readonly EvidencePassage[],
  articles: ReadonlyMap<string, Article>,
): Outcome<Verified> {
  const words = normalizeForCompare(quote.text).split(" ").filter(Boolean).length;
  if (words < groundingLimits.minQuoteWords)
    return { ok: false, reason: `fewer than ${groundingLimits.minQuoteWords} words` };
  if (quote.text.length > groundingLimits.maxQuoteChars) {
    return { ok: false, reason: `longer than ${groundingLimits.maxQuoteChars} characters` };
  }
  const passage = byId.get(quote.passageId);
  if (!passage) return { ok: false, reason: "cites a passage id that was not given" };
  const article = articles.get(passage.articleId);
  if (!article) return { ok: false, reason: `article ${passage.articleId} of the cited passage is unknown` };

  const spanEnd = Math.min(article.text.length, passage.start + passage.text.length);
  const located = locateQuote(article.text.slice(passage.start, spanEnd), quote.text);
  if (!located) {
    const elsewhere = passages.find((p) => p.id !== passage.id && locateQuote(p.text, quote.text) !== null);
    return {
      ok: false,
      reason: elsewhere
        ? `not in the cited passage (found in ${elsewhere.id})`
        : "not verbatim in the cited passage",
    };
  }
  const start = passage.start + located.start;
  const end = passage.start + located.end;
  const check = verifyQuote(article, { text: quote.text, start, end });
  if (!check.ok) return { ok: false, reason: check.reason };
  const trimmed = trimQuoteMarks(article.text, start, end);
  return { ok: true, value: { passageId: passage.id, article, ...trimmed } };
}

/** Drops quotation marks (and the spaces inside them) wrapping a whole excerpt: adapters add their own. */
function trimQuoteMarks(text: string, start: number, end: number): { start: number; end: number } {
  let s = start;
  let e = end;
  if (quoteMarkChar.test(text[s] ?? "") && quoteMarkChar.test(text[e - 1] ?? "") && e - s > 2) {
    s += 1;
    e -= 1;
    while (s < e && /\s/.test(text[s]!)) s++;
    while (e > s && /\s/.test(text[e - 1]!)) e--;
  }
  return { start: s, end: e };
}

function unusedQuotes(verified: readonly Verified[], reason: string): GroundingDrop[] {
  return verified.map((v) => ({
    kind: "quote",
    text: v.article.text.slice(v.start, v.end),
    passageId: v.passageId,
    reason,
  }));
}

/** The article text at the verified offsets, with speaker and role from the quote index when it covers them. */
function renderQuote(v: Verified, records: readonly QuoteRecord[]): AnswerQuote {
  const inArticle = records.filter((r) => r.articleId === v.article.id);
  const covering = inArticle.find((r) => r.start <= v.start && v.end <= r.end);
  const attributed = covering
    ? undefined
    : inArticle.filter(
        (r) => r.start < v.end && v.start < r.end && r.sentence.start <= v.start && v.end <= r.sentence.end,
      );
  const record = covering ?? (attributed?.length === 1 ? attributed[0] : undefined);
  return {
    text: v.article.text.slice(v.start, v.end),
    speaker: record?.speaker ?? null,
    role: record?.role ?? null,
    article: toArticleRef(v.article),
    start: v.start,
    end: v.end,
    direct: covering !== undefined,
  };
}

/**
 * Checks the lead: not empty, not too long, no link, balanced quotation marks, and every quoted segment
 * found in the article of a shown quote (then re-rendered from that article).
 */
function guardLead(raw: string, shown: readonly Verified[]): Outcome<string> {
  const lead = raw.replace(/\s+/g, " ").trim();
  if (lead === "") return { ok: false, reason: "empty lead" };
  if (lead.length > groundingLimits.maxLeadChars) {
    return { ok: false, reason: `lead longer than ${groundingLimits.maxLeadChars} characters` };
  }
  if (url.test(lead)) return { ok: false, reason: "lead contains a link" };

  const segments: { start: number; end: number }[] = [];
  const marks: number[] = [];
  for (let i = 0; i < lead.length; i++) if (doubleMark.test(lead[i]!)) marks.push(i);
  if (marks.length % 2 !== 0) return { ok: false, reason: "lead has unbalanced quotation marks" };
  for (let i = 0; i < marks.length; i += 2) segments.push({ start: marks[i]! + 1, end: marks[i + 1]! });
  for (const match of lead.matchAll(singleQuoted)) {
    const start = match.index + match[1]!.length + 1;
    const end = start + match[2]!.length;
    if (!segments.some((s) => s.start <= start && end <= s.end)) segments.push({ start, end });
  }

  const articles = [...new Map(shown.map((v) => [v.article.id, v.article])).values()];
  let out = lead;
  for (const segment of segments.sort((a, b) => b.start - a.start)) {
    const inner = lead.slice(segment.start, segment.end);
    if (normalizeForCompare(inner) === "") return { ok: false, reason: "lead has empty quotation marks" };
    let rendered: string | undefined;
    for (const article of articles) {
      const at = locateQuote(article.text, inner);
      if (at && verifyQuote(article, { text: inner, ...at }).ok) {
        rendered = article.text.slice(at.start, at.end).replace(/\s+/g, " ");
        break;
      }
    }
    if (rendered === undefined) return { ok: false, reason: `lead quotes unverified text: ${inner}` };
    out = out.slice(0, segment.start) + rendered + out.slice(segment.end);
  }
  return { ok: true, value: out };
}
