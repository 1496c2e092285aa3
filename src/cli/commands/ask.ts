/**
 * `ask "<question>"`: answer one question, or one per line of stdin; `--json` prints one JSON object per answer.
 */
import { type Command, InvalidArgumentError } from "commander";
import { renderAnswer } from "../../adapters/terminal/render.js";
import type { DateRange } from "../../core/types.js";
import type { RetrieverName } from "../../service/news-service.js";
import { cliContext, openServiceForCli, stdinLines } from "../context.js";

export function parseDateOption(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError("expected a date as YYYY-MM-DD");
  }
  return value;
}

export function registerAsk(program: Command): void {
  program
    .command("ask")
    .description(
      "Answer a question with verbatim, cited quotes (reads one question per line from stdin if none given)",
    )
    .argument("[question]", "the question")
    .option("--json", "print the answer as JSON (one object per line)")
    .option("--from <date>", "only articles dated on or after YYYY-MM-DD", parseDateOption)
    .option("--to <date>", "only articles dated on or before YYYY-MM-DD", parseDateOption)
    .option("--retriever <name>", "retrieval path: default, hybrid, bm25 or dense", "default")
    .action(
      async (
        question: string | undefined,
        opts: { json?: boolean; from?: string; to?: string; retriever: string },
        command: Command,
      ) => {
        if (!["default", "hybrid", "bm25", "dense"].includes(opts.retriever)) {
          throw new InvalidArgumentError(
            `unknown retriever "${opts.retriever}" (default, hybrid, bm25, dense)`,
          );
        }
        const context = cliContext(command);
        const service = await openServiceForCli(context);
        const dateRange: DateRange = {
          ...(opts.from ? { from: opts.from } : {}),
          ...(opts.to ? { to: opts.to } : {}),
        };
        const answerOne = async (q: string) => {
          const answer = await service.ask(q, { dateRange, retriever: opts.retriever as RetrieverName });
          process.stdout.write(opts.json ? `${JSON.stringify(answer)}\n` : `${renderAnswer(answer)}\n\n`);
        };
        if (question !== undefined) await answerOne(question);
        else for await (const line of stdinLines()) if (line.trim() !== "") await answerOne(line);
        await service.close();
      },
    );
}
