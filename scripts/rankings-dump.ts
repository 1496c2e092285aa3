// Development aid: prints, as one JSON line, the top 12 passages (ids, scores, sentence scores) and the full answer
// of every distinct dev question over an index the benchmark built (`npm run bench` first). Run it before and after
// a change and compare the files byte for byte: a speed-up must not move a ranking or an answer.
// Usage: npx tsx scripts/rankings-dump.ts [size=100000] > rankings.json
import { readFile } from "node:fs/promises";
import path from "node:path";
import { benchDefaults } from "../bench/bench.js";
import { parseConfig } from "../src/config/config.js";
import { openNewsService } from "../src/service/open-news-service.js";

const size = process.argv[2] ?? "100000";
const dir = path.join(benchDefaults.workDir, size);
const corpusFile = path.join(dir, "corpus.jsonl");
const config = parseConfig({
  DATA_DIR: dir,
  EMBEDDINGS_CACHE_DIR: benchDefaults.cacheDir,
  CORPUS_DIR: corpusFile,
});
const service = await openNewsService({
  config,
  corpusPaths: [corpusFile],
  indexDir: path.join(dir, "index"),
  answerModel: null,
});
const questions = [
  ...new Set(
    (await readFile(benchDefaults.questionsFile, "utf8"))
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => String((JSON.parse(l) as { question: unknown }).question)),
  ),
];
const out: unknown[] = [];
for (const q of questions) {
  const ranked = await service.search(q, { limit: 12 });
  const answer = await service.ask(q);
  out.push([
    q,
    ranked.map((r) => [r.passage.id, r.score, r.sentences.map((s) => s.score)]),
    JSON.stringify(answer),
  ]);
}
console.log(JSON.stringify(out));
await service.close();
