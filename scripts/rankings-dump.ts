// Development aid: prints, as one JSON line, the top 12 passages (ids, scores, sentence scores) and the full answer
// of every distinct dev question over an index the benchmark built (`npm run bench` first). Run it before and after
// a change and compare the files byte for byte: a speed-up must not move a ranking or an answer.
// Usage: npx tsx scripts/rankings-dump.ts [size=100000] > rankings.json
import { benchQuestions, openBenchService } from "./bench-service.js";

const size = process.argv[2] ?? "100000";
const service = await openBenchService(size);
const questions = await benchQuestions();
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
