/**
 * Direct-quotation and speaker extraction. Finds quoted speech in an article (straight and curly double quotes,
 * curly single quotes when clearly a quotation, quotes continued across paragraphs, and "Name: …" interview
 * turns) and attributes each quote to its speaker with rule-based patterns over the surrounding sentence:
 * `X said "…"`, `"…," said X`, `"…," X told Y`, `According to X, "…"`, a role before or after the name, pronoun
 * continuations ("He also noted that …") and bare quotes that continue the previous speaker. A quote the text
 * does not attribute keeps `speaker: null`: nothing here invents a speaker.
 *
 * Heuristics worth knowing (also in docs/quotes.md):
 * - Scare quotes: a quoted phrase of at most three words is kept only when a speech verb attributes it; titles,
 *   nicknames and scare quotes ("corrupt oaf") are dropped, so the answer layer only ever sees speech.
 * - "he"/"she" resolve to the most recent person named as a sentence subject or speaker in the last few
 *   sentences whose gender (from a title or a short first-name list) does not contradict the pronoun.
 * - A surname alone ("Kelly") is expanded to the earliest full name in the article that ends with it ("Annie
 *   Kelly"); a role given at any mention of that person is reused when the attribution names none.
 * - "Reuters reported, citing officials, that "…"" is attributed to Reuters: the outlet is who the article
 *   quotes; the officials are not named.
 */
import { splitParagraphs, splitSentences } from "./sentences.js";
import type { Article, QuoteRecord, Span } from "./types.js";

// ---------------------------------------------------------------------------------------------------------
// Lexicons
// ---------------------------------------------------------------------------------------------------------

const speechVerbs = new Set(
  `say says said saying tell tells told telling explain explains explained explaining state states stated stating
  add adds added adding warn warns warned warning note notes noted noting write writes wrote writing tweet tweets
  tweeted tweeting ask asks asked asking announce announces announced announcing claim claims claimed claiming
  insist insists insisted insisting argue argues argued arguing continue continues continued continuing comment
  comments commented commenting remark remarks remarked remarking reply replies replied replying respond responds
  responded responding describe describes described describing recall recalls recalled recalling admit admits
  admitted admitting acknowledge acknowledges acknowledged acknowledging urge urges urged urging exclaim exclaims
  exclaimed exclaiming report reports reported reporting analyze analyzes analyzed analyse analyses analysed observe
  observes observed observing recount recounts recounted recounting reveal reveals revealed revealing stress
  stresses stressed stressing emphasize emphasized emphasised emphasizing emphasising declare declares declared
  declaring confirm confirms confirmed confirming deny denies denied denying suggest suggests suggested suggesting
  predict predicts predicted predicting promise promises promised promising vow vows vowed vowing pledge pledges
  pledged pledging threaten threatens threatened threatening call calls called calling assert asserts asserted
  asserting contend contends contended contending conclude concludes concluded concluding caution cautions
  cautioned cautioning complain complains complained complaining concede concedes conceded conceding boast boasts
  boasted boasting joke jokes joked joking quip quips quipped shout shouts shouted shouting mention mentions
  mentioned mentioning post posts posted posting testify testifies testified testifying affirm affirms affirmed
  maintain maintains maintained maintaining lament laments lamented lamenting praise praises praised praising
  criticize criticizes criticized criticizing criticise criticises criticised criticising laud lauds lauded lauding
  condemn condemns condemned condemning speak speaks spoke speaking agree agrees agreed disagree disagrees disagreed
  accuse accuses accused accusing demand demands demanded demanding estimate estimates estimated explaining
  marvel marvels marveled marvelled opine opines opined counter counters countered countering point pointed
  pointing pointing plead pleads pleaded pleading pleaded tout touts touted wonder wonders wondered wondering
  question questioned questioning proclaim proclaimed proclaiming assure assured assuring reiterate reiterated
  reiterating elaborate elaborated elaborating summarize summarized summarised expressed expressing express
  writes apologise apologised apologize apologized apologising apologizing scream screams screamed screaming cry cried
  underline underlined underlining underscore underscored highlight highlighted characterize characterized
  characterise characterised lauded dubbed dub`
    .split(/\s+/)
    .filter(Boolean),
);

/** Speech verbs that do not attribute when passive ("was told", "is called") or bare nouns ("the post"). */
const passiveBlocked = /\b(?:was|were|been|being|is|are|be|so)[\s-]+$/i;

/** Words that, capitalised, name a role or title rather than a person. Matched case-insensitively. */
const roleWords = new Set(
  `president vice prime minister secretary general attorney governor senator sen. sen representative rep. rep
  congressman congresswoman mayor speaker spokesperson spokesman spokeswoman chairman chairwoman chair chairperson
  chief executive officer ceo cfo coo cto director commissioner judge justice chancellor king queen prince princess
  pope cardinal bishop archbishop father rev. reverend dr. dr doctor professor prof. mr. mr mrs. mrs ms. ms miss sir
  dame lord lady captain capt. colonel col. lieutenant lt. sergeant sgt. major gen. admiral adm. commander ambassador
  envoy deputy assistant associate head leader member mp mep fellow coach manager founder co-founder president-elect
  premier sheriff detective inspector superintendent constable marshal auditor treasurer councillor councilor
  councilman councilwoman alderman lawmaker legislator delegate administrator principal dean provost rector emir
  sheikh ayatollah imam rabbi pastor secretary-general director-general editor reporter correspondent analyst
  researcher scientist author co-author developer co-developer lead senior junior press officer spokesperson
  candidate nominee chairperson trustee executive-director minister-president agent officer pilot astronaut
  commander-in-chief editor-in-chief governor-general lieutenant-governor state foreign defence defense home interior
  finance health justice education economy trade labour labor energy environment transport culture affairs`
    .split(/\s+/)
    .filter(Boolean),
);

/** Core role nouns (the head of a role phrase); used to tell a role phrase from a department name. */
const roleHeads = new Set(
  `president minister secretary governor senator mayor speaker spokesperson spokesman spokeswoman chairman
  chairwoman chair chief officer ceo director commissioner judge chancellor king queen prince princess pope bishop
  ambassador envoy leader member fellow coach manager founder premier sheriff professor attorney general
  lawmaker editor analyst scientist author developer candidate nominee head`
    .split(/\s+/)
    .filter(Boolean),
);

/** Lowercase nouns for people that, after "the", can only mean someone the article introduced with that role. */
const personNouns = new Set(
  `actor actress singer artist player driver author writer director producer musician rapper athlete guitarist
  drummer comedian host presenter novelist poet composer architect designer economist historian lawyer`
    .split(/\s+/)
    .filter(Boolean),
);

/** Capitalised function words that start a sentence but never a name. */
const capitalStopwords = new Set(
  `the a an in on at for but and as after before when while this that these those his her their its our my he she
  they it we i you according speaking following during since however meanwhile also then earlier later yesterday
  today tomorrow monday tuesday wednesday thursday friday saturday sunday january february march april may june
  july august september october november december if although though despite with without from by to of about
  asked responding there here what who why how where which some many most all both several other another one two
  three such no not last next first new mr mrs ms dr authorities officials police residents witnesses experts
  critics scientists researchers analysts protesters doctors sources others reports people many some`
    .split(/\s+/)
    .filter(Boolean),
);

const nameParticles = new Set([
  "de",
  "da",
  "del",
  "della",
  "di",
  "du",
  "van",
  "von",
  "der",
  "den",
  "la",
  "le",
]);
const nameParticles2 = new Set(["bin", "ibn", "al", "el", "dos", "das", "ter", "ten", "y", "St."]);

const prepositions = new Set(
  `of at from in for with by to on about into over under near outside inside representing across between among
  against via per behind toward towards`
    .split(/\s+/)
    .filter(Boolean),
);

const orgWords = new Set(
  `house department ministry university office agency center centre council committee party company inc corp
  corporation association federation court police news times post street journal group institute organization
  organisation union bank board service commission bureau government administration foundation network league club
  fund authority press reuters ap afp bbc cnn nasa press college school hospital church army navy force forces
  command embassy parliament congress senate assembly campaign team tv radio channel magazine daily herald telegraph
  guardian tribune airlines airways society trust laboratory lab museum station project program programme`
    .split(/\s+/)
    .filter(Boolean),
);

const femaleCues = new Set(
  `mrs mrs. ms ms. miss queen princess lady dame congresswoman spokeswoman chairwoman councilwoman businesswoman
  actress mother sister wife daughter grandmother girl woman`
    .split(/\s+/)
    .filter(Boolean),
);
const maleCues = new Set(
  `mr mr. king prince lord sir congressman spokesman chairman councilman businessman actor father brother husband
  son grandfather boy man`
    .split(/\s+/)
    .filter(Boolean),
);
/** A short list of common first names; only used to skip a pronoun candidate of the wrong gender. */
const femaleNames = new Set(
  `mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa margaret betty sandra ashley
  kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca laura sharon cynthia kathleen
  amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine debra rachel catherine
  carolyn janet ruth maria heather diane virginia julie joyce victoria olivia kelly christina lauren joan evelyn
  judith megan cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn sara janice jean alice
  madison doris abigail julia judy grace denise amber marilyn beverly danielle theresa sophia marie diana brittany
  natalie isabella charlotte rose alexis kayla annie anne angela kamala hillary theresa suella priti nicola jacinda
  angela ursula christine greta malala sophie nikki sally jing alexis crystal denise ginger ella chloe zoe lucy
  isabel ines ingrid monica paula rosa sonia tanya vera yulia svetlana olga irina natalia elena ana beata ewa
  agnieszka kasia marine segolene annalena giorgia liz theresa margot emmanuelle nadine`
    .split(/\s+/)
    .filter(Boolean),
);
const maleNames = new Set(
  `james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark
  donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary
  nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond
  jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy christian
  keith roger terry gerald harold sean austin carl arthur lawrence dylan jesse jordan bryan billy joe bruce gabriel
  logan albert willie alan juan wayne elijah randy roy vincent ralph eugene russell bobby mason philip louis boris
  vladimir emmanuel recep tayyip narendra xi jair justin angus hassan ali mohammad mohammed ahmed omar ibrahim
  mahmoud abdullah hamid igor sergei dmitry viktor andrzej mateusz jaroslaw donald elon jeff tim bill mike ned
  xavier martin ted hubert sadiq ulf vinnie seth evan vasco kino sam andy nigel rishi keir jeremy mitch chuck
  bernie pete kevin marco ron greg tony ben barack hugh karsten denzel maurizio mehrdad ma mick emmanuel olaf
  volodymyr pedro luiz fernando carlos miguel antonio giuseppe giorgio matteo francesco hans klaus jurgen`
    .split(/\s+/)
    .filter(Boolean),
);

// ---------------------------------------------------------------------------------------------------------
// Small text helpers
// ---------------------------------------------------------------------------------------------------------

interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const tokenPattern = /[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}'’.\-&]*|[,;:()—–"“”]/gu;

function tokenize(text: string, offset = 0): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(tokenPattern)) {
    let t = m[0];
    // A trailing period belongs to the token only for abbreviations and initials ("Dr.", "W.", "U.S.").
    if (t.endsWith(".") && !/^(?:\p{Lu}|\p{Lu}[a-z]{1,3}|(?:\p{L}\.)+\p{L})\.$/u.test(t)) t = t.slice(0, -1);
    out.push({ text: t, start: offset + m.index, end: offset + m.index + t.length });
  }
  return out;
}

const isCapitalised = (word: string) => /^(?:\p{Lu}|(?:al|el|ad|ud|bin|ibn|d|l)[-'’]\p{Lu})/u.test(word);
const isWord = (t: Token | undefined) => t !== undefined && /^[\p{L}\p{M}\p{N}]/u.test(t.text);
const bare = (word: string) =>
  word
    .toLowerCase()
    .replace(/['’]s$/, "")
    .replace(/\.$/, "");
const isPossessive = (word: string) => /['’]s$|s['’]$/.test(word);
const isRoleWord = (word: string) => {
  const w = bare(word);
  return roleWords.has(w) || personNouns.has(w) || (w.endsWith("s") && roleWords.has(w.slice(0, -1)));
};

/** Lowercases, folds accents and punctuation so "Erdoğan" and "erdogan" compare equal. */
export function normalizeSpeaker(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/ı/g, "i")
    .replace(/ł/g, "l")
    .replace(/ø/g, "o")
    .replace(/ß/g, "ss")
    .toLowerCase()
    .replace(/['’]s\b/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

// ---------------------------------------------------------------------------------------------------------
// Speaker noun phrases
// ---------------------------------------------------------------------------------------------------------

/** What an attribution phrase names: a person or organisation, a pronoun, or only a role ("the mayor"). */
type Subject =
  | { readonly kind: "name"; readonly name: string; readonly role: string | null }
  | { readonly kind: "pronoun"; readonly gender: "m" | "f" }
  | { readonly kind: "role"; readonly role: string };

interface Run {
  readonly tokens: Token[];
  readonly first: number;
  readonly last: number;
  /** The run follows a capitalised preposition ("In Paris", "At Google"): an adjunct, not a subject. */
  readonly adjunct: boolean;
}

/** Runs of capitalised tokens (with name particles and "&") in a token list. */
function capitalRuns(tokens: readonly Token[]): Run[] {
  const runs: Run[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (!isWord(t) || !isCapitalised(t.text)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < tokens.length) {
      const next = tokens[j + 1]!;
      if (isWord(next) && isCapitalised(next.text) && !isPossessive(tokens[j]!.text)) {
        j++;
        continue;
      }
      if (
        isWord(next) &&
        (nameParticles.has(next.text) || nameParticles2.has(next.text)) &&
        tokens[j + 2] &&
        isCapitalised(tokens[j + 2]!.text)
      ) {
        j += 2;
        continue;
      }
      // Possessive inside an organisation name ("Sheriff's Office") keeps the run going.
      if (
        isPossessive(tokens[j]!.text) &&
        isWord(next) &&
        isCapitalised(next.text) &&
        orgWords.has(bare(tokens[j + 1]!.text))
      ) {
        j++;
        continue;
      }
      break;
    }
    // Drop leading capitalised function words ("The", "According", "On").
    let s = i;
    while (s <= j && capitalStopwords.has(tokens[s]!.text.toLowerCase())) s++;
    const adjunct = tokens.slice(i, s).some((t) => prepositions.has(t.text.toLowerCase()));
    if (s <= j) runs.push({ tokens: tokens.slice(s, j + 1), first: s, last: j, adjunct });
    i = j + 1;
  }
  return runs;
}

const postNominals = /^(?:QC|KC|MP|MEP|MSP|OBE|MBE|CBE|KBE|PhD|Ph\.D\.|MD|Esq\.?)$/;

/** Splits a capital run into role tokens and name tokens: the name follows the last role word. */
function splitRun(run: Run): { roleEnd: number; nameTokens: Token[] } {
  const toks = run.tokens;
  let cut = -1;
  for (let k = toks.length - 2; k >= 0; k--) {
    if (isRoleWord(toks[k]!.text) || orgWords.has(bare(toks[k]!.text))) {
      cut = k;
      break;
    }
  }
  let nameTokens = toks.slice(cut + 1);
  while (nameTokens.length > 1 && postNominals.test(nameTokens[nameTokens.length - 1]!.text)) {
    nameTokens = nameTokens.slice(0, -1);
  }
  return { roleEnd: cut, nameTokens };
}

function cleanRole(role: string): string | null {
  const r = role
    .replace(/^[\s,;:—–-]+|[\s,;:—–-]+$/g, "")
    // An opening adverbial is not part of the role: "In the letter to GitHub, EFF's attorney" → "EFF's attorney".
    .replace(/^(?:in|on|at|during|after|before|from|with|by|to|speaking)\b[^,]*,\s*(?=\S)/i, "")
    .replace(/^of\s+(?:the\s+)?(?=\S)/i, "")
    .replace(/^(?:the|a|an|former|then-)\s+(?=\S)/i, (m) => (/former/i.test(m) ? m : ""))
    .replace(/\s+/g, " ")
    .trim();
  if (
    r.length < 2 ||
    /^(?:the|a|an)$/i.test(r) ||
    !/\p{L}/u.test(r) ||
    r.length > 120 ||
    r.split(" ").length > 12
  )
    return null;
  if (
    /^(?:who|which|whose|speaking|saying|after|when|while|as|and|but|despite|although|though|if|because|since)\b/i.test(
      r,
    )
  ) {
    return null;
  }
  return r;
}

/**
 * Parses the noun phrase that names a speaker ("White House Spokesperson Annie Kelly", "Aziz Nasirzadeh, Iran's
 * defence minister", "Lead author Sally Wasef of Australia's Griffith University", "he", "the Prime Minister").
 * Returns null when the phrase names nobody ("the ministry", "officials").
 */
function parseSubject(np: string): Subject | null {
  const text = np.replace(/\s+/g, " ").trim();
  if (text === "") return null;
  const pron = /^(?:(?:and|but|then|so)\s+)?(he|she)$/i.exec(text);
  if (pron) return { kind: "pronoun", gender: pron[1]!.toLowerCase() === "she" ? "f" : "m" };
  const tokens = tokenize(text);
  const runs = capitalRuns(tokens);
  for (let r = 0; r < runs.length; r++) {
    let run = runs[r]!;
    const after = tokens[run.last + 1];
    // A run after a preposition is an affiliation ("of Paris"); a run followed by a lowercase noun is a modifier
    // ("Team leader", "SpaceX founder"); a possessive is a modifier ("Iran's defence minister").
    let b = run.first - 1;
    // Skip determiners and possessives: "of Argentina's Amnesty International" is still an affiliation.
    while (b >= 0 && (/^(?:the|a|an)$/i.test(tokens[b]!.text) || isPossessive(tokens[b]!.text))) b--;
    const governing = tokens[b];
    if (run.adjunct || (governing && prepositions.has(governing.text.toLowerCase()))) continue;
    if (isPossessive(run.tokens[run.tokens.length - 1]!.text)) continue;
    if (
      after &&
      isWord(after) &&
      !isCapitalised(after.text) &&
      !prepositions.has(after.text) &&
      !/^(?:who|which|whose|named|called)$/.test(after.text)
    ) {
      continue;
    }
    // "House of Commons Speaker John Bercow", "Secretary of State Mike Pompeo": the name is in the run after "of".
    const ofRun = runs[r + 1];
    const ofGap = ofRun ? tokens.slice(run.last + 1, ofRun.first).map((t) => t.text.toLowerCase()) : [];
    let placeTokens = 0;
    if (after?.text === "of" && ofRun && (ofGap.join(" ") === "of" || ofGap.join(" ") === "of the")) {
      const split = splitRun(ofRun);
      const roleOnly = splitRun(run).nameTokens.every((t) => isRoleWord(t.text));
      if (split.roleEnd >= 0 && split.nameTokens.length > 0) run = ofRun;
      else if (roleOnly && ofRun.tokens.length >= 3) {
        // "Mayor of London Sadiq Khan": the first word after "of" is the place.
        run = ofRun;
        placeTokens = 1;
      }
    }
    const lastWord = run.tokens[run.tokens.length - 1]!.text;
    if (placeTokens === 0 && orgWords.has(bare(lastWord)) && run.tokens.length > 1) {
      // "The Alachua Sheriff's Office", "White House": an organisation name is kept whole.
      const name = text.slice(run.tokens[0]!.start, run.tokens[run.tokens.length - 1]!.end);
      return { kind: "name", name, role: cleanRole(text.slice(0, run.tokens[0]!.start)) };
    }
    const split = splitRun(run);
    const roleEnd = placeTokens > 0 ? 0 : split.roleEnd;
    const nameTokens = placeTokens > 0 ? run.tokens.slice(placeTokens) : split.nameTokens;
    if (nameTokens.length === 0 || nameTokens.every((t) => isRoleWord(t.text))) {
      const roleText = text.slice(0, run.tokens[run.tokens.length - 1]!.end);
      const role = cleanRole(roleText);
      return role ? { kind: "role", role } : null;
    }
    const nameStart = nameTokens[0]!.start;
    const nameEnd = nameTokens[nameTokens.length - 1]!.end;
    let name = text.slice(nameStart, nameEnd);
    if (looksLikeOrg(name)) {
      // "The Foreign Ministry of Iraq": an organisation keeps its "of" complement.
      const of = /^\s+of\s+((?:the\s+)?\p{Lu}[\p{L}\p{M}'’.-]*(?:\s+\p{Lu}[\p{L}\p{M}'’.-]*)*)/u.exec(
        text.slice(nameEnd),
      );
      if (of) name = text.slice(nameStart, nameEnd + of[0].length);
      return { kind: "name", name, role: cleanRole(text.slice(0, nameStart)) };
    }
    let role = cleanRole(text.slice(0, nameStart));
    if (roleEnd < 0 && role && !/\p{L}{3}/u.test(role)) role = null;
    if (!role) {
      const rest = text.slice(nameEnd);
      const appos = /^\s*,\s*([^,]+?)\s*(?:,|$)/.exec(rest);
      const affiliation = /^\s+(?:of|from|at)\s+(.+?)\s*$/.exec(rest);
      if (appos) role = cleanRole(appos[1]!);
      else if (affiliation) role = cleanRole(affiliation[1]!);
    }
    return { kind: "name", name, role };
  }
  // No usable name: a role phrase on its own ("the Prime Minister", "the regional president").
  const roleOnly = /^(?:the|a)\s+([\p{L}\s.'’-]{2,60})$/iu.exec(text);
  if (roleOnly) {
    const words = roleOnly[1]!.split(/\s+/);
    const head = bare(words[words.length - 1]!);
    if (roleHeads.has(head) || personNouns.has(head)) return { kind: "role", role: roleOnly[1]! };
  }
  return null;
}

/**
 * The speaker phrase right before a verb, within `left` (text from a clause start to the verb): handles
 * "Name, role," appositives, "The mayor of Paris, Anne Hidalgo," and adverbs between subject and verb.
 */
function subjectBefore(left: string): Subject | null | "coordination" {
  let s = left.replace(/\s+/g, " ");
  // Adverbs and auxiliaries between subject and verb ("has repeatedly", "also", "went on to").
  for (;;) {
    const next = s.replace(
      /\s*\b(?:also|later|then|further|again|has|have|had|was|would|will|previously|reportedly|once|first|publicly|recently|earlier|subsequently|separately|similarly|finally|additionally|just|repeatedly|officially|explicitly|had|simply|directly|quickly|immediately|initially|jokingly|angrily|openly|went on to|go on to|continued to|proceeded to|did|does|do|not|never)\s*$/i,
      "",
    );
    if (next === s) break;
    s = next;
  }
  s = s.replace(/\s+$/, "");
  if (s === "" || /(?:^|[\s,;:])(?:and|but|or|then)$/i.test(s) || /[;:]$/.test(s)) return "coordination";
  if (s.endsWith(",")) {
    // Appositives: "X, role,", "role, X,", "X, of CNN, one of Y's sons,". The name is in one of the last groups.
    const groups = s.slice(0, -1).split(",");
    let fallback: Subject | null = null;
    for (let g = Math.max(0, groups.length - 4); g < groups.length; g++) {
      const piece = clauseTail(groups[g]!);
      if (/^(?:who|which|whose|where|[a-z]+ing)\b/.test(piece)) continue;
      const subject = parseSubject(piece);
      if (subject?.kind === "name") {
        if (subject.role) return subject;
        const next = groups[g + 1]?.trim();
        if (next && !/^(?:who|which|whose|speaking|according)\b/i.test(next)) {
          return { ...subject, role: cleanRole(next) };
        }
        const prev = g > 0 ? clauseTail(groups[g - 1]!) : "";
        if (g === groups.length - 1 && /^(?:the|a|an)\s/i.test(prev))
          return { ...subject, role: cleanRole(prev) };
        return subject;
      }
      if (subject && !fallback) fallback = subject;
    }
    return fallback;
  }
  return parseSubject(clauseTail(s));
}

/**
 * The last clause of `text`: after the last comma, semicolon, bracket or clause-introducing word. A comma
 * between two capitalised words ("University of California, Los Angeles") does not end a clause.
 */
function clauseTail(text: string): string {
  let cut = 0;
  for (const m of text.matchAll(
    /[;:(—–,]|\b(?:that|when|while|as|after|because|where|whereas|although|though|before|since|if|which|who)\b/g,
  )) {
    if (m[0] === ",") {
      const before = /([\p{L}.'’-]+)\s*$/u.exec(text.slice(0, m.index))?.[1] ?? "";
      const after = /^\s*([\p{L}]+)/u.exec(text.slice(m.index + 1))?.[1] ?? "";
      if (isCapitalised(before) && isCapitalised(after) && !capitalStopwords.has(before.toLowerCase()))
        continue;
    }
    cut = m.index + m[0].length;
  }
  return text.slice(cut).trim();
}

// ---------------------------------------------------------------------------------------------------------
// Quote spans
// ---------------------------------------------------------------------------------------------------------

interface Segment {
  /** Index of the opening mark (or the start of an interview turn's text). */
  readonly open: number;
  /** Index just past the closing mark, or the paragraph end when the quote runs on. */
  readonly close: number;
  readonly start: number;
  readonly end: number;
  readonly paragraph: number;
  /** Segments of one quotation continued across paragraphs share a chain id. */
  chain: number;
  readonly turn: string | null;
}

const isSpace = (ch: string | undefined) => ch === undefined || /\s/.test(ch);

/** Finds double-quoted spans in one paragraph; returns spans and whether a quote is left open at its end. */
function doubleQuotes(text: string, para: Span): { spans: [number, number][]; openAtEnd: number | null } {
  const spans: [number, number][] = [];
  let open: number | null = null;
  for (let i = para.start; i < para.end; i++) {
    const ch = text[i];
    if (ch === "\u201C") {
      if (open === null) open = i;
      continue;
    }
    if (ch === "\u201D") {
      if (open !== null) {
        spans.push([open, i + 1]);
        open = null;
      }
      continue;
    }
    if (ch !== '"') continue;
    const prev = text[i - 1];
    const next = text[i + 1];
    if (open === null) {
      // A mark glued to a word on its left and followed by space is a stray closer (5' 10", a typo): skip it.
      const closerLike =
        i > para.start &&
        !isSpace(prev) &&
        !/[([{—–-]/.test(prev!) &&
        (isSpace(next) || /[.,;:!?)]/.test(next!));
      if (closerLike) continue;
      open = i;
    } else {
      spans.push([open, i + 1]);
      open = null;
    }
  }
  return { spans, openAtEnd: open };
}

/** Curly single quotes used as quotation marks (not apostrophes), outside double-quoted spans. */
function singleCurlyQuotes(text: string, para: Span, taken: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  const inside = (i: number) => taken.some(([a, b]) => i >= a && i < b);
  for (let i = para.start; i < para.end; i++) {
    if (text[i] !== "\u2018" || inside(i)) continue;
    if (!(i === para.start || /[\s(—–-]/.test(text[i - 1]!)) || !/\p{L}/u.test(text[i + 1] ?? "")) continue;
    for (let j = i + 2; j < para.end; j++) {
      if (text[j] !== "\u2019") continue;
      const after = text[j + 1];
      if (after !== undefined && /\p{L}/u.test(after)) continue; // an apostrophe: don't, it's
      if (
        text[j - 1] === "s" &&
        after === " " &&
        text.indexOf("\u2019", j + 1) < para.end &&
        text.indexOf("\u2019", j + 1) > j
      ) {
        // "players’ union" inside the quote: prefer a later closer if one exists.
        const later = text.indexOf("\u2019", j + 1);
        if (later > 0 && later < para.end && !/\p{L}/u.test(text[later + 1] ?? "")) continue;
      }
      out.push([i, j + 1]);
      i = j;
      break;
    }
  }
  return out;
}

const turnLabel = /^([\p{Lu}][\p{L}\p{M}'’.-]*(?:\s+[\p{L}\p{M}'’.-]+){0,4}):\s+(?=\S)/u;

/** Interview turns: "Name: …" paragraphs, kept only when the article has at least two labelled turns. */
function interviewTurns(text: string, paragraphs: readonly Span[]): Map<number, string> {
  const labels = new Map<number, string>();
  for (const [index, p] of paragraphs.entries()) {
    const m = turnLabel.exec(text.slice(p.start, Math.min(p.end, p.start + 80)));
    if (!m) continue;
    const label = m[1]!;
    const words = label.split(/\s+/);
    if (!words.every((w) => isCapitalised(w) || nameParticles.has(w))) continue;
    if (/^(?:Note|Update|Ed|Editor's note|Source|Sources|Correction|Q|A|Question|Answer)\.?$/i.test(label))
      continue;
    labels.set(index, label);
  }
  const counts = new Map<string, number>();
  for (const l of labels.values()) counts.set(l, (counts.get(l) ?? 0) + 1);
  const turns = new Map<number, string>();
  if (labels.size < 2) return turns;
  for (const [index, label] of labels) {
    if ((counts.get(label) ?? 0) >= 2 || label.split(/\s+/).length >= 2) turns.set(index, label);
  }
  return turns.size >= 2 ? turns : new Map();
}

function findSegments(text: string, paragraphs: readonly Span[], turns: Map<number, string>): Segment[] {
  const segments: Segment[] = [];
  let chain = 0;
  let pendingChain: number | null = null;
  for (const [index, para] of paragraphs.entries()) {
    const label = turns.get(index);
    if (label !== undefined) {
      const body = para.start + label.length + 1;
      let s = body;
      while (s < para.end && /\s/.test(text[s]!)) s++;
      segments.push({
        open: s,
        close: para.end,
        start: s,
        end: para.end,
        paragraph: index,
        chain: chain++,
        turn: label,
      });
      pendingChain = null;
      continue;
    }
    const { spans, openAtEnd } = doubleQuotes(text, para);
    const all = [...spans];
    if (openAtEnd !== null) all.push([openAtEnd, para.end]);
    all.push(...singleCurlyQuotes(text, para, all));
    all.sort((a, b) => a[0] - b[0]);
    for (const [o, c] of all) {
      const closed =
        c <= para.end &&
        c > o + 1 &&
        /["\u201D\u2019]/.test(text[c - 1]!) &&
        !(c === para.end && o === openAtEnd);
      let start = o + 1;
      let end = closed ? c - 1 : c;
      while (start < end && /\s/.test(text[start]!)) start++;
      while (end > start && /\s/.test(text[end - 1]!)) end--;
      if (end <= start) continue;
      // A quote that opens its paragraph continues an unclosed quote from the previous paragraph.
      const continues = pendingChain !== null && o === para.start;
      segments.push({
        open: o,
        close: c,
        start,
        end,
        paragraph: index,
        chain: continues ? pendingChain! : chain++,
        turn: null,
      });
    }
    pendingChain = openAtEnd !== null ? (segments[segments.length - 1]?.chain ?? null) : null;
  }
  return segments;
}

// ---------------------------------------------------------------------------------------------------------
// Attribution
// ---------------------------------------------------------------------------------------------------------

interface Person {
  readonly name: string;
  readonly role: string | null;
  /** Offset of the mention, for recency. */
  readonly at: number;
  readonly org: boolean;
}

interface Resolved {
  readonly speaker: string;
  readonly role: string | null;
  readonly org: boolean;
}

function looksLikeOrg(name: string): boolean {
  const words = name.split(/\s+/);
  if (words.some((w) => orgWords.has(bare(w)))) return true;
  if (words.length === 1 && /^[\p{Lu}&]{2,}$/u.test(name)) return true;
  return /^(?:Reuters|Bloomberg|Politico|Axios|Twitter|Facebook|Google|Apple|Microsoft|Amazon|Wikinews|Wikipedia)$/.test(
    name,
  );
}

function genderOf(person: Person): "m" | "f" | null {
  const roleWordsLower = (person.role ?? "").toLowerCase().split(/[\s,]+/);
  if (roleWordsLower.some((w) => femaleCues.has(w))) return "f";
  if (roleWordsLower.some((w) => maleCues.has(w))) return "m";
  const first = normalizeSpeaker(person.name).split(" ")[0] ?? "";
  if (femaleNames.has(first)) return "f";
  if (maleNames.has(first)) return "m";
  return null;
}

interface Attribution {
  readonly subject: Subject | "sentence-subject";
  /** True when a speech verb (or "according to") carries it; false for weaker cues. */
  readonly explicit: boolean;
}

/** Attribution in the text after a quote (up to the next quote or the sentence end). */
function attributionAfter(after: string): Attribution | null {
  const lead = after.replace(/^[\s,.!?;:—–-]+/, "");
  if (lead === "") return null;
  const according = /^according to\s+([^,.;:!?"“”]+)/i.exec(lead);
  if (according) {
    const subject = parseSubject(according[1]!);
    return subject ? { subject, explicit: true } : null;
  }
  // Inverted: "said X", "added X, the Y,".
  const inverted = /^([a-z]+)\s+(?!that\b|the\s+(?:report|statement|letter|document|post|tweet)\b)(.+)$/.exec(
    lead,
  );
  if (inverted && speechVerbs.has(inverted[1]!) && !inverted[1]!.endsWith("ing")) {
    const np = cutNounPhrase(inverted[2]!);
    const subject = parseSubject(np);
    if (subject) return { subject, explicit: true };
  }
  // Subject first: "X said", "Zapata told BFM TV", "team member Rodaba Noori told the press", "he recalled".
  const words = lead.split(/\s+/);
  for (let k = 1; k < Math.min(words.length, 22); k++) {
    const w = words[k]!.replace(/[,.;:!?"“”)]+$/, "");
    if (!speechVerbs.has(w) || w.endsWith("ing")) continue;
    if (/[.!?]["”]?$/.test(words.slice(0, k).join(" "))) break;
    const left = words.slice(0, k).join(" ");
    if (passiveBlocked.test(`${left} `)) return null;
    const subject = subjectBefore(left);
    if (subject === "coordination") return null;
    if (subject) return { subject, explicit: true };
    return null;
  }
  return null;
}

/** The noun phrase after an inverted verb: up to punctuation or a preposition that starts an adjunct. */
function cutNounPhrase(text: string): string {
  const m =
    /^(.+?)(?=\s*(?:(?<!\b(?:Dr|Mr|Mrs|Ms|St|Jr|Sr|Prof|Gov|Sen|Rep|Gen|Col|Lt|Capt|Rev|[A-Z]))\.|[;:!?"“”(]|$)|\s+(?:in|on|at|during|to|after|before|as|while|when|adding|saying|who|which|that|via|through|about|last|this|yesterday|today|earlier|later)\b)/.exec(
      text,
    );
  let np = (m ? m[1]! : text).trim();
  // "said University of California, San Diego's chancellor, Pradeep Khosla": a list of role parts ending in a name is
  // that person, with the part just before as the role.
  const parts = np.split(/,\s*/);
  const last = parts[parts.length - 1] ?? "";
  if (parts.length >= 3 && /^\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’.-]*){1,2}$/u.test(last)) {
    return `${parts[parts.length - 2]} ${last}`;
  }
  // "said Vasco Cordeiro, the regional president, as …": keep one appositive.
  const appos = /^([^,]+),\s*([^,]+?)(?:,|$)/.exec(np);
  if (
    appos &&
    !/\b(?:in|on|at|during|as|while|when|adding|saying|who|which)\b/.test(appos[2]!.split(" ")[0] ?? "")
  ) {
    return `${appos[1]!.trim()}, ${appos[2]!.trim()}`;
  }
  const comma = np.indexOf(",");
  if (comma >= 0) np = np.slice(0, comma);
  return np;
}

/** Attribution in the text before a quote (from the sentence or previous quote to the opening mark). */
function attributionBefore(lead: string): Attribution | null {
  const text = lead.replace(/\s+/g, " ");
  const according = /\baccording to\s+([^,;:"“”]+?)\s*,?\s*$/i.exec(text);
  if (according) {
    const subject = parseSubject(according[1]!);
    if (subject) return { subject, explicit: true };
  }
  const words = [...text.matchAll(/[A-Za-z]+/g)];
  for (let k = words.length - 1; k >= 0; k--) {
    const m = words[k]!;
    const verb = m[0];
    if (!speechVerbs.has(verb)) continue;
    const left = text.slice(0, m.index);
    if (passiveBlocked.test(left)) continue;
    if (/\b(?:so|self)-$/.test(left) || /\b(?:a|the|his|her|their|its|in|on|this)\s+$/i.test(left)) continue;
    if (verb.endsWith("ing")) {
      // A participle far from the quote ("when announcing the arrest in May, 2018 identified him as") is not
      // what introduces it.
      if (text.slice(m.index).split(/\s+/).length > 9) continue;
      // "with Zinichev describing …": a name right before the participle is its subject.
      const direct = /(\p{Lu}[\p{L}\p{M}'’-]+)\s+$/u.test(left) ? parseSubject(clauseTail(left)) : null;
      if (direct?.kind === "name") return { subject: direct, explicit: true };
      return { subject: "sentence-subject", explicit: true };
    }
    // "led Biden to express …": the name before an infinitive is its subject.
    const infinitive = /(\p{Lu}[\p{L}\p{M}'’-]+(?:\s+\p{Lu}[\p{L}\p{M}'’-]+)*)\s+to\s*$/u.exec(left);
    const subject = infinitive ? parseSubject(infinitive[1]!) : subjectBefore(left);
    if (subject === "coordination") return { subject: "sentence-subject", explicit: true };
    if (subject) return { subject, explicit: true };
    // A lowercase subject ("the ministry said", "officials told") names nobody: stop here.
    if (/\b[a-z]+\s*$/.test(left.trim() === "" ? "" : clauseTail(left))) return null;
  }
  if (/:\s*$/.test(text)) return { subject: "sentence-subject", explicit: false };
  return null;
}

const irregularVerbs = new Set(
  `has had have is was were are will would could can may might did does became began took made
  gave went left won lost broke spoke came met led ran held saw sent got brought thought felt kept paid put set
  stood sought fought bought hit cut let chose drew drove flew grew knew rose shook threw wore forgot sat struck
  heard built taught caught sold found meant spent dealt remains remained`
    .split(/\s+/)
    .filter(Boolean),
);

/** Removes dash-delimited and bracketed asides ("— which the BBC noted as unusual —") that hide a subject. */
function dropAsides(text: string): string {
  return text
    .replace(/\s[—–]\s[^—–"“”]*?\s[—–]\s/g, " ")
    .replace(/\s?\([^()"“”]*\)/g, "")
    .replace(/\s?\[[^\]"“”]*\]/g, "");
}

/** The speaker of a sentence with a speech verb that is not a quote ("Strong winds …, Zapata said, adding …"). */
function speakerOfSentence(sentence: string): Subject | null {
  const text = dropAsides(sentence);
  const words = [...text.matchAll(/[A-Za-z]+/g)];
  for (let k = words.length - 1; k >= 0; k--) {
    const m = words[k]!;
    if (!speechVerbs.has(m[0]) || m[0].endsWith("ing")) continue;
    const left = text.slice(0, m.index);
    if (passiveBlocked.test(left)) continue;
    const subject = subjectBefore(left);
    if (subject && subject !== "coordination" && subject.kind !== "role") return subject;
  }
  return null;
}

/** The grammatical subject of a sentence, if it is a name: used for pronouns and "X, saying "…"" clauses. */
function sentenceSubject(sentence: string): Subject | null {
  let text = dropAsides(sentence).replace(/^["“'‘\s]+/, "");
  const intro =
    /^(?:\p{Lu}\p{Ll}+(?:ed|ing)|In|On|At|After|Before|During|Following|Speaking|When|While|As|Despite|Although|Since|Under|With|Asked|Responding|Earlier|Later|Last|This|Yesterday|Today|Meanwhile|However|Also|Then|According|Writing|Addressing|Reacting|Commenting|Talking|Upon|From|For|By|Over|Back)\b[^,]{0,120},\s*/u;
  for (let n = 0; n < 2; n++) {
    const m = intro.exec(text);
    if (!m) break;
    text = text.slice(m[0].length);
  }
  const words = [...text.matchAll(/[\p{L}\p{M}'’-]+/gu)];
  let tries = 0;
  for (const m of words.slice(0, 40)) {
    const w = m[0];
    if (isCapitalised(w)) continue;
    const verbish = speechVerbs.has(w) || irregularVerbs.has(w) || (/(?:ed|es)$/.test(w) && w.length > 4);
    if (!verbish) continue;
    const left = text.slice(0, m.index).trim();
    const tail = clauseTail(left);
    const subject = left.endsWith(",")
      ? subjectBefore(left)
      : /^(?:he|she)$/i.test(tail)
        ? parseSubject(tail)
        : parseSubject(left);
    if (subject && subject !== "coordination") return subject;
    // Only a relative clause or an empty left side ("which was planning …, Governor X postponed") lets the search
    // go on to a later verb; "The actress recalled …" has its (unnamed) subject and stops here.
    if (clauseTail(left) !== "" || ++tries >= 3) return null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------------------

const SCARE_QUOTE_MAX_WORDS = 3;

/**
 * Extracts direct quotations with their speakers. Records come in text order; offsets point into
 * `article.text` (`text.slice(start, end) === record.text`). Quotes continued across paragraphs give one record
 * per paragraph, all with the same speaker. Pure and deterministic; no I/O.
 */
export function extractQuotes(article: Article): QuoteRecord[] {
  const text = article.text;
  const paragraphs = splitParagraphs(text);
  const sentences: Span[] = [];
  const sentenceParagraph: number[] = [];
  for (const [index, p] of paragraphs.entries()) {
    for (const s of splitSentences(text, p.start, p.end)) {
      sentences.push(s);
      sentenceParagraph.push(index);
    }
  }
  const turns = interviewTurns(text, paragraphs);
  const segments = findSegments(text, paragraphs, turns);
  const mentions = collectMentions(text, sentences, turns, paragraphs);
  const actors: Person[] = [];

  const sentenceIndexAt = (pos: number) => {
    let lo = 0;
    let hi = sentences.length - 1;
    let best = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sentences[mid]!.start <= pos) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  };

  const expand = (name: string, at: number): { name: string; role: string | null } => {
    const words = name.split(/\s+/);
    if (words.length === 1) {
      const key = normalizeSpeaker(name);
      // The full form written most often ("Bernie Sanders" over a one-off "Vermont Bernie Sanders"), earliest
      // on a tie; earlier mentions first.
      const pick = (list: Mention[]) => {
        const counts = new Map<string, number>();
        for (const m of list) counts.set(m.key, (counts.get(m.key) ?? 0) + 1);
        let best: Mention | undefined;
        for (const m of list) if (!best || counts.get(m.key)! > counts.get(best.key)!) best = m;
        return best;
      };
      const candidates = mentions.filter((m) => m.words.length > 1 && m.lastKey === key && !m.org);
      const full = pick(candidates.filter((m) => m.at < at)) ?? pick(candidates);
      if (full) return { name: full.name, role: roleFor(full.name, at) };
    }
    return { name, role: roleFor(name, at) };
  };
  const roleFor = (name: string, at: number): string | null => {
    const key = normalizeSpeaker(name);
    const last = key.split(" ").pop();
    const withRole =
      mentions.find(
        (m) => m.at < at && m.role && (m.key === key || (m.words.length === 1 && m.lastKey === last)),
      ) ?? null;
    return withRole?.role ?? null;
  };

  const resolve = (subject: Subject, at: number): Resolved | null => {
    if (subject.kind === "name") {
      const org = looksLikeOrg(subject.name);
      if (org) return { speaker: subject.name, role: subject.role, org };
      const full = expand(subject.name, at);
      return { speaker: full.name, role: subject.role ?? full.role, org };
    }
    if (subject.kind === "role") {
      // "the Prime Minister" → the person last introduced with that role; an exact role beats a longer one
      // ("Deputy Prime Minister …").
      const wanted = normalizeSpeaker(subject.role);
      const head = wanted.split(" ").pop() ?? "";
      const roleFit = (p: Person) => {
        const role = normalizeSpeaker(p.role ?? "");
        if (role === wanted) return 3;
        if (role.endsWith(` ${wanted}`)) return 2;
        return role.split(" ").includes(head) ? 1 : 0;
      };
      const found = [...actors, ...mentions.filter((m) => m.at < at).map(mentionAsPerson)]
        .filter((p) => !p.org && roleFit(p) > 0)
        .sort((a, b) => roleFit(b) - roleFit(a) || b.at - a.at)[0];
      return found ? { speaker: found.name, role: found.role, org: false } : null;
    }
    // Pronoun: the most recent person named as a subject or speaker in the last few sentences.
    const here = sentenceIndexAt(at);
    const windowStart = sentences[Math.max(0, here - 4)]!.start;
    const candidates = [...actors, ...mentions.filter((m) => m.subject).map(mentionAsPerson)]
      .filter((p) => p.at < at && p.at >= windowStart && !p.org)
      .sort((a, b) => b.at - a.at);
    for (const p of candidates) {
      const g = genderOf(p);
      if (g !== null && g !== subject.gender) continue;
      const full = expand(p.name, p.at + 1);
      return { speaker: full.name, role: p.role ?? full.role, org: false };
    }
    return null;
  };

  const chains = new Map<number, Segment[]>();
  for (const seg of segments) {
    const list = chains.get(seg.chain) ?? [];
    list.push(seg);
    chains.set(seg.chain, list);
  }

  const attributed = new Map<number, Resolved | null>();
  const explicitChains = new Set<number>();
  const records: QuoteRecord[] = [];
  const sentenceSpan = (seg: Segment): Span => {
    const first = sentenceIndexAt(seg.open);
    const last = sentenceIndexAt(Math.max(seg.open, seg.close - 1));
    return { start: sentences[first]!.start, end: sentences[last]!.end };
  };

  for (const [segIndex, seg] of segments.entries()) {
    let resolved: Resolved | null = null;
    let explicit = false;
    if (seg.turn !== null) {
      resolved =
        seg.turn === "Wikinews"
          ? { speaker: "Wikinews", role: "interviewer", org: true }
          : {
              ...(() => {
                const e = expand(seg.turn!, seg.open);
                return { speaker: e.name, role: e.role };
              })(),
              org: looksLikeOrg(seg.turn),
            };
      explicit = true;
    } else if (attributed.has(seg.chain)) {
      resolved = attributed.get(seg.chain) ?? null;
      explicit = explicitChains.has(seg.chain);
    } else {
      const chainSegs = chains.get(seg.chain)!;
      for (const part of chainSegs) {
        const found = attributeSegment(part, segments, segments.indexOf(part));
        if (found) {
          resolved = found.resolved;
          explicit = found.explicit;
          break;
        }
      }
      if (!resolved) resolved = inheritPrevious(seg, segIndex);
      attributed.set(seg.chain, resolved);
      if (explicit) explicitChains.add(seg.chain);
    }
    const words = text.slice(seg.start, seg.end).split(/\s+/).filter(Boolean).length;
    const inChain = (chains.get(seg.chain)?.length ?? 1) > 1;
    if (seg.turn === null && !inChain && words <= SCARE_QUOTE_MAX_WORDS && !(explicit && resolved)) continue;
    if (resolved && !resolved.org)
      actors.push({ name: resolved.speaker, role: resolved.role, at: seg.open, org: false });
    const sentence =
      seg.turn !== null ? { start: paragraphs[seg.paragraph]!.start, end: seg.close } : sentenceSpan(seg);
    records.push({
      id: `${article.id}~${records.length}`,
      articleId: article.id,
      text: text.slice(seg.start, seg.end),
      start: seg.start,
      end: seg.end,
      sentence,
      speaker: resolved?.speaker ?? null,
      role: resolved?.role ?? null,
    });
  }
  return records;

  function attributeSegment(
    seg: Segment,
    all: readonly Segment[],
    index: number,
  ): { resolved: Resolved | null; explicit: boolean } | null {
    const span = sentenceSpan(seg);
    const prev = all[index - 1];
    const next = all[index + 1];
    const leadStart = prev && prev.close > span.start && prev.close <= seg.open ? prev.close : span.start;
    const tailEnd = next && next.open < span.end && next.open >= seg.close ? next.open : span.end;
    const lead = dropAsides(text.slice(leadStart, seg.open));
    // An attribution after the quote follows punctuation at the closing mark ("…," said X; "…?" she asked);
    // `was in a "serious" condition; TVN24 reported` is not one. It never reaches past a semicolon or colon.
    const punctuated =
      /[,.!?…—–-]\]?$/.test(text.slice(Math.max(0, seg.close - 4), seg.close - 1)) ||
      /^[,.!?;—–-]/.test(text.slice(seg.close));
    const rawTail = seg.close <= span.end && punctuated ? text.slice(seg.close, tailEnd) : "";
    const tail = dropAsides(rawTail.replace(/[;:][\s\S]*$/, ""));
    const fromSubject = (a: Attribution, at: number): Resolved | null => {
      if (a.subject === "sentence-subject") {
        const s = sentenceSubject(text.slice(span.start, seg.open));
        return s ? resolve(s, at) : null;
      }
      return resolve(a.subject, at);
    };
    const after = attributionAfter(tail);
    if (after) {
      const r = fromSubject(after, seg.open);
      if (r) return { resolved: r, explicit: true };
    }
    const before = attributionBefore(lead);
    if (before) {
      const r = fromSubject(before, seg.open);
      if (r) return { resolved: r, explicit: before.explicit };
    }
    // "…," he said, "…": the second part of a quote split by its attribution shares the first part's speaker.
    if (
      prev &&
      prev.close > span.start &&
      /^[\s,;:—–-]*(?:and(?: that)?|but|adding|then)?[\s,;:—–-]*$/i.test(lead)
    ) {
      const r = attributed.get(prev.chain);
      if (r) return { resolved: r, explicit: explicitChains.has(prev.chain) };
    }
    if (prev && prev.close > span.start && prev.close <= seg.open) {
      const r = attributed.get(prev.chain);
      const between = text.slice(prev.close, seg.open);
      if (r && attributionAfter(between)) return { resolved: r, explicit: true };
    }
    return null;
  }

  /**
   * A bare quote (no attribution in its sentence) that follows, in the same paragraph, a sentence whose speaker
   * is known — an attributed quote, or "X issued a statement / revealed that …" — continues that speaker.
   */
  function inheritPrevious(seg: Segment, segIndex: number): Resolved | null {
    const span = sentenceSpan(seg);
    const lead = text.slice(span.start, seg.open).trim();
    if (lead !== "" && !/:$/.test(lead)) return null;
    const here = sentenceIndexAt(seg.open);
    if (here === 0) return null;
    const prevSentence = sentences[here - 1]!;
    const sameParagraph = sentenceParagraph[here - 1] === sentenceParagraph[here];
    // The previous quote in the paragraph, if it ends in the previous sentence.
    const prevSeg = segments[segIndex - 1];
    if (prevSeg && prevSeg.close <= span.start && prevSeg.close >= prevSentence.start) {
      const r = attributed.get(prevSeg.chain);
      if (r && !r.org) return r;
    }
    if (!sameParagraph) return null;
    // News convention: a bare quote right after a sentence in which a person speaks ("Zapata said, adding …",
    // "X issued a statement", "he revealed that …"), or whose subject is "he"/"she", is that person speaking.
    const prevText = text.slice(prevSentence.start, prevSentence.end);
    const spoken = speakerOfSentence(prevText);
    if (spoken) {
      const r = resolve(spoken, prevSentence.start + (spoken.kind === "pronoun" ? prevText.length : 0));
      if (r && !r.org) return r;
    }
    const s = sentenceSubject(prevText);
    if (!s || s.kind === "role") return null;
    if (s.kind === "name" && !/\bstatement\b/.test(prevText)) return null;
    const r = resolve(
      s,
      prevSentence.start + (s.kind === "pronoun" ? prevSentence.end - prevSentence.start : 0),
    );
    return r && !r.org ? r : null;
  }
}

interface Mention {
  readonly name: string;
  readonly key: string;
  readonly lastKey: string;
  readonly words: readonly string[];
  readonly role: string | null;
  readonly at: number;
  /** True when the mention is the grammatical subject of its sentence. */
  readonly subject: boolean;
  readonly org: boolean;
}

function mentionAsPerson(m: Mention): Person {
  return { name: m.name, role: m.role, at: m.at, org: m.org };
}

/** Every capitalised name in the article (with any role before it), and each sentence's subject. */
function collectMentions(
  text: string,
  sentences: readonly Span[],
  turns: Map<number, string>,
  paragraphs: readonly Span[],
): Mention[] {
  const out: Mention[] = [];
  const add = (name: string, role: string | null, at: number, subject: boolean) => {
    const key = normalizeSpeaker(name);
    if (key === "") return;
    const words = key.split(" ");
    out.push({
      name,
      key,
      lastKey: words[words.length - 1]!,
      words,
      role,
      at,
      subject,
      org: looksLikeOrg(name),
    });
  };
  for (const s of sentences) {
    const sentence = text.slice(s.start, s.end);
    const tokens = tokenize(sentence, s.start);
    for (const run of capitalRuns(tokens)) {
      const { roleEnd, nameTokens } = splitRun(run);
      if (nameTokens.length === 0) continue;
      if (isPossessive(nameTokens[nameTokens.length - 1]!.text)) continue;
      const name = text.slice(nameTokens[0]!.start, nameTokens[nameTokens.length - 1]!.end);
      const role = roleEnd >= 0 ? text.slice(run.tokens[0]!.start, run.tokens[roleEnd]!.end) : null;
      add(name, role, nameTokens[0]!.start, false);
    }
    const subject = sentenceSubject(sentence);
    if (subject?.kind === "name")
      add(subject.name, subject.role, s.start + Math.max(0, sentence.indexOf(subject.name)), true);
  }
  for (const [index, label] of turns) add(label, null, paragraphs[index]!.start, true);
  out.sort((a, b) => a.at - b.at);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Matching a question's person or role against a record
// ---------------------------------------------------------------------------------------------------------

const variants: Record<string, string> = {
  defense: "defence",
  spokesman: "spokesperson",
  spokeswoman: "spokesperson",
  spokespeople: "spokesperson",
  chairwoman: "chairman",
  chairperson: "chairman",
  chair: "chairman",
  iranian: "iran",
  american: "us",
  usa: "us",
  america: "us",
  british: "uk",
  britain: "uk",
  french: "france",
  german: "germany",
  turkish: "turkey",
  russian: "russia",
  chinese: "china",
  israeli: "israel",
  iraqi: "iraq",
  indian: "india",
  polish: "poland",
  canadian: "canada",
  australian: "australia",
  japanese: "japan",
  ukrainian: "ukraine",
  minister: "minister",
  ministry: "minister",
  secretary: "secretary",
};

const matchStopwords = new Set(
  `the a an of in on at to for and or what did does do say said says tell told about how why who whom whose which
  when where is was were are has have had this that these those it its his her their from with by as s us new`
    .split(/\s+/)
    .filter(Boolean),
);

function canon(word: string): string {
  return variants[word] ?? word;
}

function contentWords(text: string): string[] {
  return normalizeSpeaker(text)
    .split(" ")
    .filter((w) => w.length > 1 && !matchStopwords.has(w))
    .map(canon);
}

/**
 * How well a question's mention of a person or role matches a quote's speaker, 0..1. `query` may be a bare
 * mention ("Erdoğan", "the White House") or a whole question. 1 for the full name, 0.9 for the surname,
 * up to 0.8 for role words ("defence minister", "White House", "mayor of Paris"). Accents, case, "defense/defence",
 * "spokesman/spokesperson" and nationality adjectives ("Iranian"/"Iran's") are folded. A surname that is also a
 * common word ("How") only counts when the query capitalises it.
 */
export function speakerMatches(record: Pick<QuoteRecord, "speaker" | "role">, query: string): number {
  if (!record.speaker) return 0;
  const q = normalizeSpeaker(query);
  if (q === "") return 0;
  const qWords = q.split(" ");
  const qSet = new Set(qWords.map(canon));
  // With capitals in the query, a name word must appear capitalised and, if it is also a common word ("How",
  // "May", "Will"), not as the query's first word.
  const rawWords = query.match(/[\p{L}\p{M}'’-]+/gu)?.map((w) => w.replace(/['’]s$/, "")) ?? [];
  const hasCapitals = /\p{Lu}/u.test(query);
  const named = (word: string) =>
    !hasCapitals ||
    rawWords.some(
      (w, i) => normalizeSpeaker(w) === word && isCapitalised(w) && (i > 0 || !matchStopwords.has(word)),
    );
  const name = normalizeSpeaker(record.speaker);
  const nameWords = name.split(" ");
  let score = 0;
  if (name.length > 2 && ` ${q} `.includes(` ${name} `) && nameWords.every(named)) score = 1;
  else {
    const surname = nameWords[nameWords.length - 1]!;
    if (surname.length >= 2 && qWords.includes(surname) && named(surname)) {
      score = nameWords.length > 1 && qWords.includes(nameWords[0]!) ? 1 : 0.9;
    } else if (
      nameWords.length > 1 &&
      nameWords.some((w) => w.length > 3 && qWords.includes(w) && named(w))
    ) {
      score = 0.6;
    }
  }
  if (record.role) {
    const roleWordsList = contentWords(record.role);
    const hits = roleWordsList.filter((w) => qSet.has(w));
    if (hits.length > 0) {
      const hasHead = hits.some(
        (w) => roleHeads.has(w) || orgWords.has(w) || w === "house" || w === "spokesperson",
      );
      const coverage = hits.length / roleWordsList.length;
      const queryContent = [...qSet].filter((w) => !matchStopwords.has(w));
      const precision = hits.length / Math.max(1, Math.min(queryContent.length, roleWordsList.length + 1));
      const roleScore = (hasHead ? 0.8 : 0.4) * Math.max(coverage, precision);
      score = Math.max(
        score,
        Math.min(0.8, roleScore),
        score > 0 ? Math.min(1, score + 0.05 * hits.length) : 0,
      );
    }
  }
  // An organisation named in the query ("What did the White House say", "Reuters") matches its own quotes.
  return Math.min(1, score);
}
