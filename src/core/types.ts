/**
 * Plain data types shared by the core, the service and every adapter.
 * Nothing here knows about a chat platform, a vendor or a storage format.
 */

/** One news article as ingested. `text` is kept byte-for-byte; every offset below points into it. */
export interface Article {
  readonly id: string;
  readonly title: string;
  /** ISO date `YYYY-MM-DD`, or null when the source gives none. */
  readonly date: string | null;
  /** Outlet or publisher, e.g. "Reuters" or "Wikinews". */
  readonly source: string | null;
  readonly url: string | null;
  readonly license: string | null;
  readonly text: string;
}

/** What a citation shows about an article. */
export interface ArticleRef {
  readonly id: string;
  readonly title: string;
  readonly date: string | null;
  readonly source: string | null;
  readonly url: string | null;
}

/** A half-open character range `[start, end)` in an article's text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A passage: a paragraph or a few sentences, at most ~800 characters, with its sentences. */
export interface Passage extends Span {
  /** `${articleId}#${index}` */
  readonly id: string;
  readonly articleId: string;
  readonly index: number;
  readonly text: string;
  readonly sentences: readonly Span[];
}

/** A direct quotation found in an article, with its speaker when the text names one. */
export interface QuoteRecord {
  /** `${articleId}~${index}` */
  readonly id: string;
  readonly articleId: string;
  /** The words inside the quote marks, exactly as in the article. */
  readonly text: string;
  /** Offsets of `text` (inside the marks). */
  readonly start: number;
  readonly end: number;
  /** The sentence (or sentences) holding the quote. */
  readonly sentence: Span;
  /** Speaker's name as written in the article, or null when the article does not attribute it. */
  readonly speaker: string | null;
  /** Role or title given with the speaker ("White House Spokesperson"), or null. */
  readonly role: string | null;
}

/** One quote in an answer: verbatim text of the cited article at `[start, end)`. */
export interface AnswerQuote {
  readonly text: string;
  readonly speaker: string | null;
  readonly role: string | null;
  readonly article: ArticleRef;
  readonly start: number;
  readonly end: number;
  /** True when the text is a direct quotation of the speaker; false when it is the article's own sentence. */
  readonly direct: boolean;
}

/** The answer to a question: a lead line plus 1–3 verified quotes, or a refusal. */
export interface Answer {
  readonly refused: boolean;
  readonly lead: string;
  readonly quotes: readonly AnswerQuote[];
  /** Why the answer was refused, for logs and eval; never shown as a stack trace. */
  readonly reason?: RefusalReason;
}

export type RefusalReason = "empty" | "too-long" | "no-evidence" | "weak-evidence" | "no-articles";

/** Inclusive date range filter on article dates (`YYYY-MM-DD`). */
export interface DateRange {
  readonly from?: string;
  readonly to?: string;
}

/** What the corpus holds, for `/sources`. */
export interface CorpusSummary {
  readonly articles: number;
  readonly passages: number;
  readonly quotes: number;
  readonly firstDate: string | null;
  readonly lastDate: string | null;
  /** Outlets with article counts, most articles first. */
  readonly outlets: readonly { readonly name: string; readonly articles: number }[];
}

/** A speaker known to the quote index, for `/quotes` and autocomplete. */
export interface SpeakerSummary {
  readonly name: string;
  readonly role: string | null;
  readonly quotes: number;
}

export function toArticleRef(article: Article): ArticleRef {
  return {
    id: article.id,
    title: article.title,
    date: article.date,
    source: article.source,
    url: article.url,
  };
}
