/**
 * Sentence segmentation with character offsets. Rule-based: a sentence ends at `.`, `!` or `?` (optionally
 * followed by closing quotes/brackets) before whitespace and an upper-case letter, digit or opening quote,
 * except after common abbreviations ("U.S.", "Mr.", "Jan.") and initials. Paragraph breaks always end a sentence.
 */
import type { Span } from "./types.js";

const abbreviations = new Set([
  "mr",
  "mrs",
  "ms",
  "dr",
  "prof",
  "sr",
  "jr",
  "st",
  "mt",
  "gen",
  "col",
  "lt",
  "sgt",
  "capt",
  "cmdr",
  "adm",
  "gov",
  "sen",
  "rep",
  "pres",
  "rev",
  "hon",
  "fr",
  "messrs",
  "no",
  "v",
  "nos",
  "vs",
  "etc",
  "inc",
  "ltd",
  "co",
  "corp",
  "jan",
  "feb",
  "mar",
  "apr",
  "jun",
  "jul",
  "aug",
  "sep",
  "sept",
  "oct",
  "nov",
  "dec",
  "u.s",
  "u.k",
  "u.n",
  "e.g",
  "i.e",
  "a.m",
  "p.m",
  "approx",
  "est",
  "dept",
  "univ",
  "ave",
  "blvd",
  "rd",
  "ft",
]);

const closers = `"'\u201D\u2019)]\u00BB`;
const openers = `"'\u201C\u2018([\u00AB`;

function isBoundaryAfter(text: string, dot: number): boolean {
  const ch = text[dot];
  if (ch === "!" || ch === "?") return true;
  // ch === "."
  const before = text.slice(Math.max(0, dot - 12), dot);
  const word = /([A-Za-z.]+)$/.exec(before)?.[1] ?? "";
  const bare = word.toLowerCase().replace(/^\.+/, "");
  if (abbreviations.has(bare)) return false;
  // Single initials ("J. Smith") and dotted acronyms ("U.S.") are not boundaries.
  if (/^[A-Z]$/.test(word)) return false;
  if (/^(?:[A-Za-z]\.)+[A-Za-z]$/.test(word)) return false;
  if (/\d$/.test(before) && /^\d/.test(text[dot + 1] ?? "")) return false;
  return true;
}

/** Splits `text[start, end)` into sentence spans (absolute offsets), trimmed of surrounding whitespace. */
export function splitSentences(text: string, start = 0, end = text.length): Span[] {
  const spans: Span[] = [];
  let sentenceStart = start;
  const push = (s: number, e: number) => {
    while (s < e && /\s/.test(text[s]!)) s++;
    while (e > s && /\s/.test(text[e - 1]!)) e--;
    if (e > s) spans.push({ start: s, end: e });
  };
  for (let i = start; i < end; i++) {
    const ch = text[i]!;
    if (ch === "\n" && text[i + 1] === "\n") {
      push(sentenceStart, i);
      sentenceStart = i + 1;
      continue;
    }
    if (ch !== "." && ch !== "!" && ch !== "?") continue;
    let j = i + 1;
    while (j < end && (text[j] === "." || text[j] === "!" || text[j] === "?")) j++;
    while (j < end && closers.includes(text[j]!)) j++;
    if (j >= end) continue;
    if (!/\s/.test(text[j]!)) continue;
    let k = j;
    while (k < end && /\s/.test(text[k]!)) k++;
    if (k >= end) continue;
    const next = text[k]!;
    const startsSentence = /[\p{Lu}\d]/u.test(next) || openers.includes(next);
    if (!startsSentence) continue;
    if (!isBoundaryAfter(text, i)) {
      i = j - 1;
      continue;
    }
    push(sentenceStart, j);
    sentenceStart = j;
    i = j - 1;
  }
  push(sentenceStart, end);
  return spans;
}

/** Splits text into paragraph spans at blank lines (or single newlines when the text has no blank lines). */
export function splitParagraphs(text: string): Span[] {
  const separator = /\n\s*\n/.test(text) ? /\n\s*\n/g : /\n/g;
  const spans: Span[] = [];
  let last = 0;
  for (const match of text.matchAll(separator)) {
    pushTrimmed(text, last, match.index, spans);
    last = match.index + match[0].length;
  }
  pushTrimmed(text, last, text.length, spans);
  return spans;
}

function pushTrimmed(text: string, s: number, e: number, out: Span[]): void {
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  if (e > s) out.push({ start: s, end: e });
}
