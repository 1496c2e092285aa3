// Shared by the development aids that read an index the benchmark built: the service over `.data/bench/<size>`
// and the distinct dev questions in file order.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { benchDefaults } from "../bench/bench.js";
import { parseConfig } from "../src/config/config.js";
import { openNewsService, type RunningNewsService } from "../src/service/open-news-service.js";

/** The service over the bench's index of `size` passages (`npm run bench` first); extractive answers only. */
export function openBenchService(size: string): Promise<RunningNewsService> {
  const dir = path.join(benchDefaults.workDir, size);
  const corpusFile = path.join(dir, "corpus.jsonl");
  return openNewsService({
    config: parseConfig({
      DATA_DIR: dir,
      EMBEDDINGS_CACHE_DIR: benchDefaults.cacheDir,
      CORPUS_DIR: corpusFile,
    }),
    corpusPaths: [corpusFile],
    indexDir: path.join(dir, "index"),
    answerModel: null,
  });
}

/** The distinct dev questions, in file order. */
export async function benchQuestions(): Promise<string[]> {
  const lines = (await readFile(benchDefaults.questionsFile, "utf8"))
    .split("\n")
    .filter((l) => l.trim() !== "");
  return [...new Set(lines.map((l) => String((JSON.parse(l) as { question: unknown }).question)))];
}
