// For dev questions whose answer passage is not ranked first, prints the top passage and the gold passage with
// their features (development aid).
import { readFileSync } from "node:fs";
import { locateQuote } from "../src/core/verify.js";
import { coversHalf } from "../src/service/evaluate.js";
import { DEV_QUESTIONS, openDevService } from "./dev-service.js";

const service = await openDevService();
const questions = readFileSync(DEV_QUESTIONS, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const fmt = (r: Awaited<ReturnType<typeof service.search>>[number]) =>
  `${r.score.toFixed(2)} lex=${r.lexical.toFixed(2)} dense=${r.dense.toFixed(2)} sent=${Math.max(...r.sentences.map((s) => s.score)).toFixed(2)} spk=${r.speakerMatch.toFixed(2)} #${r.passage.index} ${r.passage.text.slice(0, 110).replace(/\n/g, " ")}`;
for (const q of questions) {
  if (!q.answer_quote) continue;
  const ranked = await service.search(q.question, { limit: 30 });
  const article = service.corpus().articles.get(q.article_ids[0]);
  const gold = article ? locateQuote(article.text, q.answer_quote) : null;
  if (!gold) continue;
  const rank = ranked.findIndex(
    (r) => r.passage.articleId === q.article_ids[0] && coversHalf(r.passage, gold),
  );
  if (rank === 0) continue;
  console.log(`\n[${q.id} ${q.type}] ${q.question}  (gold rank ${rank + 1})`);
  console.log(`  TOP  ${fmt(ranked[0]!)}`);
  if (rank > 0) console.log(`  GOLD ${fmt(ranked[rank]!)}`);
}
