// Opens the service over the Wikinews development corpus plus the seed, on the same index `eval` builds and reuses
// (development aid shared by the scripts in this folder).
import { parseConfig } from "../src/config/config.js";
import { evalIndexDir } from "../src/service/evaluate.js";
import { openNewsService, type RunningNewsService } from "../src/service/open-news-service.js";

export const DEV_QUESTIONS = "../shared/data/wikinews/questions-dev.jsonl";

export function openDevService(): Promise<RunningNewsService> {
  const config = parseConfig({ DATA_DIR: ".data" });
  const corpusPaths = ["../shared/data/wikinews/articles.jsonl", "corpus"];
  return openNewsService({ config, corpusPaths, indexDir: evalIndexDir(config.dataDir, corpusPaths) });
}
