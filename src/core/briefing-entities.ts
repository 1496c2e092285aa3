/**
 * Cheap named-entity cues for story grouping: capitalised names (multi-word and single), and numbers that are not
 * years. No model, no lexicon beyond a short stop list; good enough to tell "two reports of the same event" from
 * "two events on the same day" when combined with embedding similarity.
 */

/** What kind of cue an entity is; multi-word names are the strongest evidence of a shared story. */
export type EntityKind = "name" | "word" | "number";

export interface EntityCue {
  readonly key: string;
  readonly kind: EntityKind;
  /** The text as first seen, for debugging and tests. */
  readonly surface: string;
}

const STOP = new Set(
  (
    "a an the and or but in on at of for to by from with as after before since until during about over under " +
    "he she it they we i you his her its their our this that these those there here his hers mr mrs ms dr sir " +
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august " +
    "september october november december today yesterday tomorrow according however also while when where what " +
    "who why how if then than president prime minister chief minister secretary general officials official " +
    "government police court state states city county north south east west new former wikinews interview"
  ).split(" "),
);

/** Words that name nothing on their own, though they are parts of names ("United States", "Land Forces"). */
const GENERIC = new Set(
  (
    "united national international democratic republican royal federal supreme district central university " +
    "department ministry party forces force union council committee league association agency authority " +
    "organization organisation institute academy commission office house senate congress parliament " +
    "news times post press daily world american european african asian great saint san los las el"
  ).split(" "),
);

const CONNECTORS = new Set([
  "of",
  "de",
  "del",
  "da",
  "van",
  "von",
  "al",
  "bin",
  "der",
  "la",
  "le",
  "du",
  "y",
]);

/** A word that starts with an upper-case letter (any script), possibly hyphenated: "Erdoğan", "Al-Qaeda". */
const CAP = /^\p{Lu}[\p{L}\p{M}'’.-]*$/u;
const TOKEN = /[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}'’.,–-]*[\p{L}\p{M}\p{N}]|[\p{L}\p{N}]/gu;

const SUFFIXES = ["ians", "ian", "ans", "an", "ese", "ish", "s"] as const;

/** Lower-cases and folds demonyms onto places: "Syrian"/"Syria" → "syri", "Ecuadorian"/"Ecuador" → "ecuador". */
export function stemName(word: string): string {
  let w = word.toLowerCase().replace(/['’]s$/, "");
  for (const suffix of SUFFIXES) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 4) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.length >= 5) w = w.replace(/[aeiouy]$/, "");
  return w;
}

function isSentenceStart(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 4), index);
  return index === 0 || /(?:[.!?]["'”’)]?\s+|\n\s*|^\s*|[“"(]\s*)$/.test(before);
}

/**
 * Entity cues of a text: keys are normalised (lower-case, demonym-folded for single words) so that the same
 * name written in two articles matches. Single capitalised words at the start of a sentence are ignored because
 * capitalisation there says nothing; names inside multi-word sequences also count as single-word cues.
 */
export function extractEntities(text: string): Map<string, EntityCue> {
  const cues = new Map<string, EntityCue>();
  const add = (key: string, kind: EntityKind, surface: string) => {
    if (key.length < 2 || cues.has(key)) return;
    cues.set(key, { key, kind, surface });
  };
  const tokens: { word: string; index: number }[] = [];
  for (const m of text.matchAll(TOKEN)) tokens.push({ word: m[0].replace(/[.,]+$/, ""), index: m.index });

  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    const number = /^\d[\d,.]*$/.test(t.word) ? t.word.replace(/,/g, "") : null;
    if (number !== null) {
      const value = Number(number);
      const isYear = /^\d{4}$/.test(number) && value >= 1900 && value <= 2100;
      if (!isYear && Number.isFinite(value) && value >= 10) add(`#${number}`, "number", t.word);
      i++;
      continue;
    }
    if (!CAP.test(t.word)) {
      i++;
      continue;
    }
    // Collect a run of capitalised words, allowing lower-case connectors between them ("Bank of England").
    const run: { word: string; index: number }[] = [t];
    let j = i + 1;
    while (j < tokens.length) {
      const next = tokens[j]!;
      const gap = text.slice(run[run.length - 1]!.index + run[run.length - 1]!.word.length, next.index);
      if (!/^[ \u00A0]$/.test(gap)) break;
      if (CAP.test(next.word)) {
        run.push(next);
        j++;
        continue;
      }
      const after = tokens[j + 1];
      if (CONNECTORS.has(next.word.toLowerCase()) && after && CAP.test(after.word)) {
        run.push(next, after);
        j += 2;
        continue;
      }
      break;
    }
    const names = run.filter((r) => !CONNECTORS.has(r.word.toLowerCase()));
    // Drop a leading stop word ("The White House" → "White House") and a sentence-initial common word.
    while (names.length > 0 && STOP.has(names[0]!.word.toLowerCase())) names.shift();
    const sentenceStart = isSentenceStart(text, t.index);
    if (names.length >= 2) {
      add(names.map((n) => n.word.toLowerCase()).join(" "), "name", names.map((n) => n.word).join(" "));
    }
    for (const [k, n] of names.entries()) {
      const lower = n.word.toLowerCase();
      if (STOP.has(lower) || GENERIC.has(lower) || n.word.length < 3) continue;
      if (k === 0 && names.length === 1 && sentenceStart && n.index === t.index) continue;
      add(stemName(n.word), "word", n.word);
    }
    i = j;
  }
  return cues;
}
