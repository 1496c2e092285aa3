// Prints, per dev question, the evidence-strength features the refusal rule reads (development aid for calibration).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseConfig } from "../src/config/config.js";
import { openNewsService } from "../src/service/open-news-service.js";

const config = parseConfig({ DATA_DIR: ".data" });
const corpusPaths = ["../shared/data/wikinews/articles.jsonl", "corpus"];
const key = createHash("sha256")
  .update(corpusPaths.map((p) => path.resolve(p)).join("\n"))
  .digest("hex")
  .slice(0, 12);
const service = await openNewsService({ config, corpusPaths, indexDir: path.join(".data", "eval", key) });
const file = process.argv[2] ?? "../shared/data/wikinews/questions-dev.jsonl";
const questions = readFileSync(file, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
for (const q of questions) {
  const top = (await service.search(q.question, { limit: 1 }))[0];
  const best = top ? Math.max(0, ...top.sentences.map((s) => s.coverage)) : 0;
  console.log(
    [
      q.type === "unanswerable" ? "U" : "A",
      top?.articleCoverage.toFixed(2),
      best.toFixed(2),
      top?.missingNames.toFixed(2),
      top?.yearsFound ? "y" : "N",
      q.id,
      q.question.slice(0, 60),
    ].join("\t"),
  );
}
