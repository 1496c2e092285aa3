/**
 * `ingest [paths…]`: index corpus files or folders incrementally, with a progress bar and a summary.
 */
import type { Command } from "commander";
import { cliContext, openServiceForCli } from "../context.js";

export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description("Index corpus files or folders (.md, .txt, .jsonl); unchanged articles are not re-embedded")
    .argument("[paths...]", "files or folders to index (default: the corpus folder)")
    .option(
      "--full",
      "read every corpus file, even those whose size and modification time are unchanged since the last ingest",
    )
    .action(async (paths: string[], opts: { full?: boolean }, command: Command) => {
      const context = cliContext(command);
      const service = await openServiceForCli(context, {
        ...(paths.length > 0 ? { corpusPaths: paths } : {}),
        ...(opts.full ? { rereadCorpus: true } : {}),
      });
      const s = service.lastIngest;
      process.stdout.write(
        `${s.articles} articles, ${s.passages} passages, ${s.quotes} quotes indexed` +
          (s.reused
            ? " (index up to date)"
            : ` (${s.added} added, ${s.changed} changed, ${s.removed} removed, ${s.unchanged} unchanged; ${s.embedded} passages embedded)`) +
          `; ${s.skipped} skipped\n`,
      );
      await service.close();
    });
}
