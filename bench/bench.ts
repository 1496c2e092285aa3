/**
 * Runs the whole benchmark: builds the corpora, then for each size an `ingest` and a `serve` worker process (fresh
 * processes, so timings and peak RSS are per phase), then the Telegram bot path; returns the report. `bench/run.ts`
 * is the command line; the smoke test calls `runBench` with a tiny size.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildBenchCorpus, readRealArticles, toJsonLines } from "./corpus-gen.js";
import {
  type BenchReport,
  benchReportSchema,
  botSchema,
  ingestSchema,
  type SizeResult,
  serveSchema,
} from "./report.js";
import type { WorkerArgs } from "./worker.js";

const run = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const benchDefaults = {
  sizes: [1_000, 10_000, 100_000],
  questions: 500,
  botMessages: 500,
  botRoundTrips: 50,
  realFile: path.resolve(repoRoot, "../shared/data/wikinews/articles.jsonl"),
  questionsFile: path.resolve(repoRoot, "../shared/data/wikinews/questions-dev.jsonl"),
  workDir: path.join(repoRoot, ".data", "bench"),
  cacheDir: path.join(repoRoot, ".data", "test-cache"),
} as const;

export interface BenchOptions {
  readonly sizes?: readonly number[];
  /** Asks per size (the question list is cycled). */
  readonly questions?: number;
  /** Messages in the bot-path burst; 0 skips the bot path. */
  readonly botMessages?: number;
  readonly botRoundTrips?: number;
  /** Which size's index the bot path answers from; default 10k when measured, else the first size. */
  readonly botSize?: number;
  readonly smoke?: boolean;
  readonly workDir?: string;
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
}

async function readQuestions(file: string): Promise<string[]> {
  const lines = (await readFile(file, "utf8")).split("\n").filter((l) => l.trim() !== "");
  return lines.map((l) => (JSON.parse(l) as { question: string }).question);
}

async function worker(phase: "ingest" | "serve" | "bot", args: WorkerArgs, dir: string): Promise<unknown> {
  const argsFile = path.join(dir, `${phase}.args.json`);
  const outFile = path.join(dir, `${phase}.out.json`);
  await writeFile(argsFile, JSON.stringify(args));
  await rm(outFile, { force: true });
  await run(
    process.execPath,
    ["--import", "tsx", path.join(repoRoot, "bench", "worker.ts"), phase, argsFile, outFile],
    { cwd: repoRoot, maxBuffer: 64 << 20 },
  );
  return JSON.parse(await readFile(outFile, "utf8"));
}

function machine(): BenchReport["machine"] {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    node: process.version,
    totalMemMb: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const log = options.log ?? (() => {});
  const sizes = options.sizes ?? benchDefaults.sizes;
  const asks = options.questions ?? benchDefaults.questions;
  const workDir = options.workDir ?? benchDefaults.workDir;
  const cacheDir = options.cacheDir ?? benchDefaults.cacheDir;
  const startedAt = new Date().toISOString();
  const questions = await readQuestions(benchDefaults.questionsFile);
  const real = await readRealArticles(benchDefaults.realFile);

  const results: SizeResult[] = [];
  const dirs = new Map<number, { dir: string; corpusFile: string }>();
  for (const size of sizes) {
    const dir = path.join(workDir, `${size}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const corpus = buildBenchCorpus(real, size);
    const corpusFile = path.join(dir, "corpus.jsonl");
    await writeFile(corpusFile, toJsonLines(corpus.articles));
    dirs.set(size, { dir, corpusFile });
    const args: WorkerArgs = {
      corpusFile,
      indexDir: path.join(dir, "index"),
      cacheDir,
      dataDir: dir,
      questions,
      asks,
    };
    log(
      `${size}: ${corpus.passages} passages (${corpus.realArticles} real + ${corpus.generatedArticles} generated articles); ingesting`,
    );
    const ingest = ingestSchema.parse(await worker("ingest", args, dir));
    log(`${size}: ingest ${ingest.passagesPerSec} passages/s; serving ${asks} questions`);
    const serve = serveSchema.parse(await worker("serve", args, dir));
    log(
      `${size}: ask p50 ${serve.ask.p50Ms} ms, p95 ${serve.ask.p95Ms} ms; cold start ${serve.coldStartMs} ms`,
    );
    results.push({
      targetPassages: size,
      realArticles: corpus.realArticles,
      generatedArticles: corpus.generatedArticles,
      ingest,
      serve,
    });
  }

  const bot: BenchReport["bot"] = [];
  const botMessages = options.botMessages ?? benchDefaults.botMessages;
  if (botMessages > 0) {
    const botSize = options.botSize ?? (sizes.includes(10_000) ? 10_000 : sizes[0]!);
    const where = dirs.get(botSize);
    if (!where) throw new Error(`--bot-size ${botSize} is not one of the measured sizes`);
    for (const throttled of [false, true]) {
      log(`bot path over ${botSize}: ${botMessages} messages, throttling ${throttled ? "on" : "off"}`);
      const result = await worker(
        "bot",
        {
          corpusFile: where.corpusFile,
          indexDir: path.join(where.dir, "index"),
          cacheDir,
          dataDir: where.dir,
          questions,
          botMessages,
          botRoundTrips: options.botRoundTrips ?? benchDefaults.botRoundTrips,
          throttled,
        },
        where.dir,
      );
      bot.push(botSchema.parse(result));
    }
  }

  return benchReportSchema.parse({
    version: 1,
    startedAt,
    smoke: options.smoke ?? false,
    machine: machine(),
    questions: {
      file: path.relative(repoRoot, benchDefaults.questionsFile),
      distinct: questions.length,
      asked: asks,
    },
    corpus: {
      realFile: path.relative(repoRoot, benchDefaults.realFile),
      generator:
        "bench/corpus-gen.ts: real articles first, then an order-2 word Markov chain over their sentences",
    },
    sizes: results,
    bot,
  });
}
