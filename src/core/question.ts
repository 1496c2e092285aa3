/**
 * Question analysis: what kind of answer a question wants (a person's words, a number, a time, a place, a fact),
 * its topic terms, and any date it names. Drives evidence choice inside candidate passages.
 */
import { QUESTION_FRAME_WORDS, STOPWORDS, stem, tokenize } from "./text.js";

export type QuestionKind = "quote" | "number" | "when" | "where" | "who" | "fact";

export interface QuestionAnalysis {
  readonly text: string;
  readonly kind: QuestionKind;
  /** Stemmed topic terms, frame words ("say", "according") removed; duplicates kept once. */
  readonly terms: readonly string[];
  /** The question's own word for each term (same order as `terms`), for word-vector matching. */
  readonly words: readonly string[];
  /** True when the question asks for someone's words or reaction. */
  readonly wantsQuote: boolean;
  /**
   * The names the question uses (capitalised words past the first), each as its alternative stemmed terms,
   * e.g. [["derna"], ["i", "75", "i75"]].
   */
  readonly names: readonly (readonly string[])[];
  /** Years the question names, e.g. [2019]. */
  readonly years: readonly number[];
  /** An exact date the question names (`YYYY-MM-DD`), if any. */
  readonly date: string | null;
}

const months = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

const quoteCue =
  /\b(?:say|says|said|tell|told|tweet(?:ed)?|write|wrote|react(?:ed)?|respond(?:ed)?|describe[d]?|explain(?:ed)?|warn(?:ed)?|threaten(?:ed)?|pledge[d]?|promise[d]?|claim(?:ed)?|argue[d]?|criticis(?:e|ed)|criticiz(?:e|ed)|apologi[sz]e[d]?|hint(?:ed)?|remember(?:ed)?|feel|felt|think|thought|answer(?:ed)?|message|reaction|quote[d]?|comment(?:ed)?|recall(?:ed)?|announce[d]?|insist(?:ed)?|urge[d]?)\b/i;

/** Finds a date named in the question: ISO, "2 October 2019", "October 2, 2019", "December 26, 2020". */
export function findDate(text: string): string | null {
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}`;
  const lower = text.toLowerCase();
  const monthAlt = months.join("|");
  const dmy = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)? (${monthAlt}),? (\\d{4})\\b`).exec(lower);
  const mdy = new RegExp(`\\b(${monthAlt}) (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})\\b`).exec(lower);
  const pick = dmy
    ? { d: dmy[1]!, m: dmy[2]!, y: dmy[3]! }
    : mdy
      ? { d: mdy[2]!, m: mdy[1]!, y: mdy[3]! }
      : null;
  if (!pick) return null;
  const month = months.indexOf(pick.m) + 1;
  return `${pick.y}-${String(month).padStart(2, "0")}-${pick.d.padStart(2, "0")}`;
}

export function analyzeQuestion(question: string): QuestionAnalysis {
  const text = question.trim();
  const lower = text.toLowerCase();
  const date = findDate(text);
  const years = [...new Set([...text.matchAll(/\b(1[89]\d{2}|20\d{2})\b/g)].map((m) => Number(m[1])))];
  const wantsQuote =
    quoteCue.test(lower) ||
    /\baccording to (?!(?:the )?(?:news|reports?|data|figures|study|studies|the (?:news|report)))\S/i.test(
      text,
    );
  let kind: QuestionKind = "fact";
  if (
    /\bhow (?:many|much|long|far|big|large|high|old|fast)\b|\bwhat (?:share|percentage|proportion|number)\b|\bup to what\b/.test(
      lower,
    )
  ) {
    kind = "number";
  } else if (/^\s*when\b|\bwhat (?:year|date|day|time)\b/.test(lower)) {
    kind = "when";
  } else if (/^\s*where\b|\bwhich (?:country|city|countries|state|place)\b|\bfrom where\b/.test(lower)) {
    kind = "where";
  } else if (wantsQuote) {
    kind = "quote";
  } else if (/^\s*(?:who|whom|whose)\b|\bwhich (?:actor|person|team|party|player|company)\b/.test(lower)) {
    kind = "who";
  }
  // "how many/much/long/fast …" say what kind of answer is wanted, not what it is about.
  const kindWords = new Set([...lower.matchAll(/\bhow (\w+)/g)].map((m) => m[1]!));
  const terms: string[] = [];
  const words: string[] = [];
  for (const word of tokenize(text)) {
    if (STOPWORDS.has(word) || QUESTION_FRAME_WORDS.has(word) || kindWords.has(word) || months.includes(word))
      continue;
    if (/^(?:\d{1,2}|1[89]\d{2}|20\d{2})$/.test(word)) continue;
    const term = stem(word);
    if (terms.includes(term)) continue;
    terms.push(term);
    words.push(word);
  }
  const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
  // Each capitalised word past the first is a name; its terms are alternatives ("I-75" → "i75" or "75").
  const names: string[][] = [];
  for (const m of text.matchAll(/(?<=[\p{L}\p{N},;:'’"()]\s+)\p{Lu}[\p{L}\p{N}'’-]*/gu)) {
    const alternatives = tokenize(m[0])
      .filter((w) => !STOPWORDS.has(w) && !months.includes(w) && !weekdays.includes(w) && w.length >= 2)
      .map(stem);
    if (alternatives.length > 0 && !names.some((n) => n.join() === alternatives.join()))
      names.push(alternatives);
  }
  return { text, kind, terms, words, names, wantsQuote, years, date };
}

/** True when a sentence holds the kind of thing the question asks for (a number, a time, a place). */
/** Words that date a sentence (compiled once: this runs for every sentence a question reads). */
const timeWords = new RegExp(
  `\\b(?:${months.join("|")}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|ago|since|until|decade|century|years?)\\b`,
  "i",
);

export function sentenceFitsKind(kind: QuestionKind, sentence: string): boolean {
  switch (kind) {
    case "number":
      return /\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|half|quarter)\b/i.test(
        sentence,
      );
    case "when":
      return /\b(?:1[89]\d{2}|20\d{2})\b/.test(sentence) || timeWords.test(sentence);
    case "where":
      return /\b(?:in|at|near|from|off|across|outside)\s+(?:the\s+)?\p{Lu}/u.test(sentence);
    case "who":
      return /\p{Lu}\p{Ll}+\s+\p{Lu}\p{Ll}+/u.test(sentence);
    default:
      return false;
  }
}

/** Greetings, thanks and the like: not questions about the news. */
export function isSmallTalk(text: string): boolean {
  return /^(?:hi|hello|hey|hiya|yo|thanks?|thank you|thx|cheers|ok(?:ay)?|bye|goodbye|good (?:morning|afternoon|evening|night)|how are you|who are you|what can you do|test(?:ing)?)\b[\s!?.,:)(]*(?:there|bot|again)?[\s!?.,:)(]*$/i.test(
    text.trim(),
  );
}
