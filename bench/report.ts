/**
 * The benchmark report: one zod schema shared by the workers (which fill it), the runner (which prints and saves
 * it) and the smoke test (which parses a fresh one), plus latency statistics and the printed table.
 */
import { z } from "zod";

/** Targets from issue 7; the table marks each measured value against its target. */
export const benchTargets = {
  askP50Ms: 5,
  askP95Ms: 15,
  askToRawHnswP95: 3,
  ingestPassagesPerSec: 2000,
  coldStartMs: 1000,
  rssMb: 400,
  recallAt10: 0.98,
  /** Size (passages) the latency, cold start and RSS targets apply to. */
  atPassages: 100_000,
} as const satisfies Record<string, number>;

export const latencySchema = z.object({
  count: z.number().int().nonnegative(),
  meanMs: z.number().nonnegative(),
  p50Ms: z.number().nonnegative(),
  p95Ms: z.number().nonnegative(),
  p99Ms: z.number().nonnegative(),
  maxMs: z.number().nonnegative(),
});
export type Latency = z.infer<typeof latencySchema>;

export const ingestSchema = z.object({
  articles: z.number().int().positive(),
  passages: z.number().int().positive(),
  quotes: z.number().int().nonnegative(),
  /** GloVe cache load, before ingest (not counted in it). */
  embedderLoadMs: z.number().nonnegative(),
  /** openNewsService on an empty index dir: read, chunk, quotes, embed, HNSW + BM25, snapshot save. */
  totalMs: z.number().positive(),
  passagesPerSec: z.number().positive(),
  /** The same steps timed one by one over the same articles. */
  parts: z.object({
    readMs: z.number().nonnegative(),
    chunkMs: z.number().nonnegative(),
    quotesMs: z.number().nonnegative(),
    embedMs: z.number().nonnegative(),
    hnswBuildMs: z.number().nonnegative(),
    bm25BuildMs: z.number().nonnegative(),
  }),
  /** HNSW + BM25 construction alone, from ready vectors and passages. */
  indexBuildMs: z.number().nonnegative(),
  indexBytes: z.number().int().positive(),
  peakRssMb: z.number().positive(),
});

export const serveSchema = z.object({
  /** Embedder load + openNewsService over the persisted index (reused, nothing re-embedded). */
  coldStartMs: z.number().positive(),
  embedderLoadMs: z.number().nonnegative(),
  reusedIndex: z.boolean(),
  firstAskMs: z.number().nonnegative(),
  rssReadyMb: z.number().positive(),
  /** The asks after one warm-up pass over the distinct questions. */
  ask: latencySchema,
  /** That warm-up pass: every distinct question once, right after the start (JIT and caches cold). */
  askFirstPass: latencySchema,
  answered: z.number().int().nonnegative(),
  refused: z.number().int().nonnegative(),
  /** `search` alone (analyse + embed + retrieve, default mode, limit 12): the share of `ask` spent ranking. */
  retrieve: latencySchema,
  floor: z.object({
    ef: z.number().int().positive(),
    k: z.number().int().positive(),
    rawHnsw: latencySchema,
    exact: latencySchema,
    bm25: latencySchema,
  }),
  askP95ToRawHnswP95: z.number().nonnegative(),
  recallAt10: z.number().min(0).max(1),
  /** Peak RSS of the serving process over start, asks and floors. */
  peakRssMb: z.number().positive(),
});

export const sizeResultSchema = z.object({
  targetPassages: z.number().int().positive(),
  realArticles: z.number().int().nonnegative(),
  generatedArticles: z.number().int().nonnegative(),
  ingest: ingestSchema,
  serve: serveSchema,
});
export type SizeResult = z.infer<typeof sizeResultSchema>;

export const botSchema = z.object({
  passages: z.number().int().positive(),
  throttled: z.boolean(),
  messages: z.number().int().positive(),
  chats: z.number().int().positive(),
  answered: z.number().int().nonnegative(),
  lost: z.number().int().nonnegative(),
  duplicated: z.number().int().nonnegative(),
  /** All messages queued at once; from the first push to the last reply. */
  totalMs: z.number().positive(),
  messagesPerSec: z.number().positive(),
  /** Time between consecutive replies in the burst: the bot's per-message cost (it handles updates in order). */
  perMessage: latencySchema,
  /** One question at a time, push to reply, through long polling. */
  roundTrip: latencySchema,
});
export type BotResult = z.infer<typeof botSchema>;

export const benchReportSchema = z.object({
  version: z.literal(1),
  startedAt: z.string(),
  smoke: z.boolean(),
  machine: z.object({
    nproc: z.number().int().positive(),
    cpu: z.string(),
    node: z.string(),
    totalMemMb: z.number().positive(),
    platform: z.string(),
  }),
  questions: z.object({ file: z.string(), distinct: z.number().int().positive(), asked: z.number().int() }),
  corpus: z.object({ realFile: z.string(), generator: z.string() }),
  sizes: z.array(sizeResultSchema).min(1),
  bot: z.array(botSchema),
});
export type BenchReport = z.infer<typeof benchReportSchema>;

/** Nearest-rank percentiles of a list of durations. */
export function latency(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  const mean = sorted.length ? sorted.reduce((s, x) => s + x, 0) / sorted.length : 0;
  return {
    count: sorted.length,
    meanMs: round(mean),
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
  };
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const mark = (ok: boolean) => (ok ? "" : " ✗");

/** The Markdown table printed at the end of a run and pasted into the README (section "Benchmarks"). */
export function formatTable(report: BenchReport): string {
  const t = benchTargets;
  const rows: [string, ...string[]][] = [
    ["passages", ...report.sizes.map((s) => String(s.ingest.passages))],
    ["articles (real + generated)", ...report.sizes.map((s) => `${s.realArticles} + ${s.generatedArticles}`)],
    [
      `ingest, passages/s (≥ ${t.ingestPassagesPerSec})`,
      ...report.sizes.map(
        (s) =>
          `${Math.round(s.ingest.passagesPerSec)}${mark(s.ingest.passagesPerSec >= t.ingestPassagesPerSec)}`,
      ),
    ],
    ["ingest total, s", ...report.sizes.map((s) => (s.ingest.totalMs / 1000).toFixed(2))],
    [
      "  read / chunk / quotes, ms",
      ...report.sizes.map(
        (s) =>
          `${ms(s.ingest.parts.readMs)} / ${ms(s.ingest.parts.chunkMs)} / ${ms(s.ingest.parts.quotesMs)}`,
      ),
    ],
    ["  embed, ms", ...report.sizes.map((s) => ms(s.ingest.parts.embedMs))],
    [
      "  index build alone (HNSW / BM25), ms",
      ...report.sizes.map((s) => `${ms(s.ingest.parts.hnswBuildMs)} / ${ms(s.ingest.parts.bm25BuildMs)}`),
    ],
    ["index on disk, MB", ...report.sizes.map((s) => (s.ingest.indexBytes / 2 ** 20).toFixed(1))],
    ["ingest peak RSS, MB", ...report.sizes.map((s) => String(Math.round(s.ingest.peakRssMb)))],
    [
      `cold start, ms (≤ ${t.coldStartMs} at 100k)`,
      ...report.sizes.map(
        (s) =>
          `${ms(s.serve.coldStartMs)}${mark(s.ingest.passages < t.atPassages * 0.9 || s.serve.coldStartMs <= t.coldStartMs)}`,
      ),
    ],
    ["  of which GloVe load, ms", ...report.sizes.map((s) => ms(s.serve.embedderLoadMs))],
    ["RSS when ready, MB", ...report.sizes.map((s) => String(Math.round(s.serve.rssReadyMb)))],
    [
      `serving peak RSS, MB (≤ ${t.rssMb} at 100k)`,
      ...report.sizes.map(
        (s) =>
          `${Math.round(s.serve.peakRssMb)}${mark(s.ingest.passages < t.atPassages * 0.9 || s.serve.peakRssMb <= t.rssMb)}`,
      ),
    ],
    [
      `ask p50 / p95 / p99, ms (≤ ${t.askP50Ms} / ≤ ${t.askP95Ms} at 100k)`,
      ...report.sizes.map((s) => {
        const ok =
          s.ingest.passages < t.atPassages * 0.9 ||
          (s.serve.ask.p50Ms <= t.askP50Ms && s.serve.ask.p95Ms <= t.askP95Ms);
        return `${ms2(s.serve.ask.p50Ms)} / ${ms2(s.serve.ask.p95Ms)} / ${ms2(s.serve.ask.p99Ms)}${mark(ok)}`;
      }),
    ],
    [
      "  first pass (each question once, cold) p50 / p95, ms",
      ...report.sizes.map((s) => `${ms2(s.serve.askFirstPass.p50Ms)} / ${ms2(s.serve.askFirstPass.p95Ms)}`),
    ],
    [
      "  retrieve only p50 / p95, ms",
      ...report.sizes.map((s) => `${ms2(s.serve.retrieve.p50Ms)} / ${ms2(s.serve.retrieve.p95Ms)}`),
    ],
    ["answered / refused", ...report.sizes.map((s) => `${s.serve.answered} / ${s.serve.refused}`)],
    [
      `floor: raw hnswlib searchKnn p50 / p95, ms`,
      ...report.sizes.map((s) => `${ms3(s.serve.floor.rawHnsw.p50Ms)} / ${ms3(s.serve.floor.rawHnsw.p95Ms)}`),
    ],
    [
      "floor: exact Float32Array top-k p50 / p95, ms",
      ...report.sizes.map((s) => `${ms3(s.serve.floor.exact.p50Ms)} / ${ms3(s.serve.floor.exact.p95Ms)}`),
    ],
    [
      "floor: BM25 only p50 / p95, ms",
      ...report.sizes.map((s) => `${ms3(s.serve.floor.bm25.p50Ms)} / ${ms3(s.serve.floor.bm25.p95Ms)}`),
    ],
    [
      `ask p95 / raw hnsw p95 (≤ ${t.askToRawHnswP95})`,
      ...report.sizes.map(
        (s) =>
          `${s.serve.askP95ToRawHnswP95.toFixed(1)}${mark(s.serve.askP95ToRawHnswP95 <= t.askToRawHnswP95)}`,
      ),
    ],
    [
      `ANN recall@10 at ef ${report.sizes[0]?.serve.floor.ef ?? "?"} (≥ ${t.recallAt10})`,
      ...report.sizes.map(
        (s) => `${s.serve.recallAt10.toFixed(4)}${mark(s.serve.recallAt10 >= t.recallAt10)}`,
      ),
    ],
  ];
  const header = ["", ...report.sizes.map((s) => `${Math.round(s.targetPassages / 1000)}k`)];
  const lines = [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
  if (report.bot.length > 0) {
    lines.push(
      "",
      "| bot path (Telegram fake, getUpdates) | passages | messages | answered | lost | dup | msg/s | per message p50 / p95, ms | round trip p50 / p95, ms |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...report.bot.map(
        (b) =>
          `| ${b.throttled ? "product throttling (30 msg/s)" : "throttling off"} | ${b.passages} | ${b.messages} | ${b.answered} | ${b.lost} | ${b.duplicated} | ${b.messagesPerSec.toFixed(1)} | ${ms2(b.perMessage.p50Ms)} / ${ms2(b.perMessage.p95Ms)} | ${ms2(b.roundTrip.p50Ms)} / ${ms2(b.roundTrip.p95Ms)} |`,
      ),
    );
  }
  return lines.join("\n");
}

const ms = (x: number) => String(Math.round(x));
const ms2 = (x: number) => x.toFixed(2);
const ms3 = (x: number) => x.toFixed(3);
