/**
 * Opens the real news service over the bundled seed corpus (or given paths) in a fresh temp data dir, sharing
 * one GloVe cache (`.data/test-cache`) across test files so the word vectors are converted once per machine.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../../src/config/config.js";
import {
  type OpenNewsServiceOptions,
  openNewsService,
  type RunningNewsService,
} from "../../src/service/open-news-service.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const sharedCacheDir = path.join(repoRoot, ".data", "test-cache");
export const seedCorpus = path.join(repoRoot, "corpus");
export const wikinewsArticles = path.resolve(repoRoot, "../shared/data/wikinews/articles.jsonl");

export const SEED_QUESTION = "What did the White House say about pulling embassy staff out of Iraq?";
export const SEED_QUOTE =
  "the State Department regularly reviews U.S. employees stationed abroad, and this decision came from recent reviews";

export interface TestService extends RunningNewsService {
  readonly dataDir: string;
  /** Closes the service and deletes its temp data dir. */
  dispose(): Promise<void>;
}

export async function openSeedService(
  options: Partial<Omit<OpenNewsServiceOptions, "config">> & { env?: Record<string, string> } = {},
): Promise<TestService> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "briefing-test-"));
  const { env, ...rest } = options;
  const config = parseConfig({
    DATA_DIR: dataDir,
    EMBEDDINGS_CACHE_DIR: sharedCacheDir,
    CORPUS_DIR: seedCorpus,
    ...env,
  });
  const service = await openNewsService({ config, corpusPaths: [seedCorpus], ...rest });
  return Object.assign(service, {
    dataDir,
    async dispose() {
      await service.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}
