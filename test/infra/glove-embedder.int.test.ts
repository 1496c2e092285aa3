// The offline GloVe SIF embedder over the real wink vectors, using the shared test cache (.data/test-cache).
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGloveEmbedder, type GloveEmbedder, gloveDefaults } from "../../src/infra/glove-embedder.js";
import { recordingLogger } from "../support/recording-logger.js";

/** Every test suite uses this cache dir, so the 294 MB JSON is converted once per machine. */
const sharedCacheDir = fileURLToPath(new URL("../../.data/test-cache", import.meta.url));

/** What was logged, one "level: message" line each. */
const linesOf = (logger: ReturnType<typeof recordingLogger>) =>
  logger.entries.map((e) => `${e.level}: ${e.message}`);

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((sum, x) => sum + x * x, 0));

describe("glove embedder", () => {
  let embedder: GloveEmbedder;
  const temps: string[] = [];
  beforeAll(async () => {
    embedder = await createGloveEmbedder({ cacheDir: sharedCacheDir });
  });
  afterAll(async () => {
    for (const dir of temps) await rm(dir, { recursive: true, force: true });
  });

  it("names itself and its dimensions", () => {
    expect(embedder.id).toBe("glove-6b-100d-sif@2");
    expect(embedder.dimensions).toBe(100);
    expect(embedder.vocabularySize).toBeGreaterThan(300_000);
  });

  it("scores a paraphrase above an unrelated sentence", async () => {
    const [president, trump, cake] = await embedder.embedDocuments([
      "the president warned Iran",
      "Trump threatened to strike Iran",
      "a recipe for chocolate cake",
    ]);
    expect(dot(president!, trump!)).toBeGreaterThan(0.4);
    expect(dot(president!, trump!)).toBeGreaterThan(dot(president!, cake!) + 0.4);
    expect(dot(trump!, trump!)).toBeCloseTo(1, 5);
    expect(dot(trump!, cake!)).toBeLessThan(0.2);
  });

  it("ranks the passage that answers a question first", async () => {
    const question = await embedder.embedQuery("Why did the embassy staff leave Baghdad?");
    const passages = await embedder.embedDocuments([
      "The State Department ordered non-emergency staff to leave the US embassy in Baghdad, citing security threats.",
      "The football club signed a new striker for the coming season.",
      "Heavy rain flooded farms and roads across the region on Tuesday.",
    ]);
    const scores = passages.map((p) => dot(question, p));
    expect(scores.indexOf(Math.max(...scores))).toBe(0);
  });

  it("returns unit-length plain arrays", async () => {
    const vectors = await embedder.embedDocuments(["Oil prices rose sharply.", "Ébola outbreak in Guinée"]);
    for (const v of vectors) {
      expect(Array.isArray(v)).toBe(true);
      expect(v).toHaveLength(100);
      expect(norm(v)).toBeCloseTo(1, 6);
    }
  });

  it("returns a zero vector for text without a known word", async () => {
    const empty = await embedder.embedQuery("2024 !!! qzxvbnmw ---");
    expect(empty).toEqual(new Array(100).fill(0));
    expect(await embedder.embedQuery("")).toEqual(new Array(100).fill(0));
  });

  it("is deterministic across loads", async () => {
    const again = await createGloveEmbedder({ cacheDir: sharedCacheDir });
    const text = "Protesters gathered outside parliament on Monday.";
    expect(again.embed(text)).toEqual(embedder.embed(text));
  });

  it("tokenizes like GloVe: lowercase, clitics split, accents folded, hyphenated words kept", () => {
    expect(
      embedder.tokenize(
        "Trump's U.S. envoy didn't visit Zürich; a well-known anti-war group met 1,000 people.",
      ),
    ).toEqual([
      "trump",
      "'s",
      "us",
      "envoy",
      "did",
      "not",
      "visit",
      "zurich",
      "a",
      "well-known",
      "anti-war",
      "group",
      "met",
      "1,000",
      "people",
    ]);
  });

  it("gives unit word vectors and SIF weights that fall with frequency", () => {
    const iran = embedder.wordVector("iran");
    expect(iran).toBeInstanceOf(Float32Array);
    expect(norm(iran!)).toBeCloseTo(1, 5);
    expect(embedder.wordVector("qzxvbnmw")).toBeUndefined();
    expect(embedder.wordWeight("the")).toBeLessThan(0.05);
    expect(embedder.wordWeight("the")).toBeLessThan(embedder.wordWeight("president"));
    expect(embedder.wordWeight("president")).toBeLessThan(embedder.wordWeight("ayatollah"));
    expect(embedder.wordWeight("qzxvbnmw")).toBeGreaterThan(0.99);
    const tehran = embedder.wordVector("tehran")!;
    const cake = embedder.wordVector("cake")!;
    expect(dot(Array.from(iran!), Array.from(tehran))).toBeGreaterThan(
      dot(Array.from(iran!), Array.from(cake)),
    );
  });

  it("rebuilds a corrupt cache with one clear log line and gives the same vectors", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "glove-cache-"));
    temps.push(dir);
    const cache = path.join(dir, gloveDefaults.cacheFile);
    await copyFile(path.join(sharedCacheDir, gloveDefaults.cacheFile), cache);
    const bytes = await readFile(cache);
    bytes[bytes.length - 1000]! ^= 0x40;
    await writeFile(cache, bytes);

    const logger = recordingLogger();
    const rebuilt = await createGloveEmbedder({ cacheDir: dir, logger });
    expect(linesOf(logger).filter((l) => l.startsWith("warn"))).toEqual([
      `warn: GloVe cache ${cache} is corrupt (checksum mismatch); rebuilding it`,
    ]);
    expect(linesOf(logger)).toContain(`info: Converting GloVe vectors once into ${cache} (~5 s)`);
    const text = "Ministers met in Brussels to discuss sanctions.";
    expect(rebuilt.embed(text)).toEqual(embedder.embed(text));

    // A truncated file is caught by its size; a later start loads silently.
    await writeFile(cache, (await readFile(cache)).subarray(0, 5000));
    const truncatedLog = recordingLogger();
    await createGloveEmbedder({ cacheDir: dir, logger: truncatedLog });
    expect(linesOf(truncatedLog)[0]).toMatch(/corrupt \(size 5000 bytes, expected \d+\); rebuilding it$/);
    const quiet = recordingLogger();
    await createGloveEmbedder({ cacheDir: dir, logger: quiet });
    expect(linesOf(quiet)).toEqual([]);
  });
});
