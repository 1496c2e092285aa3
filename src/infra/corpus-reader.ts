/**
 * Reads corpus files and folders from disk into articles. A malformed file or line is reported as one problem
 * naming the file (and line) and skipped; everything else is returned. Hidden, temporary and partial files
 * (".x", "x~", "x.tmp", "x.part", "x.swp") are ignored so a half-written file is never ingested half.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { type CorpusProblem, parseCorpusFile, SUPPORTED_EXTENSIONS } from "../core/corpus-format.js";
import type { Article } from "../core/types.js";

export interface CorpusReadResult {
  readonly articles: Article[];
  readonly problems: CorpusProblem[];
  readonly files: number;
}

const ignored = /(?:^\.|~$|\.tmp$|\.part$|\.swp$|\.crdownload$)/i;

async function listFiles(target: string, problems: CorpusProblem[]): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(target);
  } catch {
    problems.push({ file: target, message: "no such file or folder" });
    return [];
  }
  if (info.isFile()) return [target];
  if (!info.isDirectory()) return [];
  const out: string[] = [];
  const entries = await readdir(target, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (ignored.test(entry.name)) continue;
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, problems)));
    else if (
      entry.isFile() &&
      (SUPPORTED_EXTENSIONS as readonly string[]).includes(path.extname(entry.name).toLowerCase())
    )
      out.push(full);
  }
  return out;
}

/** What a corpus is on disk without reading it: every file `readCorpus` would read, with its size and mtime. */
export interface CorpusListing {
  readonly files: readonly { readonly file: string; readonly size: number; readonly mtimeMs: number }[];
  /** Paths that are missing (the same problems `readCorpus` reports for them). */
  readonly problems: readonly CorpusProblem[];
}

/**
 * Lists and stats the corpus files (as `make` and `rsync` do, a changed file is one whose size or modification time
 * changed), so a start over an unchanged corpus need not read and hash every article again.
 */
export async function listCorpus(paths: readonly string[]): Promise<CorpusListing> {
  const problems: CorpusProblem[] = [];
  const files: CorpusListing["files"][number][] = [];
  for (const p of paths)
    for (const file of await listFiles(p, problems)) {
      try {
        const info = await stat(file);
        files.push({ file: path.resolve(file), size: info.size, mtimeMs: info.mtimeMs });
      } catch {
        // Gone between the listing and the stat: `readCorpus` reports it.
        files.push({ file: path.resolve(file), size: -1, mtimeMs: -1 });
      }
    }
  return { files, problems };
}

/** True when two listings name the same files with the same sizes and modification times. */
export function sameListing(a: CorpusListing["files"], b: CorpusListing["files"]): boolean {
  return (
    a.length === b.length &&
    a.every((f, i) => {
      const g = b[i]!;
      return f.file === g.file && f.size === g.size && f.mtimeMs === g.mtimeMs && f.size >= 0;
    })
  );
}

/** Reads every supported file under `paths` (files or folders). Duplicate ids keep the first and report the rest. */
export async function readCorpus(paths: readonly string[]): Promise<CorpusReadResult> {
  const problems: CorpusProblem[] = [];
  const files: string[] = [];
  for (const p of paths) files.push(...(await listFiles(p, problems)));
  const articles: Article[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let content: string;
    try {
      content = await readFile(file, "utf8");
    } catch (error) {
      problems.push({
        file,
        message: `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      });
      continue;
    }
    const parsed = parseCorpusFile(file, content);
    problems.push(...parsed.problems);
    for (const article of parsed.articles) {
      const first = seen.get(article.id);
      if (first !== undefined) {
        problems.push({
          file,
          message: `duplicate article id "${article.id}" (first seen in ${first}); skipped`,
        });
        continue;
      }
      seen.set(article.id, file);
      articles.push(article);
    }
  }
  return { articles, problems, files: files.length };
}

/** One line per problem, e.g. `corpus/bad.jsonl:3: title: title must not be empty`. */
export function formatProblem(problem: CorpusProblem): string {
  return `${problem.file}${problem.line ? `:${problem.line}` : ""}: ${problem.message}`;
}
