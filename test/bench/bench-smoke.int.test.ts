// Smoke run of `npm run bench`: 1k passages, a few questions, a few bot messages, real workers and real indexes.
// Checks the report is complete and its values are sane; never checks how fast anything was.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBench } from "../../bench/bench.js";
import { type BenchReport, benchReportSchema, formatTable, type Latency } from "../../bench/report.js";

const QUESTIONS = 6;
const BOT_MESSAGES = 8;

function expectOrdered(l: Latency, count: number): void {
  expect(l.count).toBe(count);
  expect(l.p50Ms).toBeGreaterThanOrEqual(0);
  expect(l.p50Ms).toBeLessThanOrEqual(l.p95Ms);
  expect(l.p95Ms).toBeLessThanOrEqual(l.p99Ms);
  expect(l.p99Ms).toBeLessThanOrEqual(l.maxMs);
}

describe("npm run bench (smoke)", () => {
  let workDir: string;
  let report: BenchReport;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), "bench-smoke-"));
    report = await runBench({
      sizes: [1_000],
      questions: QUESTIONS,
      botMessages: BOT_MESSAGES,
      botRoundTrips: 2,
      smoke: true,
      workDir,
    });
  }, 300_000);

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("writes a report with every field, as the schema reads it back", () => {
    expect(benchReportSchema.safeParse(JSON.parse(JSON.stringify(report))).success).toBe(true);
    expect(report.smoke).toBe(true);
    expect(report.machine.nproc).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.sizes).toHaveLength(1);
  });

  it("ingests a corpus of about 1k real passages and serves it from the saved index", () => {
    const size = report.sizes[0]!;
    expect(size.targetPassages).toBe(1_000);
    expect(size.generatedArticles).toBe(0);
    expect(size.ingest.passages).toBeGreaterThanOrEqual(1_000);
    expect(size.ingest.passages).toBeLessThan(1_100);
    expect(size.ingest.articles).toBe(size.realArticles);
    expect(size.ingest.passagesPerSec).toBeGreaterThan(0);
    expect(size.ingest.indexBytes).toBeGreaterThan(0);
    expect(size.serve.reusedIndex).toBe(true);
  });

  it("asks every question once after a timed warm-up pass, answered or refused, and times each floor", () => {
    const serve = report.sizes[0]!.serve;
    expect(serve.answered + serve.refused).toBe(QUESTIONS);
    expectOrdered(serve.ask, QUESTIONS);
    expectOrdered(serve.askFirstPass, QUESTIONS);
    expectOrdered(serve.retrieve, QUESTIONS);
    expectOrdered(serve.floor.rawHnsw, QUESTIONS);
    expectOrdered(serve.floor.exact, QUESTIONS);
    expect(serve.floor.bm25.count).toBeLessThanOrEqual(QUESTIONS);
    expect(serve.recallAt10).toBeGreaterThanOrEqual(0);
    expect(serve.recallAt10).toBeLessThanOrEqual(1);
    expect(serve.askP95ToRawHnswP95).toBeCloseTo(serve.ask.p95Ms / serve.floor.rawHnsw.p95Ms, 0);
  });

  it("answers every bot message exactly once, with and without the product's throttling", () => {
    expect(report.bot.map((b) => b.throttled)).toEqual([false, true]);
    for (const bot of report.bot) {
      expect(bot.messages).toBe(BOT_MESSAGES);
      expect(bot.answered).toBe(BOT_MESSAGES);
      expect(bot.lost).toBe(0);
      expect(bot.duplicated).toBe(0);
      expectOrdered(bot.perMessage, BOT_MESSAGES - 1);
      expectOrdered(bot.roundTrip, 2);
    }
  });

  it("prints a table with one column per size and the bot path", () => {
    const table = formatTable(report);
    expect(table).toContain("| passages | ");
    expect(table).toContain("ask p50 / p95 / p99");
    expect(table).toContain("throttling off");
  });
});
