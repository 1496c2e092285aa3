// Development aid: how `ask` latency settles as a process warms up. Opens the service over an index the benchmark
// built (`npm run bench` first) and asks every distinct dev question once per pass, printing p50 / p95 per pass.
// Usage: npx tsx scripts/ask-passes.ts [size=100000] [passes=4]
import { benchQuestions, openBenchService } from "./bench-service.js";

const size = process.argv[2] ?? "100000";
const passes = Number(process.argv[3] ?? 4);
const service = await openBenchService(size);
const questions = await benchQuestions();
const at = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
for (let pass = 1; pass <= passes; pass++) {
  const times: number[] = [];
  for (const q of questions) {
    const t = performance.now();
    await service.ask(q);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(
    `pass ${pass}: ${questions.length} asks, p50 ${at(times, 0.5).toFixed(2)} ms, p95 ${at(times, 0.95).toFixed(2)} ms`,
  );
}
await service.close();
