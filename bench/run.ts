/**
 * `npm run bench [-- --sizes 1000,10000,100000 --questions 500 --bot-messages 500 --smoke]`: runs the benchmark,
 * prints the table and writes `bench/results/<date>.json` plus `bench/results/latest.json` (not for `--smoke`,
 * which writes only `.data/bench/smoke.json`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Command } from "commander";
import { benchDefaults, repoRoot, runBench } from "./bench.js";
import { formatTable } from "./report.js";

const list = (v: string) =>
  v.split(",").map((x) => {
    const n = Number(x.trim().replace(/k$/i, "000"));
    if (!Number.isInteger(n) || n <= 0) throw new Error(`not a passage count: ${x}`);
    return n;
  });

const program = new Command("bench")
  .option("--sizes <list>", "corpus sizes in passages", list, [...benchDefaults.sizes])
  .option("--questions <n>", "asks per size", Number, benchDefaults.questions)
  .option("--bot-messages <n>", "bot-path burst size (0 skips it)", Number, benchDefaults.botMessages)
  .option("--bot-size <n>", "corpus size the bot path answers from", Number)
  .option("--smoke", "tiny run: 1k passages, 20 questions, 20 bot messages; results not committed")
  .parse();

const opts = program.opts<{
  sizes: number[];
  questions: number;
  botMessages: number;
  botSize?: number;
  smoke?: boolean;
}>();

const smoke = opts.smoke === true;
const report = await runBench({
  sizes: smoke ? [1_000] : opts.sizes,
  questions: smoke ? 20 : opts.questions,
  botMessages: smoke ? 20 : opts.botMessages,
  botRoundTrips: smoke ? 5 : benchDefaults.botRoundTrips,
  ...(opts.botSize !== undefined ? { botSize: opts.botSize } : {}),
  smoke,
  log: (line) => console.error(line),
});

console.log(formatTable(report));
const json = `${JSON.stringify(report, null, 2)}\n`;
if (smoke) {
  await writeFile(path.join(benchDefaults.workDir, "smoke.json"), json);
} else {
  const dir = path.join(repoRoot, "bench", "results");
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${report.startedAt.slice(0, 10)}.json`), json);
  await writeFile(path.join(dir, "latest.json"), json);
  console.error(`wrote bench/results/${report.startedAt.slice(0, 10)}.json and bench/results/latest.json`);
}
