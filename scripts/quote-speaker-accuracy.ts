/**
 * Measures quote extraction on the Wikinews dev set: how many gold `answer_quote`s of `type: "quote"` questions
 * fall inside an extracted quote record (coverage), how often that record's speaker matches the gold speaker,
 * plus totals and throughput. Usage: `npx tsx scripts/quote-speaker-accuracy.ts [articles.jsonl] [questions.jsonl]
 * [--errors]`.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { extractQuotes } from "../src/core/quotes.js";
import type { Article, QuoteRecord } from "../src/core/types.js";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const showErrors = process.argv.includes("--errors");
const articlesPath = args[0] ?? "../shared/data/wikinews/articles.jsonl";
const questionsPath = args[1] ?? "../shared/data/wikinews/questions-dev.jsonl";

interface Question {
  id: string;
  type: string;
  article_ids: string[];
  answer_quote: string | null;
  speaker: string | null;
}

const readJsonl = <T>(path: string): T[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);

const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

/** Lenient: containment either way, or the gold surname is a word of the extracted speaker. */
function speakerOk(got: string | null, gold: string): boolean {
  if (!got) return false;
  const r = fold(got);
  const g = fold(gold);
  if (r.includes(g) || g.includes(r)) return true;
  const last = g.split(/\s+/).pop() ?? g;
  return r.split(/[^\p{L}\p{N}'-]+/u).includes(last);
}

const articles = readJsonl<Article>(articlesPath);
const questions = readJsonl<Question>(questionsPath).filter((q) => q.type === "quote" && q.answer_quote);

const t0 = performance.now();
const byArticle = new Map<string, QuoteRecord[]>();
for (const a of articles) byArticle.set(a.id, extractQuotes(a));
const seconds = (performance.now() - t0) / 1000;

const all = [...byArticle.values()].flat();
let covered = 0;
let correct = 0;
const errors: string[] = [];
for (const q of questions) {
  const article = articles.find((a) => a.id === q.article_ids[0]);
  const start = article?.text.indexOf(q.answer_quote!) ?? -1;
  const end = start + q.answer_quote!.length;
  const record = (byArticle.get(q.article_ids[0]!) ?? []).find((r) => r.start <= start && r.end >= end);
  if (!record) {
    errors.push(`${q.id} MISS  gold=${q.speaker} :: ${q.answer_quote!.slice(0, 70)}`);
    continue;
  }
  covered++;
  if (speakerOk(record.speaker, q.speaker ?? "")) correct++;
  else
    errors.push(
      `${q.id} WRONG gold=${q.speaker} got=${record.speaker} (${record.role}) :: ${record.text.slice(0, 60)}`,
    );
}

const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;
console.log(`articles: ${articles.length}, quote questions: ${questions.length}`);
console.log(`coverage: ${covered}/${questions.length} (${pct(covered, questions.length)})`);
console.log(`speaker accuracy (covered): ${correct}/${covered} (${pct(correct, covered)})`);
console.log(
  `speaker accuracy (all quote questions): ${correct}/${questions.length} (${pct(correct, questions.length)})`,
);
const attributed = all.filter((r) => r.speaker !== null).length;
console.log(`quotes extracted: ${all.length}, attributed: ${attributed} (${pct(attributed, all.length)})`);
console.log(
  `throughput: ${(articles.length / seconds).toFixed(0)} articles/s (${(seconds * 1000).toFixed(0)} ms)`,
);
if (showErrors) for (const e of errors) console.log(e);
