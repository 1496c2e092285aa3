/**
 * `eval --questions FILE --corpus PATH…`: index the corpus in its own folder under the data dir (reused when
 * unchanged), ask every question, print a table (or one JSON object with `--json`).
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { BriefingError } from "../../core/errors.js";
import {
  type EvalQuestion,
  type EvalReport,
  evalIndexDir,
  evalQuestionSchema,
  evaluate,
  RETRIEVERS,
} from "../../service/evaluate.js";
import { cliContext, openServiceForCli } from "../context.js";

async function readQuestions(file: string): Promise<EvalQuestion[]> {
  let content: string;
  try {
    content = await readFile(file, "utf8");
  } catch {
    throw new BriefingError("BAD_INPUT", `Cannot read the question file ${file}.`);
  }
  // A malformed line is skipped with one line on stderr, like a malformed corpus line; the rest is measured.
  const out: EvalQuestion[] = [];
  content.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      process.stderr.write(`skipped ${file}:${i + 1}: not valid JSON\n`);
      return;
    }
    const parsed = evalQuestionSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      process.stderr.write(
        `skipped ${file}:${i + 1}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}\n`,
      );
      return;
    }
    out.push(parsed.data);
  });
  if (out.length === 0) throw new BriefingError("BAD_INPUT", `No valid questions in ${file}.`);
  return out;
}

function table(report: EvalReport): string {
  const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`).padStart(7);
  const lines = [
    `questions ${report.questions} (answerable ${report.answerable})`,
    "",
    "retriever   R@1      R@5      MRR     P-hit@1  P-hit@5",
    ...RETRIEVERS.map((r) => {
      const m = report.by_retriever[r];
      return `${r.padEnd(9)} ${pct(m.recall_at_1)}  ${pct(m.recall_at_5)}  ${m.mrr.toFixed(3).padStart(6)}  ${pct(m.passage_hit_at_1)}  ${pct(m.passage_hit_at_5)}`;
    }),
    "",
    `quote_hit                 ${pct(report.quote_hit)}`,
    `speaker_accuracy          ${pct(report.speaker_accuracy)}`,
    `refusal_rate_unanswerable ${pct(report.refusal_rate_unanswerable)}`,
    `false_refusal_rate        ${pct(report.false_refusal_rate)}`,
    `verbatim_rate             ${pct(report.verbatim_rate)}`,
  ];
  return lines.join("\n");
}

export function registerEval(program: Command): void {
  program
    .command("eval")
    .description("Measure retrieval and answers on a question set (questions-dev.jsonl format)")
    .requiredOption("--questions <file>", "question file (JSON Lines)")
    .requiredOption(
      "--corpus <path>",
      "corpus file or folder (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("--json", "print one JSON object with every metric")
    .option("--failures", "also list the questions the default path missed")
    .action(
      async (
        opts: { questions: string; corpus: string[]; json?: boolean; failures?: boolean },
        command: Command,
      ) => {
        const context = cliContext(command);
        const questions = await readQuestions(opts.questions);
        const service = await openServiceForCli(context, {
          corpusPaths: opts.corpus,
          indexDir: evalIndexDir(context.config.dataDir, opts.corpus),
        });
        const report = await evaluate(service, questions);
        if (opts.json) {
          const { results: _results, ...metrics } = report;
          process.stdout.write(`${JSON.stringify(opts.failures ? report : metrics)}\n`);
        } else {
          process.stdout.write(`${table(report)}\n`);
          if (opts.failures) {
            for (const r of report.results) {
              const miss = r.type === "unanswerable" ? !r.refused : !r.quoteHit || r.speakerOk === false;
              if (!miss) continue;
              process.stdout.write(
                `\n[${r.id} ${r.type}] ${r.question}\n  refused=${r.refused} articleRank=${r.articleRank} passageRank=${r.passageRank} speaker=${r.topSpeaker}\n  top: ${r.topQuote?.slice(0, 160) ?? "-"}\n`,
              );
            }
          }
        }
        await service.close();
      },
    );
}
