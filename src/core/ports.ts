/**
 * Ports: the small interfaces the core needs from the outside world.
 * Infrastructure (hnswlib-node, OpenAI-compatible HTTP, SQLite) implements them; the core never imports it.
 */

/** Turns text into fixed-length vectors. `id` names the model so an index can refuse a mismatch. */
export interface Embedder {
  /** Stable identifier of the model and its settings, e.g. "glove-6b-100d-sif@1" or "openai:text-embedding-3-small". */
  readonly id: string;
  readonly dimensions: number;
  embedDocuments(texts: readonly string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}

export interface VectorHit {
  readonly label: number;
  /** Cosine similarity in [-1, 1]. */
  readonly score: number;
}

/** Approximate nearest-neighbour index over labelled vectors, cosine similarity. */
export interface VectorIndex {
  readonly dimensions: number;
  readonly size: number;
  add(label: number, vector: readonly number[]): void;
  remove(label: number): void;
  has(label: number): boolean;
  search(vector: readonly number[], k: number, filter?: (label: number) => boolean): VectorHit[];
  /** Writes the index to `path` (the caller handles atomic renames). */
  save(path: string): Promise<void>;
}

/** Source of "now", so briefings and schedules are testable with a fixed clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Minimal logger port; adapters and the CLI pass their own. */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** A passage given to an answer model, with the id it must cite. */
export interface EvidencePassage {
  readonly id: string;
  readonly articleId: string;
  readonly title: string;
  readonly date: string | null;
  readonly source: string | null;
  readonly text: string;
  /** Offset of `text` in its article. */
  readonly start: number;
}

/** What a model proposes; nothing of it is shown until grounded and verified against the passages. */
export interface ModelDraft {
  readonly answer: string;
  readonly claims: readonly { readonly text: string; readonly passageIds: readonly string[] }[];
  readonly quotes: readonly { readonly passageId: string; readonly text: string }[];
}

/** Words an answer (or a briefing lead) from evidence; implemented over an OpenAI-compatible chat model. */
export interface AnswerModel {
  readonly id: string;
  draft(input: {
    readonly question: string;
    readonly passages: readonly EvidencePassage[];
    readonly signal: AbortSignal;
  }): Promise<ModelDraft>;
}

export interface LexicalHit {
  readonly id: string;
  readonly score: number;
}

/** A full-text (BM25) index over passages; implemented over flat typed-array postings (`src/infra/bm25-index.ts`). */
export interface LexicalIndex {
  readonly size: number;
  add(doc: { readonly id: string; readonly title: string; readonly text: string }): void;
  remove(id: string): void;
  has(id: string): boolean;
  /** How many indexed passages hold `term` (a stemmed content term, as the index tokenises it) in their text. */
  documentFrequency(term: string): number;
  /** Passages by BM25 over the query's terms, best first. */
  search(query: string, k: number, filter?: (id: string) => boolean): LexicalHit[];
  /** Writes the index to `path` (the caller handles atomic renames). */
  save(path: string): Promise<void>;
}

/** Word-level vectors (unit length) for soft term matching when reranking; the GloVe embedder provides them. */
export interface WordVectors {
  wordVector(word: string): Float32Array | undefined;
}
