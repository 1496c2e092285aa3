/**
 * What every CLI command shares: configuration (with `--data-dir` applied), a logger on stderr, a progress bar
 * for ingest, and opening the service with corpus problems reported one line each.
 */
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { type Config, loadConfig } from "../config/config.js";
import type { Logger } from "../core/ports.js";
import { formatProblem } from "../infra/corpus-reader.js";
import { createLogger } from "../infra/logger.js";
import type { IngestProgress } from "../service/corpus-index.js";
import {
  type OpenNewsServiceOptions,
  openNewsService,
  type RunningNewsService,
} from "../service/open-news-service.js";

export interface CliContext {
  readonly config: Config;
  readonly logger: Logger;
}

/** Reads config once, applying the global `--data-dir` option over `DATA_DIR`. */
export function cliContext(command: Command): CliContext {
  const globals = command.optsWithGlobals<{ dataDir?: string; verbose?: boolean }>();
  const config = loadConfig({ overrides: globals.dataDir ? { DATA_DIR: globals.dataDir } : {} });
  const logger = createLogger(globals.verbose ? "debug" : config.logLevel);
  return { config, logger };
}

/** A progress bar on stderr for embedding; silent when stderr is not a terminal (CI, pipes) except a final line. */
export function progressReporter(label: string): {
  onProgress: (p: IngestProgress) => void;
  stop: () => void;
} {
  const interactive = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  let lastTotal = 0;
  return {
    onProgress(p) {
      if (p.total === 0) return;
      lastTotal = p.total;
      if (!interactive) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            format: `${label} [{bar}] {percentage}% | {value}/{total} passages | {eta}s left`,
            stream: process.stderr,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, p.done);
      }
      bar.update(p.done);
    },
    stop() {
      if (bar) bar.stop();
      else if (lastTotal > 0) process.stderr.write(`${label}: ${lastTotal} passages embedded\n`);
    },
  };
}

/** Opens the service, printing one line per skipped corpus file or line and a progress bar while indexing. */
export async function openServiceForCli(
  context: CliContext,
  extra: Partial<OpenNewsServiceOptions> = {},
): Promise<RunningNewsService> {
  const progress = progressReporter("Indexing");
  try {
    return await openNewsService({
      config: context.config,
      logger: context.logger,
      onProgress: progress.onProgress,
      onProblem: (p) => process.stderr.write(`skipped ${formatProblem(p)}\n`),
      ...extra,
    });
  } finally {
    progress.stop();
  }
}

/** Splits stdin into lines as they arrive; resolves at EOF. */
export async function* stdinLines(): AsyncGenerator<string> {
  const { createInterface } = await import("node:readline");
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  for await (const line of rl) yield line;
}
