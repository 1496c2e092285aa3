import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCorpusFile } from "../../src/core/corpus-format.js";

const seedRaw = readFileSync(new URL("../../corpus/seed-iraq-embassy.md", import.meta.url), "utf8");
const seedText = readFileSync(
  new URL("../../../shared/seed/us-iraq-embassy-staff.txt", import.meta.url),
  "utf8",
);

describe("parseCorpusFile", () => {
  it("reads the seed article's front matter and keeps its text byte-for-byte", () => {
    const { articles, problems } = parseCorpusFile("corpus/seed-iraq-embassy.md", seedRaw);
    expect(problems).toEqual([]);
    expect(articles).toHaveLength(1);
    const seed = articles[0]!;
    expect(seed.id).toBe("seed-iraq-embassy");
    expect(seed.date).toBe("2025-06-12");
    expect(seed.source).toBe("Reuters");
    expect(seed.text).toBe(seedText);
  });

  it("falls back to the file name for the id and the first line for the title", () => {
    const { articles } = parseCorpusFile(
      "news/storm warning.txt",
      "Storm hits coast\n\nWinds of 100 km/h were recorded.",
    );
    expect(articles[0]).toMatchObject({
      id: "storm-warning",
      title: "Storm hits coast",
      date: null,
      source: null,
    });
  });

  it("reads JSON Lines articles and names the line of each bad one", () => {
    const good = {
      id: "a1",
      title: "T",
      date: "2020-01-02",
      url: "https://x",
      source: "Wikinews",
      license: "CC",
      text: "Body.",
    };
    const content = [
      JSON.stringify(good),
      "{not json",
      JSON.stringify({ ...good, id: "a2", title: "" }),
      JSON.stringify({ ...good, id: "a3", date: "2 Jan 2020" }),
      "",
      JSON.stringify({ ...good, id: "a4" }),
    ].join("\n");
    const { articles, problems } = parseCorpusFile("x.jsonl", content);
    expect(articles.map((a) => a.id)).toEqual(["a1", "a4"]);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(problems[0]!.message).toMatch(/not valid JSON/);
    expect(problems[1]!.message).toMatch(/title/);
    expect(problems[2]!.message).toMatch(/YYYY-MM-DD/);
  });

  it("rejects broken front matter, empty text and unsupported types with a clear message", () => {
    expect(parseCorpusFile("a.md", "---\ntitle: [unclosed\n---\nText").problems[0]!.message).toMatch(/YAML/);
    expect(parseCorpusFile("b.md", "---\ntitle: x\n---\n   \n").problems[0]!.message).toMatch(/no text/);
    expect(parseCorpusFile("c.md", "---\ndate: yesterday\n---\nText").problems[0]!.message).toMatch(/date/);
    expect(parseCorpusFile("d.pdf", "%PDF").problems[0]!.message).toMatch(/unsupported/);
    expect(parseCorpusFile("e.md", "---\ntitle: x\nno end").problems[0]!.message).toMatch(/never closed/);
  });
});
