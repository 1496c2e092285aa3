/**
 * A read-only view of the indexed corpus, for features built over it (daily briefings, benchmarks).
 * The service swaps the whole snapshot on refresh, so a reader never sees half an update.
 */
import type { Embedder } from "../core/ports.js";
import type { Article, Passage, QuoteRecord } from "../core/types.js";

export interface CorpusSnapshot {
  readonly articles: ReadonlyMap<string, Article>;
  /** All passages, in article order. */
  readonly passages: readonly Passage[];
  /** Quote records, in article order. */
  readonly quotes: readonly QuoteRecord[];
  readonly embedder: Embedder;
  /** The stored embedding of a passage (unit length), or undefined if the passage is unknown. */
  passageVector(passageId: string): readonly number[] | undefined;
}
