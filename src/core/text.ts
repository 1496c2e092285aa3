/**
 * Word-level text processing shared by lexical search, sentence scoring and question analysis:
 * tokenisation (unicode letters and numbers, accents folded), stop words, and a light English stemmer.
 */

const stopwordList =
  "a about above after again against all also am an and any are aren't as at be because been before being below between both but by can could did didn't do does doesn't doing don't down during each few for from further had has have having he her here hers herself him himself his how i if in into is isn't it it's its itself just let me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was wasn't we were weren't what when where which while who whom why will with would you your yours yourself yourselves s t";

export const STOPWORDS: ReadonlySet<string> = new Set(stopwordList.split(" "));

/** Words that frame a question rather than carry its topic ("What did X say about …"). */
export const QUESTION_FRAME_WORDS: ReadonlySet<string> = new Set(
  "say said says tell told according report reported reports news describe described explain explained react reacted respond responded give gave think thought feel felt happen happened mean means per".split(
    " ",
  ),
);

/** Lowercases and strips diacritics ("Erdoğan" → "erdogan"). */
export function foldCase(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

const wordPattern = /[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*/gu;
// ASCII text needs no Unicode folding (NFKD leaves ASCII as is, it has no marks) and, once lowercased, the same
// words are exactly these: the fast path below gives identical tokens at a fraction of the cost (hot at query time).
const nonAscii = /[\u0080-\uffff]/;
const asciiWordPattern = /[a-z0-9]+(?:['.-][a-z0-9]+)*/g;

/** Words in order, folded to lowercase without accents; possessive 's dropped; dotted acronyms kept joined. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const ascii = !nonAscii.test(text);
  let folded = ascii ? text.toLowerCase() : foldCase(text);
  if (folded.includes(",")) folded = folded.replace(/(\d),(?=\d{3})/g, "$1");
  const pattern = ascii ? asciiWordPattern : wordPattern;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(folded); match !== null; match = pattern.exec(folded)) {
    let word = match[0];
    if (!ascii && word.includes("’")) word = word.replace(/’/g, "'");
    if (word.endsWith("'s")) word = word.slice(0, -2);
    if (word.includes(".")) word = word.replace(/\./g, "");
    if (word.includes("-")) {
      for (const part of word.split("-")) if (part) out.push(part);
      if (word.replace(/-/g, "").length > 0) out.push(word.replace(/-/g, ""));
      continue;
    }
    if (word) out.push(word);
  }
  return out;
}

/**
 * A light suffix-stripping stemmer: enough to match "reviews"/"review", "withdrawing"/"withdraw",
 * "stationed"/"station", without Porter's aggressive conflations. Numbers are returned unchanged.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("es") && /(?:ch|sh|x|z|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith("ing")) w = undouble(w.slice(0, -3));
  else if (w.length > 4 && w.endsWith("ed") && !w.endsWith("eed")) w = undouble(w.slice(0, -2));
  else if (w.length > 5 && w.endsWith("ly")) w = w.slice(0, -2);
  if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  return britishStems.get(w) ?? w;
}

/**
 * British spellings whose stems differ from the American ones, folded to the American stem so "defence minister"
 * finds "Defense Minister" and back (questions and articles mix both).
 */
const britishStems: ReadonlyMap<string, string> = new Map([
  ["defenc", "defens"],
  ["offenc", "offens"],
  ["licenc", "licens"],
  ["pretenc", "pretens"],
]);

function undouble(w: string): string {
  return /([bdfgmnprt])\1$/.test(w) ? w.slice(0, -1) : w;
}

/** Content terms: tokenised, stop words removed, stemmed. */
export function contentTerms(text: string, extraStop?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const word of tokenize(text)) {
    if (STOPWORDS.has(word) || extraStop?.has(word)) continue;
    out.push(stem(word));
  }
  return out;
}
