// Ingest through the real service on temp corpus and data folders (real GloVe from the shared test cache, real
// hnswlib, the kill-safe snapshot store): incremental re-opens, changed and removed articles, malformed input
// skipped with one problem each, a damaged index rebuilt with a warning, and an index of another embedder rebuilt.
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config.js";
import { chunkArticle } from "../../src/core/chunk.js";
import type { CorpusProblem } from "../../src/core/corpus-format.js";
import type { Embedder, Logger } from "../../src/core/ports.js";
import type { Article } from "../../src/core/types.js";
import { verifyQuote } from "../../src/core/verify.js";
import { formatProblem } from "../../src/infra/corpus-reader.js";
import { createGloveEmbedder, type GloveEmbedder } from "../../src/infra/glove-embedder.js";
import {
  type OpenNewsServiceOptions,
  openNewsService,
  type RunningNewsService,
} from "../../src/service/open-news-service.js";
import { repoRoot, SEED_QUESTION, SEED_QUOTE, sharedCacheDir } from "../support/seed-service.js";

const seedFile = path.join(repoRoot, "corpus", "seed-iraq-embassy.md");
const threeFile = path.join(repoRoot, "test", "fixtures", "wikinews-three.jsonl");
const LION_ID = "wn-2019-08-22-south-african-lion-man-killed-by-his-lions";
const JET_ID = "wn-2020-01-13-iran-admits-downing-ukrainian-jet-cites-human-erro";

/** Records every passage text it is asked to embed; vectors come from the real GloVe embedder (same id). */
class RecordingEmbedder implements Embedder {
  readonly documents: string[] = [];
  constructor(private readonly inner: Embedder) {}
  get id(): string {
    return this.inner.id;
  }
  get dimensions(): number {
    return this.inner.dimensions;
  }
  async embedDocuments(texts: readonly string[]): Promise<number[][]> {
    this.documents.push(...texts);
    return this.inner.embedDocuments(texts);
  }
  embedQuery(text: string): Promise<number[]> {
    return this.inner.embedQuery(text);
  }
}

/** A different model: 8-d letter-frequency vectors. Records its calls. */
class FakeEmbedder implements Embedder {
  readonly id = "fake@1";
  readonly dimensions = 8;
  readonly documents: string[] = [];
  readonly queries: string[] = [];
  async embedDocuments(texts: readonly string[]): Promise<number[][]> {
    this.documents.push(...texts);
    return texts.map((t) => this.#vector(t));
  }
  async embedQuery(text: string): Promise<number[]> {
    this.queries.push(text);
    return this.#vector(text);
  }
  #vector(text: string): number[] {
    const v = new Array<number>(this.dimensions).fill(0.01);
    for (const ch of text.toLowerCase())
      if (ch >= "a" && ch <= "z") v[ch.charCodeAt(0) % this.dimensions]! += 1;
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  }
}

class RecordingLogger implements Logger {
  readonly warnings: string[] = [];
  debug(): void {}
  info(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(message: string): void {
    this.warnings.push(message);
  }
}

let glove: GloveEmbedder;
const cleanup: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `briefing-ingest-${prefix}-`));
  cleanup.push(dir);
  return dir;
}

/** A corpus folder holding the seed article and the three Wikinews articles. */
async function makeCorpus(): Promise<string> {
  const dir = await tempDir("corpus");
  await copyFile(seedFile, path.join(dir, "seed-iraq-embassy.md"));
  await copyFile(threeFile, path.join(dir, "wikinews-three.jsonl"));
  return dir;
}

function open(
  dataDir: string,
  corpusDir: string,
  extra: Partial<Omit<OpenNewsServiceOptions, "config">> = {},
): Promise<RunningNewsService> {
  const config = parseConfig({
    DATA_DIR: dataDir,
    EMBEDDINGS_CACHE_DIR: sharedCacheDir,
    CORPUS_DIR: corpusDir,
  });
  return openNewsService({
    config,
    corpusPaths: [corpusDir],
    answerModel: null,
    wordVectors: glove,
    embedder: glove,
    ...extra,
  });
}

async function readThree(): Promise<Article[]> {
  return (await readFile(threeFile, "utf8"))
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Article);
}

/** Directory of the current index snapshot: `<dataDir>/index/snapshots/<CURRENT>`. */
async function currentSnapshot(dataDir: string): Promise<string> {
  const id = (await readFile(path.join(dataDir, "index", "CURRENT"), "utf8")).trim();
  return path.join(dataDir, "index", "snapshots", id);
}

async function expectSeedAnswer(service: RunningNewsService): Promise<void> {
  const answer = await service.ask(SEED_QUESTION);
  expect(answer.refused).toBe(false);
  const q = answer.quotes[0]!;
  expect(q).toMatchObject({ text: SEED_QUOTE, speaker: "Annie Kelly", article: { id: "seed-iraq-embassy" } });
  expect(verifyQuote(service.corpus().articles.get(q.article.id)!, q)).toEqual({ ok: true });
}

beforeAll(async () => {
  glove = await createGloveEmbedder({ cacheDir: sharedCacheDir });
});

afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe("ingest: incremental", () => {
  it("embeds every passage once; a second open reuses the saved index and embeds nothing", async () => {
    const corpus = await makeCorpus();
    const data = await tempDir("data");
    const first = new RecordingEmbedder(glove);
    const a = await open(data, corpus, { embedder: first });
    expect(a.lastIngest).toMatchObject({ articles: 4, added: 4, reused: false, skipped: 0 });
    expect(a.lastIngest.embedded).toBe(a.corpus().passages.length);
    expect(first.documents).toHaveLength(a.lastIngest.passages);
    await a.close();

    const second = new RecordingEmbedder(glove);
    const b = await open(data, corpus, { embedder: second });
    expect(b.lastIngest).toMatchObject({ articles: 4, reused: true, embedded: 0 });
    expect(second.documents).toEqual([]);
    await expectSeedAnswer(b);
    await b.close();
  });

  it("does not read an unchanged corpus again: same files, sizes and mtimes reuse the index, problems are repeated", async () => {
    const corpus = await makeCorpus();
    const data = await tempDir("data");
    await writeFile(path.join(corpus, "broken.md"), "---\ntitle: Never closed\n\nNo end.\n");
    const file = path.join(corpus, "wikinews-three.jsonl");
    // Whole seconds, so setting the time back later gives exactly the same mtime.
    const then = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    await utimes(file, then, then);
    const a = await open(data, corpus);
    expect(a.lastIngest).toMatchObject({ articles: 4, reused: false, skipped: 1 });
    await a.close();

    // Same size and mtime, other bytes: a start that read the file would see garbage; this one trusts the listing.
    await writeFile(file, "x".repeat((await stat(file)).size));
    await utimes(file, then, then);
    const problems: CorpusProblem[] = [];
    const b = await open(data, corpus, { onProblem: (p) => problems.push(p) });
    expect(b.lastIngest).toMatchObject({ articles: 4, reused: true, embedded: 0, skipped: 1 });
    expect(problems.map((p) => path.basename(p.file))).toEqual(["broken.md"]);
    await expectSeedAnswer(b);
    await b.close();

    // A new mtime means read again: the garbage is reported and its articles leave the index.
    await utimes(file, then, new Date(then.getTime() + 5_000));
    const c = await open(data, corpus);
    expect(c.lastIngest).toMatchObject({ articles: 1, removed: 3, reused: false, skipped: 2 });
    await c.close();

    // A touched file with the same bytes is read once, found unchanged, and not read on the next start.
    await copyFile(seedFile, path.join(corpus, "seed-iraq-embassy.md"));
    await writeFile(file, await readFile(threeFile));
    const d = await open(data, corpus);
    expect(d.lastIngest).toMatchObject({ articles: 4, added: 3, reused: false });
    await d.close();
    const snapshot = await currentSnapshot(data);
    const touched = new Date(then.getTime() + 10_000);
    await utimes(file, touched, touched);
    const e = await open(data, corpus);
    expect(e.lastIngest).toMatchObject({ articles: 4, reused: true, embedded: 0 });
    await e.close();
    await writeFile(file, "x".repeat((await stat(file)).size));
    await utimes(file, touched, touched);
    const f = await open(data, corpus);
    expect(f.lastIngest).toMatchObject({ articles: 4, reused: true, embedded: 0 });
    expect(await currentSnapshot(data)).toBe(snapshot);
    await f.close();
    // `rereadCorpus` (`ingest --full`) reads the files anyway and sees the same-size rewrite.
    const full = await open(data, corpus, { rereadCorpus: true });
    expect(full.lastIngest).toMatchObject({ articles: 1, removed: 3, reused: false, skipped: 2 });
    await full.close();
  });

  it("re-embeds only the passages of a changed article, and answers from its new text", async () => {
    const corpus = await makeCorpus();
    const data = await tempDir("data");
    const recorder = new RecordingEmbedder(glove);
    const service = await open(data, corpus, { embedder: recorder });
    const three = await readThree();
    const lion = three.find((a) => a.id === LION_ID)!;
    const added =
      "The lodge will stay closed to visitors for the rest of the year, the police spokeswoman said.";
    const changed = { ...lion, text: `${lion.text}\n\n${added}` };
    await writeFile(
      path.join(corpus, "wikinews-three.jsonl"),
      `${three.map((a) => JSON.stringify(a.id === LION_ID ? changed : a)).join("\n")}\n`,
    );
    recorder.documents.length = 0;

    const result = await service.refresh();
    expect(result).toMatchObject({
      articles: 4,
      added: 0,
      changed: 1,
      removed: 0,
      unchanged: 3,
      reused: false,
    });
    expect(result.embedded).toBe(chunkArticle(changed).length);
    expect(recorder.documents).toHaveLength(result.embedded);
    for (const text of recorder.documents) expect(text.startsWith(`${lion.title}. `)).toBe(true);

    const answer = await service.ask("How long will the lion lodge stay closed to visitors?");
    expect(answer.refused).toBe(false);
    expect(answer.quotes[0]).toMatchObject({
      text: added.replace(/\.$/, ""),
      article: { id: LION_ID },
    });
    await expectSeedAnswer(service);
    await service.close();

    // The saved index holds the change: a fresh open reuses it.
    const again = await open(data, corpus);
    expect(again.lastIngest).toMatchObject({ reused: true, embedded: 0 });
    expect(again.corpus().articles.get(LION_ID)!.text).toBe(changed.text);
    await again.close();
  });

  it("drops the articles of a removed file from every index; answers stop citing them", async () => {
    const corpus = await makeCorpus();
    const data = await tempDir("data");
    const service = await open(data, corpus);
    const before = await service.ask("What did Zelenskyy expect from Iran?");
    expect(before.quotes[0]?.article.id).toBe(JET_ID);

    await unlink(path.join(corpus, "wikinews-three.jsonl"));
    const result = await service.refresh();
    expect(result).toMatchObject({ articles: 1, removed: 3, unchanged: 1, embedded: 0, reused: false });
    expect([...service.corpus().articles.keys()]).toEqual(["seed-iraq-embassy"]);
    expect(service.corpus().passages.every((p) => p.articleId === "seed-iraq-embassy")).toBe(true);
    expect((await service.speakers("")).map((s) => s.name)).not.toContain("Volodymyr Zelenskyy");
    expect(await service.quotes("Zelenskyy")).toEqual({ speaker: null, role: null, quotes: [] });

    for (const question of [
      "What did Zelenskyy expect from Iran?",
      "How old was the South African Lion Man?",
    ]) {
      const after = await service.ask(question);
      expect(
        after.quotes.every((q) => q.article.id === "seed-iraq-embassy"),
        question,
      ).toBe(true);
    }
    for (const mode of ["bm25", "dense", "hybrid", "default"] as const) {
      const ranked = await service.search("Ukrainian jet shot down near Tehran", {
        retriever: mode,
        limit: 20,
      });
      expect(
        ranked.every((r) => r.passage.articleId === "seed-iraq-embassy"),
        mode,
      ).toBe(true);
    }
    await expectSeedAnswer(service);
    await service.close();

    const reopened = await open(data, corpus);
    expect(reopened.lastIngest).toMatchObject({ articles: 1, reused: true });
    await reopened.close();
  });
});

describe("ingest: malformed input", () => {
  it("skips a malformed .md, a bad .jsonl line and a binary file with one problem each, and ingests the rest", async () => {
    const corpus = await tempDir("corpus");
    const data = await tempDir("data");
    await copyFile(seedFile, path.join(corpus, "seed-iraq-embassy.md"));
    const three = await readThree();
    await writeFile(
      path.join(corpus, "mixed.jsonl"),
      [JSON.stringify(three[0]), '{"id": "broken", "title": "Cut off', JSON.stringify(three[1]), ""].join(
        "\n",
      ),
    );
    await writeFile(
      path.join(corpus, "broken.md"),
      "---\ntitle: Never closed\n\nThe front matter has no end.\n",
    );
    await writeFile(
      path.join(corpus, "scan.txt"),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0xff]),
    );
    await mkdir(path.join(corpus, "empty-folder"));

    const problems: CorpusProblem[] = [];
    const service = await open(data, corpus, { onProblem: (p) => problems.push(p) });
    expect(service.lastIngest).toMatchObject({ articles: 3, skipped: 3 });
    expect(new Set(service.corpus().articles.keys())).toEqual(
      new Set(["seed-iraq-embassy", three[0]!.id, three[1]!.id]),
    );
    const byFile = new Map(problems.map((p) => [path.basename(p.file), p]));
    expect(problems).toHaveLength(3);
    expect(byFile.get("mixed.jsonl")).toMatchObject({
      line: 2,
      message: expect.stringMatching(/not valid JSON/),
    });
    expect(byFile.get("broken.md")!.message).toMatch(/front matter .*never closed/);
    expect(byFile.get("scan.txt")!.message).toMatch(/binary/);
    expect(formatProblem(byFile.get("mixed.jsonl")!)).toMatch(/mixed\.jsonl:2: not valid JSON/);
    await expectSeedAnswer(service);
    await service.close();
  });
});

describe("ingest: damaged or foreign index", () => {
  it.each([
    ["corpus.json", "a flipped byte"],
    ["texts.bin", "a flipped byte"],
    ["passages.bin", "truncation"],
    ["bm25.bin", "a flipped byte"],
    ["hnsw.bin", "truncation"],
  ] as const)("rebuilds the index after %s suffers %s, with a warning", async (file, damage) => {
    const corpus = await makeCorpus();
    const data = await tempDir("data");
    const built = await open(data, corpus);
    const passages = built.lastIngest.passages;
    await built.close();

    const target = path.join(await currentSnapshot(data), file);
    const bytes = await readFile(target);
    if (damage === "truncation") await writeFile(target, bytes.subarray(0, Math.floor(bytes.length / 2)));
    else {
      const i = Math.floor(bytes.length / 2);
      bytes[i] = bytes[i]! ^ 0x20;
      await writeFile(target, bytes);
    }

    const logger = new RecordingLogger();
    const recorder = new RecordingEmbedder(glove);
    const service = await open(data, corpus, { logger, embedder: recorder });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(new RegExp(`${file.replace(".", "\\.")}.*Rebuilding the index`, "s"));
    expect(service.lastIngest).toMatchObject({ articles: 4, added: 4, reused: false, embedded: passages });
    expect(recorder.documents).toHaveLength(passages);
    await expectSeedAnswer(service);
    await service.close();

    // The rebuilt snapshot is sound: the next open reuses it without a warning.
    const quiet = new RecordingLogger();
    const again = await open(data, corpus, { logger: quiet });
    expect(again.lastIngest.reused).toBe(true);
    expect(quiet.warnings).toEqual([]);
    await again.close();
  });

  it("rebuilds, never mixes, an index built by another embedder", async () => {
    const corpus = await makeCorpus();
    const data = await tempDir("data");
    const built = await open(data, corpus);
    const passages = built.lastIngest.passages;
    await built.close();

    const fake = new FakeEmbedder();
    const logger = new RecordingLogger();
    const withFake = await open(data, corpus, { embedder: fake, wordVectors: null, logger });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain(`"${glove.id}"`);
    expect(logger.warnings[0]).toContain('"fake@1"');
    expect(withFake.lastIngest).toMatchObject({ added: 4, unchanged: 0, reused: false, embedded: passages });
    expect(fake.documents).toHaveLength(passages);
    const ranked = await withFake.search("embassy staff Iraq", { retriever: "dense", limit: 3 });
    expect(ranked.length).toBeGreaterThan(0);
    expect(fake.queries).toEqual(["embassy staff Iraq"]);
    await withFake.close();

    // Back to GloVe: the fake's index is not reused either; every passage gets a GloVe vector again.
    const recorder = new RecordingEmbedder(glove);
    const back = new RecordingLogger();
    const service = await open(data, corpus, { embedder: recorder, logger: back });
    expect(back.warnings[0]).toContain('"fake@1"');
    expect(service.lastIngest).toMatchObject({ added: 4, reused: false, embedded: passages });
    expect(recorder.documents).toHaveLength(passages);
    await expectSeedAnswer(service);
    await service.close();
  });
});
