// Lists dev questions whose answer misses the gold quote or speaker, with what was returned (development aid).
import { readFileSync } from "node:fs";
import { locateQuote } from "../src/core/verify.js";
import { coversHalf, speakerMatchesGold } from "../src/service/evaluate.js";
import { DEV_QUESTIONS, openDevService } from "./dev-service.js";

const service = await openDevService();
const questions = readFileSync(DEV_QUESTIONS, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
for (const q of questions) {
  if (!q.answer_quote) continue;
  const article = service.corpus().articles.get(q.article_ids[0]);
  const gold = article ? locateQuote(article.text, q.answer_quote) : null;
  const answer = await service.ask(q.question);
  const hit = gold && answer.quotes.some((x) => x.article.id === q.article_ids[0] && coversHalf(x, gold));
  const spk = q.type !== "quote" || speakerMatchesGold(answer.quotes[0]?.speaker ?? null, q.speaker);
  if (hit && spk) continue;
  console.log(
    `\n[${q.id} ${q.type}${hit ? "" : " MISS"}${spk ? "" : " SPEAKER"}] ${q.question}\n  gold (${q.speaker}): ${q.answer_quote.slice(0, 120)}`,
  );
  for (const x of answer.quotes)
    console.log(
      `  got ${x.direct ? "Q" : "S"} [${x.speaker}] ${x.article.id === q.article_ids[0] ? "" : "(other article) "}${x.text.slice(0, 110)}`,
    );
}
