/**
 * Keeps a running bot's corpus fresh: watches the corpus folder (fs.watch, recursive where supported) and also
 * polls, then calls `refresh()` once changes have settled. A file is only taken once its size and mtime are the
 * same on two checks `settleMs` apart, and editor/temp names (`.tmp`, `~`, `.part`, `.swp`, dot-files) are ignored,
 * so a half-written file is never ingested half.
 */
import { type FSWatcher, watch } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../core/ports.js";
import { silentLogger } from "../core/ports.js";

export const corpusWatcherDefaults = {
  /** Quiet time after the last change before a refresh. */
  debounceMs: 1_500,
  /** Gap between the two size/mtime checks that must agree. */
  settleMs: 750,
  /** Periodic re-scan, for file systems where fs.watch misses events (network mounts, some containers). */
  pollMs: 60_000,
} as const satisfies Record<string, number>;

/** Temporary or hidden names that are never corpus files. */
export function isTemporaryName(file: string): boolean {
  const base = path.basename(file);
  return (
    base.startsWith(".") ||
    base.startsWith("~") ||
    base.endsWith("~") ||
    /\.(?:tmp|temp|part|partial|swp|swx|crdownload|download)$/i.test(base) ||
    /^#.*#$/.test(base)
  );
}

export interface CorpusWatcher {
  /** Resolves once the baseline (what the service ingested at start-up) is taken; changes after it are seen. */
  readonly ready: Promise<void>;
  /** Checks now (after the settle delay) and refreshes if anything changed; resolves when done. */
  check(): Promise<boolean>;
  close(): Promise<void>;
}

type Fingerprint = Map<string, string>;

async function fingerprint(dir: string): Promise<Fingerprint> {
  const out: Fingerprint = new Map();
  const walk = async (at: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(at, entry.name);
      if (isTemporaryName(full)) continue;
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        try {
          const s = await stat(full);
          out.set(full, `${s.size}:${s.mtimeMs}`);
        } catch {
          // Removed between readdir and stat: it will be gone in the next fingerprint too.
        }
      }
    }
  };
  await walk(dir);
  return out;
}

const same = (a: Fingerprint, b: Fingerprint) =>
  a.size === b.size && [...a].every(([file, print]) => b.get(file) === print);

/**
 * Starts watching `dir`. `refresh` is the service's incremental re-ingest; it is never run twice at once, and a
 * change that arrives during a refresh triggers one more. `sleep` is injectable so tests need no real waiting.
 */
export function watchCorpus(options: {
  readonly dir: string;
  readonly refresh: () => Promise<unknown>;
  readonly logger?: Logger;
  readonly debounceMs?: number;
  readonly settleMs?: number;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}): CorpusWatcher {
  const logger = options.logger ?? silentLogger;
  const debounceMs = options.debounceMs ?? corpusWatcherDefaults.debounceMs;
  const settleMs = options.settleMs ?? corpusWatcherDefaults.settleMs;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last: Fingerprint | null = null;
  let running: Promise<boolean> | null = null;
  let again = false;
  let closed = false;

  const runCheck = async (): Promise<boolean> => {
    last ??= await fingerprint(options.dir);
    const first = await fingerprint(options.dir);
    if (same(first, last)) return false;
    // Wait until every file has stopped changing: a writer still appending changes size or mtime.
    let previous = first;
    for (;;) {
      await sleep(settleMs);
      const next = await fingerprint(options.dir);
      if (same(next, previous)) break;
      previous = next;
      if (closed) return false;
    }
    logger.info("Corpus changed; refreshing", { dir: options.dir, files: previous.size });
    await options.refresh();
    last = previous;
    return true;
  };

  const check = (): Promise<boolean> => {
    if (running) {
      again = true;
      return running;
    }
    running = runCheck()
      .catch((error: unknown) => {
        logger.error("Corpus refresh failed; keeping the previous corpus", {
          error: error instanceof Error ? error.message : String(error),
        });
        return false;
      })
      .finally(() => {
        running = null;
        if (again && !closed) {
          again = false;
          void check();
        }
      });
    return running;
  };

  // The baseline is what the service ingested at start-up.
  const ready = fingerprint(options.dir).then((f) => {
    last ??= f;
  });

  let timer: NodeJS.Timeout | null = null;
  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void ready.then(check);
    }, debounceMs);
  };
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(options.dir, { recursive: true }, (_event, file) => {
      if (file && isTemporaryName(String(file))) return;
      schedule();
    });
    watcher.on("error", (error) =>
      logger.warn("Corpus watch failed; polling only", { error: error.message }),
    );
  } catch (error) {
    logger.warn("Cannot watch the corpus folder; polling only", {
      dir: options.dir,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  const poll = setInterval(() => void ready.then(check), options.pollMs ?? corpusWatcherDefaults.pollMs);
  poll.unref();

  return {
    ready,
    check: async () => {
      await ready;
      return check();
    },
    async close() {
      closed = true;
      watcher?.close();
      if (timer) clearTimeout(timer);
      clearInterval(poll);
      await running;
    },
  };
}
