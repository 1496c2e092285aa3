// Grid search over ranking weights on a question set (development aid; the README reports the chosen values).
// Usage: npx tsx scripts/tune.ts '{"localFloor":[0.3,1]}' [questions.jsonl]
import { readFileSync } from "node:fs";
import { answerDefaults } from "../src/core/answer.js";
import { rankingWeights } from "../src/core/retrieval.js";
import { evalQuestionSchema, evaluate } from "../src/service/evaluate.js";
import { DEV_QUESTIONS, openDevService } from "./dev-service.js";

const grid = JSON.parse(process.argv[2] ?? "{}") as Record<string, number[]>;
const file = process.argv[3] ?? DEV_QUESTIONS;
const service = await openDevService();
const questions = readFileSync(file, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => evalQuestionSchema.parse(JSON.parse(l)));
const keys = Object.keys(grid);
const combos: Record<string, number>[] = [{}];
for (const k of keys) {
  const next: Record<string, number>[] = [];
  for (const c of combos) for (const v of grid[k]!) next.push({ ...c, [k]: v });
  combos.splice(0, combos.length, ...next);
}
const targets = [rankingWeights, answerDefaults] as unknown as Record<string, number>[];
for (const combo of combos) {
  for (const [k, v] of Object.entries(combo)) {
    const target = targets.find((t) => k in t);
    if (!target) throw new Error(`unknown weight ${k}`);
    target[k] = v;
  }
  const retriever = (process.env.TUNE_RETRIEVER ?? "default") as "default" | "hybrid";
  const r = { ...(await evaluate(service, questions, { retrievers: [retriever] })) };
  Object.assign(r, r.by_retriever[retriever]);
  console.log(
    JSON.stringify(combo),
    `P@1=${r.passage_hit_at_1} P@5=${r.passage_hit_at_5} R@1=${r.recall_at_1} quote=${r.quote_hit} spk=${r.speaker_accuracy} refU=${r.refusal_rate_unanswerable} falseRef=${r.false_refusal_rate}`,
  );
}
