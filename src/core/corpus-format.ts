/**
 * Parses corpus files into articles: Markdown/text with optional YAML front matter, and JSON Lines with one
 * article per line. Pure (content in, articles and problems out), so the reader can skip a bad file or line
 * with one clear message and keep everything else.
 */
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Article } from "./types.js";

export interface CorpusProblem {
  readonly file: string;
  /** 1-based line number for JSON Lines, absent for whole-file problems. */
  readonly line?: number;
  readonly message: string;
}

export interface ParsedCorpusFile {
  readonly articles: Article[];
  readonly problems: CorpusProblem[];
}

export const SUPPORTED_EXTENSIONS = [".md", ".markdown", ".txt", ".jsonl"] as const;

const isoDate = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : v.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00Z`))) {
    ctx.addIssue({ code: "custom", message: `date must be YYYY-MM-DD, got "${s}"` });
    return z.NEVER;
  }
  return s;
});

const optionalText = z
  .string()
  .trim()
  .nullish()
  .transform((v) => (v ? v : null));

const idSchema = z
  .string()
  .trim()
  .min(1, "id must not be empty")
  .max(200, "id is too long")
  .regex(/^[^\s#~]+$/, "id must not contain spaces, '#' or '~'");

const jsonArticleSchema = z.object({
  id: idSchema,
  title: z.string().trim().min(1, "title must not be empty"),
  date: isoDate.nullish().transform((v) => v ?? null),
  url: optionalText,
  source: optionalText,
  license: optionalText,
  text: z.string().refine((t) => t.trim().length > 0, "text must not be empty"),
});

const frontMatterSchema = z.object({
  id: z.union([idSchema, z.number().transform(String)]).optional(),
  title: z.union([z.string(), z.number().transform(String)]).optional(),
  date: isoDate.nullish(),
  url: optionalText,
  source: optionalText,
  license: optionalText,
});

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/** Parses one file's content. `file` is used for the fallback id and in problem messages. */
export function parseCorpusFile(file: string, content: string): ParsedCorpusFile {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".jsonl") return parseJsonLines(file, content);
  if (ext === ".md" || ext === ".markdown" || ext === ".txt") return parseTextArticle(file, content);
  return {
    articles: [],
    problems: [{ file, message: `unsupported file type "${ext}" (use .md, .txt or .jsonl)` }],
  };
}

function parseJsonLines(file: string, content: string): ParsedCorpusFile {
  const articles: Article[] = [];
  const problems: CorpusProblem[] = [];
  const lines = content.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      problems.push({ file, line: i + 1, message: `not valid JSON (${(error as Error).message})` });
      return;
    }
    const parsed = jsonArticleSchema.safeParse(value);
    if (!parsed.success) {
      problems.push({ file, line: i + 1, message: describe(parsed.error) });
      return;
    }
    articles.push(parsed.data);
  });
  return { articles, problems };
}

const frontMatterPattern = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/;

function parseTextArticle(file: string, content: string): ParsedCorpusFile {
  const fail = (message: string): ParsedCorpusFile => ({ articles: [], problems: [{ file, message }] });
  if (content.includes("\u0000")) return fail("binary content (NUL bytes), not a text article");
  let meta: Partial<z.infer<typeof frontMatterSchema>> = {};
  let text = content;
  const match = frontMatterPattern.exec(content);
  if (match) {
    let yaml: unknown;
    try {
      yaml = parseYaml(match[1] ?? "") ?? {};
    } catch (error) {
      return fail(`front matter is not valid YAML (${(error as Error).message.split("\n")[0]})`);
    }
    const parsed = frontMatterSchema.safeParse(yaml);
    if (!parsed.success) return fail(`front matter: ${describe(parsed.error)}`);
    meta = parsed.data;
    text = content.slice(match[0].length);
  } else if (content.startsWith("---\n")) {
    return fail("front matter starts with --- but is never closed");
  }
  if (text.trim() === "") return fail("the article has no text");
  const base = path.basename(file, path.extname(file));
  const id = meta.id ?? base.replace(/[\s#~]+/g, "-");
  const idCheck = idSchema.safeParse(id);
  if (!idCheck.success) return fail(`id: ${describe(idCheck.error)}`);
  const firstLine = text
    .trim()
    .split("\n")[0]!
    .replace(/^#+\s*/, "")
    .trim();
  const title = meta.title?.trim() || (firstLine.length > 0 && firstLine.length <= 160 ? firstLine : base);
  return {
    articles: [
      {
        id: idCheck.data,
        title,
        date: meta.date ?? null,
        source: meta.source ?? null,
        url: meta.url ?? null,
        license: meta.license ?? null,
        text,
      },
    ],
    problems: [],
  };
}
