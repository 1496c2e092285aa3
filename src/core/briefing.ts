/**
 * Daily briefing, pure: group one day's articles into stories (embedding similarity plus shared named entities),
 * order them by weight, and give each a lead, its most representative verbatim quote with speaker (or its key
 * sentence when it has none) and a citation. Every quoted text passes `verifyQuote` before it is returned.
 * Nothing here reads a clock, a file or the network; the service feeds it a day's slice of the corpus snapshot.
 */
import { extractEntities } from "./briefing-entities.js";
import type { AnswerQuote, Article, ArticleRef, Passage, QuoteRecord, Span } from "./types.js";
import { toArticleRef } from "./types.js";
import { verifyQuote } from "./verify.js";

/** Tunables in one place; the defaults were chosen on Wikinews days and dense Current Events portal days. */
export const briefingDefaults = {
  /** Average-link score two groups need to merge into one story. */
  mergeThreshold: 0.55,
  /** Subtracted from a pair that shares no entity at all: same-topic is not same-story without a shared name. */
  noEntityPenalty: 0.15,
  /** Entity weights by kind (multiplied by the entity's rarity within the day). */
  nameWeight: 0.4,
  wordWeight: 0.2,
  numberWeight: 0.08,
  /** Entity evidence is capped so that it cannot outweigh clearly different content on its own. */
  entityCap: 0.6,
  /** Passages of an article used for its entity cues (title + lead paragraphs describe the event). */
  leadPassages: 2,
  maxStories: 10,
  /** Plain-text budget for the listed stories; fits a Telegram message (4096) and a Discord embed set (6000). */
  maxChars: 3400,
  /** Longest quote or sentence shown in a briefing item. */
  maxQuoteChars: 300,
  minQuoteWords: 5,
  maxLeadChars: 140,
} as const satisfies Record<string, number>;

export type BriefingOptions = Partial<{ -readonly [K in keyof typeof briefingDefaults]: number }>;

/** One day's slice of the corpus: the articles dated that day, their passages and quote records. */
export interface BriefingDay {
  readonly date: string;
  readonly articles: readonly Article[];
  readonly passages: readonly Passage[];
  readonly quotes: readonly QuoteRecord[];
  /** Stored unit vector of a passage. */
  readonly vectorOf: (passageId: string) => readonly number[] | undefined;
  /**
   * The corpus-wide mean passage vector. Averaged word vectors of any two news texts are very similar; taking
   * out the shared component makes cosine tell stories apart. Optional (zero when absent).
   */
  readonly background?: readonly number[] | undefined;
}

/** A group of articles reporting the same event. */
export interface Story {
  /** Most central article first. */
  readonly articleIds: readonly string[];
  readonly passageIds: readonly string[];
  readonly weight: number;
  /** Cosine of the story centroid to the day's centroid, in [-1, 1]. */
  readonly centrality: number;
  readonly centroid: readonly number[];
  /** Entity keys of the story's articles, for highlight scoring. */
  readonly entities: ReadonlySet<string>;
}

/** One numbered item of a briefing. Exactly one of `quote` and `sentence` is set. */
export interface BriefingStory {
  readonly n: number;
  readonly lead: string;
  /** A direct quotation, verbatim from `article` at `[start, end)`. */
  readonly quote?: string;
  /** The article's own key sentence, verbatim at `[start, end)`, used when the story has no usable quote. */
  readonly sentence?: string;
  readonly speaker: string | null;
  readonly role: string | null;
  readonly article: ArticleRef;
  readonly start: number;
  readonly end: number;
  /** All articles of the story, most central first (the cited one is among them). */
  readonly articles: readonly ArticleRef[];
}

/** Articles that reached the corpus after a chat's previous briefing. */
export interface NewSince {
  /** ISO instant of the previous briefing. */
  readonly since: string;
  /** New articles dated the briefing day (already inside the stories). */
  readonly onDay: number;
  /** New articles dated other days, newest date first: late reports the previous briefing could not include. */
  readonly otherDays: readonly ArticleRef[];
}

/** The JSON shape every adapter renders and `briefing --json` prints. */
export interface Briefing {
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly stories: readonly BriefingStory[];
  /** "N articles · M stories · Mon 11 Feb 2019". */
  readonly coverage: string;
  readonly counts: { readonly articles: number; readonly stories: number };
  /** Stories of the day not listed (longer days list the top stories only). */
  readonly more: number;
  /** When the day has no articles: the nearest days that have some (before and after). */
  readonly nearest?: readonly string[];
  readonly newSince?: NewSince;
}

type Options = { -readonly [K in keyof typeof briefingDefaults]: number };

function options(overrides: BriefingOptions | undefined): Options {
  return { ...briefingDefaults, ...overrides } as Options;
}

// --- vectors -------------------------------------------------------------------------------------------

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

function normalize(v: number[]): number[] {
  const norm = Math.sqrt(dot(v, v));
  return norm > 0 ? v.map((x) => x / norm) : v;
}

function mean(vectors: readonly (readonly number[])[], dims: number): number[] {
  const out = new Array<number>(dims).fill(0);
  for (const v of vectors) for (let i = 0; i < dims; i++) out[i]! += v[i] ?? 0;
  return vectors.length > 0 ? out.map((x) => x / vectors.length) : out;
}

function centered(v: readonly number[], background: readonly number[] | undefined): number[] {
  return normalize(background ? v.map((x, i) => x - (background[i] ?? 0)) : [...v]);
}

// --- grouping ------------------------------------------------------------------------------------------

interface ArticleFeatures {
  readonly article: Article;
  readonly passages: readonly Passage[];
  readonly vector: readonly number[];
  readonly entities: ReadonlyMap<string, "name" | "word" | "number">;
}

function articleFeatures(day: BriefingDay, opts: Options): ArticleFeatures[] {
  const byArticle = new Map<string, Passage[]>();
  for (const p of day.passages) {
    const list = byArticle.get(p.articleId);
    if (list) list.push(p);
    else byArticle.set(p.articleId, [p]);
  }
  let dims = day.background?.length ?? 0;
  for (const p of day.passages) {
    const v = day.vectorOf(p.id);
    if (v) {
      dims = v.length;
      break;
    }
  }
  return day.articles.map((article) => {
    const passages = (byArticle.get(article.id) ?? []).sort((a, b) => a.index - b.index);
    const vectors = passages.map((p) => day.vectorOf(p.id)).filter((v): v is readonly number[] => !!v);
    const vector = vectors.length > 0 ? centered(mean(vectors, dims), day.background) : [];
    const leadText = [
      article.title,
      ...passages.slice(0, opts.leadPassages).map((p) => article.text.slice(p.start, p.end)),
    ].join("\n\n");
    const entities = new Map<string, "name" | "word" | "number">();
    for (const cue of extractEntities(leadText).values()) entities.set(cue.key, cue.kind);
    return { article, passages, vector, entities };
  });
}

function pairScores(features: readonly ArticleFeatures[], opts: Options): number[][] {
  const n = features.length;
  const df = new Map<string, number>();
  for (const f of features) for (const key of f.entities.keys()) df.set(key, (df.get(key) ?? 0) + 1);
  const rarity = (key: string) => Math.log(1 + n / (df.get(key) ?? 1)) / Math.log(1 + n);
  const kindWeight = { name: opts.nameWeight, word: opts.wordWeight, number: opts.numberWeight };
  const scores = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = features[i]!;
      const b = features[j]!;
      let entity = 0;
      let shared = 0;
      for (const [key, kind] of a.entities) {
        if (!b.entities.has(key)) continue;
        entity += kindWeight[kind] * rarity(key);
        shared++;
      }
      const s =
        dot(a.vector, b.vector) +
        Math.min(entity, opts.entityCap) -
        (shared === 0 ? opts.noEntityPenalty : 0);
      scores[i]![j] = s;
      scores[j]![i] = s;
    }
  }
  return scores;
}

/**
 * Groups the day's articles into stories by average-link agglomerative clustering over
 * `cosine(centred article vectors) + capped entity overlap`, then orders them by weight:
 * articles, passages (capped) and centrality. Deterministic for a given input.
 */
export function groupStories(day: BriefingDay, overrides?: BriefingOptions): Story[] {
  const opts = options(overrides);
  const features = articleFeatures(day, opts);
  if (features.length === 0) return [];
  const scores = pairScores(features, opts);
  let clusters: number[][] = features.map((_, i) => [i]);
  for (;;) {
    let best = -Infinity;
    let pair: [number, number] | null = null;
    for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        let sum = 0;
        for (const i of clusters[a]!) for (const j of clusters[b]!) sum += scores[i]![j]!;
        const avg = sum / (clusters[a]!.length * clusters[b]!.length);
        if (avg > best) {
          best = avg;
          pair = [a, b];
        }
      }
    }
    if (!pair || best < opts.mergeThreshold) break;
    const [a, b] = pair;
    clusters = [
      ...clusters.filter((_, k) => k !== a && k !== b),
      [...clusters[a]!, ...clusters[b]!].sort((x, y) => x - y),
    ];
  }
  const dims = features.find((f) => f.vector.length > 0)?.vector.length ?? 0;
  const dayCentroid = normalize(
    mean(
      features.map((f) => f.vector).filter((v) => v.length > 0),
      dims,
    ),
  );
  const stories = clusters.map((members) => {
    const memberFeatures = members.map((i) => features[i]!);
    const centroid = normalize(
      mean(
        memberFeatures.map((f) => f.vector).filter((v) => v.length > 0),
        dims,
      ),
    );
    const ranked = [...memberFeatures].sort(
      (x, y) =>
        dot(y.vector, centroid) - dot(x.vector, centroid) ||
        y.passages.length - x.passages.length ||
        x.article.id.localeCompare(y.article.id),
    );
    const passageIds = ranked.flatMap((f) => f.passages.map((p) => p.id));
    const centrality = dims > 0 && features.length > 1 ? dot(centroid, dayCentroid) : 0;
    const entities = new Set<string>();
    for (const f of memberFeatures) for (const key of f.entities.keys()) entities.add(key);
    return {
      articleIds: ranked.map((f) => f.article.id),
      passageIds,
      weight: members.length + 0.1 * Math.min(passageIds.length, 20) + centrality,
      centrality,
      centroid,
      entities,
    } satisfies Story;
  });
  return stories.sort((x, y) => y.weight - x.weight || x.articleIds[0]!.localeCompare(y.articleIds[0]!));
}

// --- highlights ----------------------------------------------------------------------------------------

interface Candidate {
  readonly quote: AnswerQuote;
  readonly score: number;
}

function trimSpan(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}

function entityHits(text: string, entities: ReadonlySet<string>): number {
  let hits = 0;
  for (const key of extractEntities(text).keys()) if (entities.has(key)) hits++;
  return Math.min(hits, 4);
}

function passageAt(passages: readonly Passage[], offset: number): Passage | undefined {
  return passages.find((p) => offset >= p.start && offset < p.end);
}

/**
 * Ranked, verified highlight candidates of a story: attributed direct quotes close to the story centroid first,
 * then the articles' key sentences (lead sentences of central passages). Each passes `verifyQuote`.
 */
export function storyHighlights(story: Story, day: BriefingDay, overrides?: BriefingOptions): AnswerQuote[] {
  const opts = options(overrides);
  const articles = new Map(day.articles.map((a) => [a.id, a]));
  const members = new Set(story.articleIds);
  const passagesOf = new Map<string, Passage[]>();
  for (const p of day.passages) {
    if (!members.has(p.articleId)) continue;
    const list = passagesOf.get(p.articleId);
    if (list) list.push(p);
    else passagesOf.set(p.articleId, [p]);
  }
  const closeness = (p: Passage | undefined) => {
    const v = p ? day.vectorOf(p.id) : undefined;
    return v && story.centroid.length > 0 ? dot(centered(v, day.background), story.centroid) : 0;
  };
  const candidates: Candidate[] = [];
  const acceptable = (text: string) =>
    text.length <= opts.maxQuoteChars && text.split(/\s+/).filter(Boolean).length >= opts.minQuoteWords;

  for (const q of day.quotes) {
    const article = articles.get(q.articleId);
    if (!article || !members.has(q.articleId)) continue;
    const span = trimSpan(article.text, q);
    const text = article.text.slice(span.start, span.end);
    if (!acceptable(text) || !verifyQuote(article, { text, ...span }).ok) continue;
    const passage = passageAt(passagesOf.get(q.articleId) ?? [], span.start);
    const sentence = article.text.slice(q.sentence.start, q.sentence.end);
    const score =
      1 +
      (q.speaker ? 0.6 : 0) +
      closeness(passage) +
      0.05 * entityHits(sentence, story.entities) -
      0.03 * Math.min(passage?.index ?? 10, 10) +
      (text.length >= 60 && text.length <= 220 ? 0.1 : 0);
    candidates.push({
      quote: {
        text,
        speaker: q.speaker,
        role: q.role,
        article: toArticleRef(article),
        start: span.start,
        end: span.end,
        direct: true,
      },
      score,
    });
  }

  for (const articleId of story.articleIds) {
    const article = articles.get(articleId);
    if (!article) continue;
    for (const passage of (passagesOf.get(articleId) ?? []).slice(0, 3)) {
      for (const [k, raw] of passage.sentences.entries()) {
        const span = trimSpan(article.text, raw);
        const text = article.text.slice(span.start, span.end);
        if (!acceptable(text) || !verifyQuote(article, { text, ...span }).ok) continue;
        const score =
          closeness(passage) +
          (passage.index === 0 && k === 0 ? 0.3 : 0) -
          0.05 * passage.index -
          0.02 * k +
          0.05 * entityHits(text, story.entities);
        candidates.push({
          quote: {
            text,
            speaker: null,
            role: null,
            article: toArticleRef(article),
            start: span.start,
            end: span.end,
            direct: false,
          },
          score,
        });
      }
    }
  }
  candidates.sort(
    (a, b) =>
      b.score - a.score ||
      a.quote.article.id.localeCompare(b.quote.article.id) ||
      a.quote.start - b.quote.start,
  );
  const chosen: AnswerQuote[] = [];
  for (const c of candidates) {
    const overlaps = chosen.some(
      (q) => q.article.id === c.quote.article.id && q.start < c.quote.end && c.quote.start < q.end,
    );
    if (!overlaps) chosen.push(c.quote);
  }
  return chosen;
}

/** A short lead: the central article's title, or its first sentence when the title is missing or too long. */
export function storyLead(story: Story, day: BriefingDay, overrides?: BriefingOptions): string {
  const opts = options(overrides);
  const article = day.articles.find((a) => a.id === story.articleIds[0]);
  if (!article) return "";
  const title = article.title.trim().replace(/\s+/g, " ");
  if (title.length >= 8 && title.length <= opts.maxLeadChars) return title;
  const first = day.passages.find((p) => p.articleId === article.id && p.index === 0)?.sentences[0];
  const text = (first ? article.text.slice(first.start, first.end) : title).trim().replace(/\s+/g, " ");
  return shorten(text, opts.maxLeadChars);
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, "")}…`;
}

// --- the briefing --------------------------------------------------------------------------------------

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Mon 11 Feb 2019" for `2019-02-11`. */
export function formatDay(isoDate: string): string {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return `${WEEKDAYS[t.getUTCDay()]} ${d} ${MONTHS[m - 1]} ${y}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "N articles · M stories · dates covered". */
export function coverageLine(articles: number, stories: number, dates: readonly string[]): string {
  const covered = dates.length === 0 ? "no dates" : dates.map(formatDay).join(", ");
  return `${plural(articles, "article", "articles")} · ${plural(stories, "story", "stories")} · ${covered}`;
}

/** The nearest days before and after `date` that have articles (sorted ISO dates in, up to `count` out). */
export function nearestDays(date: string, datesWithArticles: readonly string[], count = 2): string[] {
  const unique = [...new Set(datesWithArticles)].filter((d) => d !== date).sort();
  const before = unique.filter((d) => d < date).reverse();
  const after = unique.filter((d) => d > date);
  const out: string[] = [];
  while (out.length < count && (before.length > 0 || after.length > 0)) {
    const b = before[0];
    const a = after[0];
    const dist = (d: string) => Math.abs(Date.parse(d) - Date.parse(date));
    if (b !== undefined && (a === undefined || dist(b) <= dist(a))) out.push(before.shift()!);
    else if (a !== undefined) out.push(after.shift()!);
  }
  return out.sort();
}

/** A briefing item as the `AnswerQuote` every renderer already knows how to cite. */
export function storyQuote(story: BriefingStory): AnswerQuote {
  return {
    text: story.quote ?? story.sentence ?? "",
    speaker: story.speaker,
    role: story.role,
    article: story.article,
    start: story.start,
    end: story.end,
    direct: story.quote !== undefined,
  };
}

/** "…and 3 more stories." or null. */
export function moreLine(briefing: Briefing): string | null {
  if (briefing.more <= 0) return null;
  return `…and ${briefing.more} more ${briefing.more === 1 ? "story" : "stories"}.`;
}

/** "No articles on …. Nearest days with articles: …" for an empty day. */
export function emptyDayLine(briefing: Briefing): string {
  const nearest = briefing.nearest ?? [];
  return nearest.length > 0
    ? `No articles on ${formatDay(briefing.date)}. Nearest days with articles: ${nearest.join(", ")}.`
    : `No articles on ${formatDay(briefing.date)}.`;
}

/** Lines about articles that arrived since the chat's previous briefing, or [] when there are none to list. */
export function newSinceLines(briefing: Briefing): string[] {
  const fresh = briefing.newSince;
  if (!fresh || fresh.otherDays.length === 0) return [];
  return [
    "New since your last briefing:",
    ...fresh.otherDays.map((a) => `• ${a.title} (${[a.source, a.date].filter(Boolean).join(", ")})`),
  ];
}

export const STORY_HINT = "Send /ask <n> for more quotes from story n.";

/** One item as plain text; used to budget the message length and by the terminal and CLI. */
export function renderStoryText(story: BriefingStory): string {
  const body = story.quote !== undefined ? `“${story.quote}”` : (story.sentence ?? "");
  const who = story.speaker ? ` — ${story.speaker}${story.role ? `, ${story.role}` : ""}` : "";
  const a = story.article;
  const cite = [a.title, a.source, a.date].filter(Boolean).join(", ");
  const others = story.articles.length > 1 ? ` (+${story.articles.length - 1} more reports)` : "";
  return `${story.n}. ${story.lead}\n   ${body}${who}\n   ${cite}${a.url ? ` ${a.url}` : ""}${others}`;
}

/** The whole briefing as plain text (terminal chat, CLI without --json). */
export function renderBriefingText(briefing: Briefing): string {
  const lines = [`Briefing for ${formatDay(briefing.date)}`, briefing.coverage, ""];
  if (briefing.stories.length === 0) lines.push(emptyDayLine(briefing));
  for (const story of briefing.stories) lines.push(renderStoryText(story), "");
  const more = moreLine(briefing);
  if (more) lines.push(more);
  lines.push(...newSinceLines(briefing));
  if (briefing.stories.length > 0) lines.push(STORY_HINT);
  return lines.join("\n").trimEnd();
}

/**
 * Builds the briefing of one day. Stories are listed until `maxStories` or the text budget is reached; the rest
 * are counted in `more`. `datesWithArticles` is used only when the day is empty, to offer the nearest days.
 */
export function buildBriefing(
  day: BriefingDay,
  datesWithArticles: readonly string[],
  overrides?: BriefingOptions,
): { readonly briefing: Briefing; readonly stories: readonly Story[] } {
  const opts = options(overrides);
  const stories = groupStories(day, opts);
  const items: BriefingStory[] = [];
  let used = 0;
  const articleRefs = new Map(day.articles.map((a) => [a.id, toArticleRef(a)]));
  for (const story of stories) {
    if (items.length >= opts.maxStories) break;
    const best = storyHighlights(story, day, opts)[0];
    if (!best) continue;
    const article = day.articles.find((a) => a.id === best.article.id);
    if (!article || !verifyQuote(article, best).ok) continue;
    const item: BriefingStory = {
      n: items.length + 1,
      lead: storyLead(story, day, opts),
      ...(best.direct ? { quote: best.text } : { sentence: best.text }),
      speaker: best.speaker,
      role: best.role,
      article: best.article,
      start: best.start,
      end: best.end,
      articles: story.articleIds.map((id) => articleRefs.get(id)!),
    };
    const size = renderStoryText(item).length + 2;
    if (items.length > 0 && used + size > opts.maxChars) break;
    used += size;
    items.push(item);
  }
  const empty = day.articles.length === 0;
  const briefing: Briefing = {
    date: day.date,
    stories: items,
    coverage: coverageLine(day.articles.length, stories.length, [day.date]),
    counts: { articles: day.articles.length, stories: stories.length },
    more: stories.length - items.length,
    ...(empty ? { nearest: nearestDays(day.date, datesWithArticles) } : {}),
  };
  return { briefing, stories };
}
