// Prints, per dev question, the evidence-strength features the refusal rule reads (development aid for calibration).
import { readFileSync } from "node:fs";
import { DEV_QUESTIONS, openDevService } from "./dev-service.js";

const service = await openDevService();
const file = process.argv[2] ?? DEV_QUESTIONS;
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
