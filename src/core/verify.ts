/**
 * The one check every answer path uses: a quote is shown only if it is verbatim in its cited article
 * at the recorded offsets. Only whitespace runs and quote-mark/apostrophe/dash style are normalised.
 */
import type { Article } from "./types.js";

const quoteMarks = /[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4]/g;
const doubleMarks = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g;

/** Canonical form used for comparison: one space for any whitespace run, straight quote marks. */
export function normalizeForCompare(text: string): string {
  return text.replace(quoteMarks, "'").replace(doubleMarks, '"').replace(/\s+/g, " ").trim();
}

export interface QuoteClaim {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * True when `quote.text` equals the article text at `[start, end)` (modulo whitespace and quote style)
 * and is not empty. Offsets must be inside the article.
 */
export function verifyQuote(article: Pick<Article, "text">, quote: QuoteClaim): VerifyResult {
  const { start, end } = quote;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    end > article.text.length ||
    start >= end
  ) {
    return { ok: false, reason: `offsets [${start}, ${end}) are outside the article` };
  }
  const expected = normalizeForCompare(article.text.slice(start, end));
  const actual = normalizeForCompare(quote.text);
  if (actual.length === 0) return { ok: false, reason: "empty quote" };
  if (expected !== actual)
    return { ok: false, reason: "text differs from the article at the recorded offsets" };
  return { ok: true };
}

/**
 * Finds `quote` in the article (whitespace- and quote-style-insensitive) and returns its offsets, or null.
 * Used to ground text that arrives without offsets (model output, gold answers); the result still goes through
 * `verifyQuote`.
 */
export function locateQuote(
  articleText: string,
  quote: string,
  from = 0,
): { start: number; end: number } | null {
  const needle = normalizeForCompare(quote);
  if (needle.length === 0) return null;
  // Build the normalised article once with a map from normalised index to original index.
  const map: number[] = [];
  let normalized = "";
  let lastWasSpace = true;
  for (let i = from; i < articleText.length; i++) {
    let ch = articleText[i]!;
    if (/\s/.test(ch)) {
      if (lastWasSpace) continue;
      ch = " ";
      lastWasSpace = true;
    } else {
      lastWasSpace = false;
      if (quoteMarks.test(ch)) ch = "'";
      else if (doubleMarks.test(ch)) ch = '"';
      quoteMarks.lastIndex = 0;
      doubleMarks.lastIndex = 0;
    }
    normalized += ch;
    map.push(i);
  }
  const at = normalized.indexOf(needle);
  if (at < 0) return null;
  const start = map[at]!;
  const end = map[at + needle.length - 1]! + 1;
  return { start, end };
}
