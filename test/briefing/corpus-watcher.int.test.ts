// The corpus watcher over a real temp folder: new, growing, temporary and removed files.
import { appendFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCorpus } from "../../src/infra/corpus-reader.js";
import { type CorpusWatcher, isTemporaryName, watchCorpus } from "../../src/service/corpus-watcher.js";

let dir: string;
let watcher: CorpusWatcher | undefined;
/** What the service would have ingested at each refresh: the article titles read from the folder. */
let ingested: string[][];
/** The article texts each refresh saw. */
let texts: string[][];

const article = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2019-10-10\n---\n\n${body}\n`;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "corpus-watch-"));
  ingested = [];
  texts = [];
});
afterEach(async () => {
  await watcher?.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(sleep: (ms: number) => Promise<void> = async () => {}) {
  watcher = watchCorpus({
    dir,
    debounceMs: 60_000,
    pollMs: 60_000,
    sleep,
    refresh: async () => {
      const read = await readCorpus([dir]);
      ingested.push(read.articles.map((a) => a.title).sort());
      texts.push(read.articles.map((a) => a.text.replace(/\s+/g, " ").trim()));
    },
  });
  return watcher;
}

describe("watchCorpus", () => {
  it("refreshes once for a new file and not again while nothing changes", async () => {
    const w = start();
    await w.ready;
    writeFileSync(path.join(dir, "a.md"), article("Morning story", "Text of the morning story."));
    expect(await w.check()).toBe(true);
    expect(await w.check()).toBe(false);
    expect(ingested).toEqual([["Morning story"]]);
  });

  it("waits until a file being written stops growing, so it is never ingested half", async () => {
    const file = path.join(dir, "b.md");
    let writes = 2;
    const w = start(async () => {
      // The writer is still appending during the first two settle checks.
      if (writes-- > 0) appendFileSync(file, " and more text");
    });
    await w.ready;
    writeFileSync(file, article("Half", "First half of the text"));
    expect(await w.check()).toBe(true);
    expect(ingested).toHaveLength(1);
    expect(writes).toBeLessThan(0);
    expect(texts).toEqual([["First half of the text and more text and more text"]]);
  });

  it("ignores temporary names and picks up removals", async () => {
    writeFileSync(path.join(dir, "keep.md"), article("Keep", "Kept text."));
    const w = start();
    await w.ready;
    writeFileSync(path.join(dir, "draft.md.tmp"), article("Draft", "Not yet."));
    writeFileSync(path.join(dir, ".hidden.md"), article("Hidden", "No."));
    expect(await w.check()).toBe(false);
    unlinkSync(path.join(dir, "keep.md"));
    expect(await w.check()).toBe(true);
    expect(ingested).toEqual([[]]);
    expect(isTemporaryName("x/story.md.part")).toBe(true);
    expect(isTemporaryName("x/story.md")).toBe(false);
  });
});
