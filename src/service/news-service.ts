/**
 * The one entry point every adapter calls: platform event in, one call here, platform reply out.
 * Implemented by `createNewsService` (src/service/create-news-service.ts); adapters depend only on this interface.
 */
import type { Briefing } from "../core/briefing.js";
import type { Answer, AnswerQuote, CorpusSummary, DateRange, SpeakerSummary } from "../core/types.js";
import type { BriefOptions, StoryDetails, StoryDetailsOptions } from "./briefing-service.js";

export type RetrieverName = "bm25" | "dense" | "hybrid" | "default";

export interface AskOptions {
  readonly dateRange?: DateRange;
  /** Which retrieval path to use; `default` is the product's full path. */
  readonly retriever?: RetrieverName;
  readonly signal?: AbortSignal;
}

export interface SpeakerQuotes {
  /** The speaker the query matched, as named in the articles, or null when nobody matched. */
  readonly speaker: string | null;
  readonly role: string | null;
  /** Verified quotes, newest article first. */
  readonly quotes: readonly AnswerQuote[];
}

export interface NewsService {
  ask(question: string, options?: AskOptions): Promise<Answer>;
  /** Quotes of the speaker best matching `query` (a name or a role), newest first. */
  quotes(query: string, options?: { readonly limit?: number }): Promise<SpeakerQuotes>;
  /** Speakers whose name or role contains `prefix` (case-insensitive), for autocomplete. */
  speakers(prefix: string, limit?: number): Promise<SpeakerSummary[]>;
  sources(): Promise<CorpusSummary>;
  /** A few example questions drawn from the corpus, for /start and /help. */
  examples(count?: number): Promise<string[]>;
  /**
   * The daily briefing of a day phrase (`today`, `yesterday`, `2019-10-10`, `last friday`) in a time zone.
   * Optional only so that narrow test fakes stay valid; `openNewsService` implements it (src/service/briefing-service.ts).
   */
  brief?(day?: string, options?: BriefOptions): Promise<Briefing>;
  /** More verified quotes of story `n` of a briefing, for `/ask <n>`. Implemented with `brief`. */
  storyDetails?(n: number, options?: StoryDetailsOptions): Promise<StoryDetails>;
}
