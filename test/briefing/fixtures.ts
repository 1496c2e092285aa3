/**
 * Test fixtures for briefings, built from the real Wikinews evaluation data in ../shared/data/wikinews/
 * (articles: Wikinews contributors, CC BY 2.5, each article's url kept; daily portal items: Wikipedia
 * contributors, CC BY-SA 4.0, portal url kept). Passages and quotes come from the product's chunker and quote
 * extractor; the hashed bag-of-words embedder is a hand-written fake of the `Embedder` port, not the product's.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { BriefingDay } from "../../src/core/briefing.js";
import { chunkArticle } from "../../src/core/chunk.js";
import type { Embedder } from "../../src/core/ports.js";
import { extractQuotes } from "../../src/core/quotes.js";
import type { Article } from "../../src/core/types.js";
import { createGloveEmbedder, type GloveEmbedder } from "../../src/infra/glove-embedder.js";
import type { CorpusSnapshot } from "../../src/service/corpus-snapshot.js";

export const DATA_DIR = path.resolve(import.meta.dirname, "../../../shared/data/wikinews");

let articleCache: Article[] | undefined;

/** All 336 Wikinews articles. */
export function wikinewsArticles(): Article[] {
  articleCache ??= readFileSync(path.join(DATA_DIR, "articles.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const r = JSON.parse(l) as Article;
      return {
        id: r.id,
        title: r.title,
        date: r.date,
        source: r.source,
        url: r.url,
        license: r.license,
        text: r.text,
      };
    });
  return articleCache;
}

interface PortalDay {
  date: string;
  url: string;
  license: string;
  sections: Record<string, string[]>;
}

/** Portal item with the story heading it sits under (the heading is the human grouping, used as gold). */
export interface PortalItem {
  readonly article: Article;
  readonly heading: string | null;
}

/**
 * A dense day from the Current Events portal: every event item (one ending in an outlet tag such as "(BBC)")
 * becomes a short article whose text is the item, verbatim; its title is its first sentence; its source is
 * the outlet tag. Short items without an outlet tag are story headings, not events.
 */
export function portalDay(date: string): PortalItem[] {
  const line = readFileSync(path.join(DATA_DIR, "wcep_daily.jsonl"), "utf8")
    .split("\n")
    .find((l) => l.includes(`"date": "${date}"`));
  if (!line) throw new Error(`no portal day ${date}`);
  const day = JSON.parse(line) as PortalDay;
  const items: PortalItem[] = [];
  for (const [section, entries] of Object.entries(day.sections)) {
    let heading: string | null = null;
    for (const entry of entries) {
      const outlet = /[.!?]["”’]?\s*\(([^()]+)\)(?:\s*\([^()]+\))*\s*$/.exec(entry);
      if (!outlet) {
        heading = entry;
        continue;
      }
      // The trailing outlet tags are the item's sources, not its text: "… (BBC News) (Pastebin)".
      const text = entry.replace(/(?:\s*\([^()]+\))+\s*$/, "");
      const firstSentence = /^.*?[.!?](?=\s|$)/.exec(text)?.[0] ?? text;
      items.push({
        heading,
        article: {
          id: `wcep-${date}-${items.length + 1}`,
          title: firstSentence,
          date,
          source: outlet[1]!,
          url: day.url,
          license: `${day.license}; section ${section}`,
          text,
        },
      });
    }
  }
  return items;
}

const STOP = new Set(
  "the a an and or of to in on at for by with from as is was were be been has have had that this it its he she they their his her said says will would not but which who also after".split(
    " ",
  ),
);

/** A fake `Embedder`: hashed bag of content words into 256 dimensions, unit length; records its calls. */
export function createHashEmbedder(): Embedder & { calls: string[][] } {
  const dims = 256;
  const embed = (text: string) => {
    const v = new Array<number>(dims).fill(0);
    for (const w of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      if (STOP.has(w) || w.length < 3) continue;
      let h = 2166136261;
      for (const ch of w.slice(0, 7)) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619);
      v[(h >>> 0) % dims]! += 1;
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  };
  const calls: string[][] = [];
  return {
    id: "test-hash-256",
    dimensions: dims,
    calls,
    embedDocuments: async (texts) => {
      calls.push([...texts]);
      return texts.map(embed);
    },
    embedQuery: async (text) => embed(text),
  };
}

/**
 * A corpus snapshot over `articles` built like the product's index: the real chunker and quote extractor, with
 * vectors from `embedder` (default the hashed fake above).
 */
export async function snapshotOf(
  articles: readonly Article[],
  embedder: Embedder = createHashEmbedder(),
): Promise<CorpusSnapshot> {
  const passages = articles.flatMap((a) => chunkArticle(a));
  const quotes = articles.flatMap((a) => extractQuotes(a));
  const vectors = await embedder.embedDocuments(passages.map((p) => p.text));
  const byId = new Map(passages.map((p, i) => [p.id, vectors[i]!]));
  return {
    articles: new Map(articles.map((a) => [a.id, a])),
    passages,
    quotes,
    embedder,
    passageVector: (id) => byId.get(id),
  };
}

let glove: Promise<GloveEmbedder> | undefined;

/** The product's offline embedder, sharing the test cache so the GloVe JSON is converted once. */
export function testGloveEmbedder(): Promise<GloveEmbedder> {
  glove ??= createGloveEmbedder({ cacheDir: path.resolve(import.meta.dirname, "../../.data/test-cache") });
  return glove;
}

/** The day slice the briefing core takes, straight from a snapshot. */
export function daySlice(snapshot: CorpusSnapshot, date: string): BriefingDay {
  const articles = [...snapshot.articles.values()].filter((a) => a.date === date);
  const ids = new Set(articles.map((a) => a.id));
  return {
    date,
    articles,
    passages: snapshot.passages.filter((p) => ids.has(p.articleId)),
    quotes: snapshot.quotes.filter((q) => ids.has(q.articleId)),
    vectorOf: (id) => snapshot.passageVector(id),
  };
}
