/**
 * One benchmark phase in a fresh process, so its timings and peak RSS are its own: `ingest` builds and saves the
 * index for a corpus file, `serve` cold-starts over that index and measures asks against the raw index floors, `bot`
 * drives the Telegram adapter through the loopback fake. Usage: `tsx bench/worker.ts <phase> <json-args> <out-file>`.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseConfig } from "../src/config/config.js";
import { chunkArticle } from "../src/core/chunk.js";
import { analyzeQuestion } from "../src/core/question.js";
import { extractQuotes } from "../src/core/quotes.js";
import { createBm25Index, loadBm25Index } from "../src/infra/bm25-index.js";
import { readCorpus } from "../src/infra/corpus-reader.js";
import { createGloveEmbedder, type GloveEmbedder } from "../src/infra/glove-embedder.js";
import { createHnswIndex, hnswDefaults } from "../src/infra/hnsw-index.js";
import { openSnapshot } from "../src/infra/snapshot-store.js";
import { openNewsService, type RunningNewsService } from "../src/service/open-news-service.js";
import { runBotPath } from "./bot-path.js";
import { latency, round } from "./report.js";

export interface WorkerArgs {
  readonly corpusFile: string;
  readonly indexDir: string;
  readonly cacheDir: string;
  readonly dataDir: string;
  readonly questions?: readonly string[];
  readonly asks?: number;
  readonly botMessages?: number;
  readonly botRoundTrips?: number;
  readonly throttled?: boolean;
}

/** The same k the product asks the vector index for (`rankingWeights.candidatesDense`), and for recall, 10. */
const FLOOR_K = 40;
const RECALL_K = 10;
const BM25_K = 80;
const WARMUP = 10;

const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024, 1);

/** The product's service over the worker's corpus file and index, extractive answers only. */
function openService(args: WorkerArgs, embedder: GloveEmbedder): Promise<RunningNewsService> {
  return openNewsService({
    config: parseConfig({
      DATA_DIR: args.dataDir,
      EMBEDDINGS_CACHE_DIR: args.cacheDir,
      CORPUS_DIR: args.corpusFile,
      LOG_LEVEL: "error",
    }),
    corpusPaths: [args.corpusFile],
    indexDir: args.indexDir,
    embedder,
    answerModel: null,
  });
}

async function loadEmbedder(args: WorkerArgs): Promise<{ embedder: GloveEmbedder; ms: number }> {
  const t = performance.now();
  const embedder = await createGloveEmbedder({ cacheDir: args.cacheDir });
  return { embedder, ms: performance.now() - t };
}

async function dirBytes(dir: string): Promise<number> {
  const snapshot = await openSnapshot(dir);
  return snapshot ? snapshot.manifest.files.reduce((s, f) => s + f.bytes, 0) : 0;
}

async function ingest(args: WorkerArgs) {
  const { embedder, ms: embedderLoadMs } = await loadEmbedder(args);
  const t0 = performance.now();
  const service = await openService(args, embedder);
  const totalMs = performance.now() - t0;
  const peak = peakRssMb();
  const summary = service.lastIngest;
  await service.close();

  // The same steps one by one, after the peak RSS above was taken.
  let t = performance.now();
  const { articles } = await readCorpus([args.corpusFile]);
  const readMs = performance.now() - t;
  t = performance.now();
  const chunks = articles.map((a) => chunkArticle(a));
  const chunkMs = performance.now() - t;
  t = performance.now();
  for (const a of articles) extractQuotes(a);
  const quotesMs = performance.now() - t;
  const texts = articles.flatMap((a, i) => chunks[i]!.map((p) => `${a.title}. ${p.text}`));
  t = performance.now();
  const vectors: number[][] = [];
  for (let i = 0; i < texts.length; i += 256)
    vectors.push(...(await embedder.embedDocuments(texts.slice(i, i + 256))));
  const embedMs = performance.now() - t;
  t = performance.now();
  const hnsw = await createHnswIndex({ dimensions: embedder.dimensions, capacity: vectors.length });
  vectors.forEach((v, label) => {
    hnsw.add(label, v);
  });
  const hnswBuildMs = performance.now() - t;
  t = performance.now();
  const bm25 = createBm25Index();
  articles.forEach((a, i) => {
    for (const p of chunks[i]!) bm25.add({ id: p.id, title: a.title, text: p.text });
  });
  const bm25BuildMs = performance.now() - t;

  return {
    articles: summary.articles,
    passages: summary.passages,
    quotes: summary.quotes,
    embedderLoadMs: round(embedderLoadMs),
    totalMs: round(totalMs),
    passagesPerSec: round(summary.passages / (totalMs / 1000), 1),
    parts: {
      readMs: round(readMs),
      chunkMs: round(chunkMs),
      quotesMs: round(quotesMs),
      embedMs: round(embedMs),
      hnswBuildMs: round(hnswBuildMs),
      bm25BuildMs: round(bm25BuildMs),
    },
    indexBuildMs: round(hnswBuildMs + bm25BuildMs),
    indexBytes: await dirBytes(args.indexDir),
    peakRssMb: peak,
  };
}

async function timeEach<T>(items: readonly T[], run: (item: T) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (const item of items) {
    const t = performance.now();
    await run(item);
    out.push(performance.now() - t);
  }
  return out;
}

async function serve(args: WorkerArgs) {
  const questions = args.questions ?? [];
  const asks = args.asks ?? questions.length;
  const list = Array.from({ length: asks }, (_, i) => questions[i % questions.length]!);

  const t0 = performance.now();
  const { embedder, ms: embedderLoadMs } = await loadEmbedder(args);
  const service = await openService(args, embedder);
  const coldStartMs = performance.now() - t0;
  const rssReadyMb = mb(process.memoryUsage().rss);
  const t = performance.now();
  await service.ask(list[0]!);
  const firstAskMs = performance.now() - t;

  // Warm-up: every distinct question once (JIT, per-process caches such as word-vector rows), timed on its own.
  const firstPassTimes = await timeEach([...new Set(list)], (q) => service.ask(q));
  let answered = 0;
  let refused = 0;
  const askTimes = await timeEach(list, async (q) => {
    const answer = await service.ask(q);
    if (answer.refused) refused++;
    else answered++;
  });
  const retrieveTimes = await timeEach(list, (q) => service.search(q, { limit: 12 }));
  const peakServing = peakRssMb();

  // Floors over the very files the service loaded: the HNSW graph as saved, its vectors, the BM25 index.
  const snapshot = await openSnapshot(args.indexDir);
  if (!snapshot) throw new Error(`no index snapshot in ${args.indexDir}`);
  const hnswlib = ((await import("hnswlib-node")) as unknown as { default: typeof import("hnswlib-node") })
    .default;
  const raw = new hnswlib.HierarchicalNSW("cosine", embedder.dimensions);
  await raw.readIndex(path.join(snapshot.dir, "hnsw.bin"));
  raw.setEf(hnswDefaults.efSearch);
  const labels = raw.getIdsList();
  const dims = embedder.dimensions;
  const matrix = new Float32Array(labels.length * dims);
  labels.forEach((label, i) => {
    matrix.set(raw.getPoint(label), i * dims);
  });
  const queryVectors = [...new Set(list)].map((q) => embedder.embed(q)).filter((v) => v.some((x) => x !== 0));
  const queries = Array.from({ length: asks }, (_, i) => queryVectors[i % queryVectors.length]!);
  const f32Queries = queries.map((q) => Float32Array.from(q));

  const exactTopK = (q: Float32Array, k: number): number[] => {
    const topS = new Float32Array(k).fill(-Infinity);
    const topL = new Int32Array(k).fill(-1);
    for (let i = 0, o = 0; i < labels.length; i++, o += dims) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += q[d]! * matrix[o + d]!;
      if (s <= topS[k - 1]!) continue;
      let j = k - 1;
      while (j > 0 && topS[j - 1]! < s) {
        topS[j] = topS[j - 1]!;
        topL[j] = topL[j - 1]!;
        j--;
      }
      topS[j] = s;
      topL[j] = i;
    }
    return Array.from(topL, (i) => labels[i]!);
  };

  for (const q of queries.slice(0, WARMUP)) raw.searchKnn(q, FLOOR_K);
  const rawTimes = await timeEach(queries, (q) => raw.searchKnn(q, FLOOR_K));
  const exactTimes = await timeEach(f32Queries, (q) => exactTopK(q, FLOOR_K));
  const bm25 = await loadBm25Index(path.join(snapshot.dir, "bm25.bin"));
  const bm25Queries = list.map((q) => analyzeQuestion(q).terms.join(" ")).filter((q) => q !== "");
  for (const q of bm25Queries.slice(0, WARMUP)) bm25.search(q, BM25_K);
  const bm25Times = await timeEach(bm25Queries, (q) => bm25.search(q, BM25_K));

  let recall = 0;
  for (const q of queryVectors) {
    const ann = new Set(raw.searchKnn(q, RECALL_K).neighbors);
    const exact = exactTopK(Float32Array.from(q), RECALL_K);
    recall += exact.filter((l) => ann.has(l)).length / RECALL_K;
  }
  const ask = latency(askTimes);
  const rawHnsw = latency(rawTimes);
  await service.close();
  return {
    coldStartMs: round(coldStartMs),
    embedderLoadMs: round(embedderLoadMs),
    reusedIndex: service.lastIngest.reused,
    firstAskMs: round(firstAskMs),
    rssReadyMb,
    ask,
    answered,
    refused,
    askFirstPass: latency(firstPassTimes),
    retrieve: latency(retrieveTimes),
    floor: {
      ef: hnswDefaults.efSearch,
      k: FLOOR_K,
      rawHnsw,
      exact: latency(exactTimes),
      bm25: latency(bm25Times),
    },
    askP95ToRawHnswP95: round(ask.p95Ms / Math.max(rawHnsw.p95Ms, 1e-3), 2),
    recallAt10: round(recall / Math.max(1, queryVectors.length), 4),
    peakRssMb: peakServing,
  };
}

async function bot(args: WorkerArgs) {
  const { embedder } = await loadEmbedder(args);
  const service = await openService(args, embedder);
  try {
    return await runBotPath(service, {
      questions: args.questions ?? [],
      messages: args.botMessages ?? 500,
      roundTrips: args.botRoundTrips ?? 50,
      throttled: args.throttled ?? false,
    });
  } finally {
    await service.close();
  }
}

const phases = { ingest, serve, bot } as const;

async function main(): Promise<void> {
  const [phase, json, out] = process.argv.slice(2);
  if (!phase || !(phase in phases) || !json || !out) {
    throw new Error("usage: tsx bench/worker.ts <ingest|serve|bot> <json-args> <out-file>");
  }
  const args = JSON.parse(await readFile(json, "utf8")) as WorkerArgs;
  await stat(args.corpusFile);
  const result = await phases[phase as keyof typeof phases](args);
  await writeFile(out, JSON.stringify(result));
}

await main();
