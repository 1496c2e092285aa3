// Prints the default path's analysis, top passages and answer for questions (development aid).
import { analyzeQuestion } from "../src/core/question.js";
import { openDevService } from "./dev-service.js";

const service = await openDevService();
for (const q of process.argv.slice(2)) {
  console.log("\n=== ", q, JSON.stringify(analyzeQuestion(q)));
  const ranked = await service.search(q, { limit: 6 });
  for (const r of ranked) {
    const best = [...r.sentences].sort((a, b) => b.score - a.score)[0];
    console.log(
      `${r.score.toFixed(2)} lex=${r.lexical.toFixed(2)} dense=${r.dense.toFixed(2)} art=${r.articleCoverage.toFixed(2)} spk=${r.speakerMatch.toFixed(2)} sent=${best?.score.toFixed(2)} ${r.passage.id}\n    ${r.passage.text.slice(0, 150)}`,
    );
  }
  const a = await service.ask(q);
  console.log(
    "ANSWER",
    a.refused,
    a.reason ?? "",
    a.lead,
    a.quotes.map((x) => `[${x.speaker}] ${x.text.slice(0, 120)}`),
  );
}
