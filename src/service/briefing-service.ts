/**
 * Daily briefings over the live corpus snapshot: resolves the day phrase in the chat's zone, slices the snapshot
 * to that day, runs the pure briefing core and remembers the grouping so `/ask <n>` can give more quotes of story n.
 * Also answers "what is new since this chat's previous briefing" from an `ArticleArrivals` record.
 */
import {
  type Briefing,
  type BriefingDay,
  type BriefingOptions,
  buildBriefing,
  type NewSince,
  type Story,
  storyHighlights,
  storyLead,
} from "../core/briefing.js";
import { resolveDayPhrase } from "../core/date-phrase.js";
import { BriefingError } from "../core/errors.js";
import type { Clock } from "../core/ports.js";
import type { AnswerQuote, Article } from "../core/types.js";
import { toArticleRef } from "../core/types.js";
import type { CorpusSnapshot } from "./corpus-snapshot.js";

/**
 * When each article first reached the corpus, so a briefing can say what is new since a chat's previous one.
 * `record` is idempotent (first sighting wins). Implemented in memory here and in SQLite by the subscription store.
 */
export interface ArticleArrivals {
  /** Notes `ids` as seen at `at`; ids seen before keep their first time. The very first call records a baseline. */
  record(ids: readonly string[], at: Date): void;
  /** Ids first seen strictly after `at`. */
  arrivedAfter(at: Date): ReadonlySet<string>;
}

/**
 * In-memory arrivals: the first snapshot it sees is the baseline (time 0), later additions get their sighting
 * time. Lost on restart, which is why the scheduler uses the SQLite one.
 */
export function createMemoryArrivals(): ArticleArrivals {
  const seen = new Map<string, number>();
  return {
    record(ids, at) {
      const t = seen.size === 0 ? 0 : at.getTime();
      for (const id of ids) if (!seen.has(id)) seen.set(id, t);
    },
    arrivedAfter(at) {
      const out = new Set<string>();
      for (const [id, t] of seen) if (t > at.getTime()) out.add(id);
      return out;
    },
  };
}

export interface BriefOptions {
  /** IANA zone the day phrase is resolved in; default the service's `defaultTz`. */
  readonly tz?: string;
  /** ISO instant of the chat's previous briefing: adds `newSince` when articles arrived after it. */
  readonly since?: string;
  /** Who asked (e.g. `telegram:123`), so a following `/ask <n>` knows which briefing's story n is meant. */
  readonly chat?: string;
}

export interface StoryDetailsOptions {
  /** Day of the briefing; default the day of this chat's last briefing, else today in `tz`. */
  readonly date?: string;
  readonly chat?: string;
  readonly tz?: string;
  readonly limit?: number;
}

/** More quotes of one story, for `/ask <n>` after a briefing. */
export interface StoryDetails {
  readonly date: string;
  readonly n: number;
  readonly lead: string;
  /** Verified direct quotes first, then key sentences; each verbatim in its cited article. */
  readonly quotes: readonly AnswerQuote[];
}

export interface BriefingService {
  brief(dayPhrase?: string, options?: BriefOptions): Promise<Briefing>;
  /** Story `n` (1-based, as numbered in the briefing of that day) with up to `limit` quotes. */
  storyDetails(n: number, options?: StoryDetailsOptions): Promise<StoryDetails>;
  /** Records the current snapshot's articles as arrived now; call after each corpus refresh. */
  observeCorpus(): void;
}

export interface BriefingServiceOptions {
  readonly corpus: () => CorpusSnapshot;
  readonly clock: Clock;
  readonly defaultTz: string;
  readonly arrivals?: ArticleArrivals;
  readonly tuning?: BriefingOptions;
}

interface SnapshotIndex {
  readonly byDate: ReadonlyMap<string, readonly Article[]>;
  readonly dates: readonly string[];
  readonly built: Map<string, { briefing: Briefing; stories: readonly Story[]; day: BriefingDay }>;
}

const MAX_NEW_LISTED = 5;
const MAX_REMEMBERED_CHATS = 10_000;

/**
 * Creates the briefing service. Results are cached per corpus snapshot (a refresh swaps the snapshot, which
 * drops the cache), so story numbers stay stable between a briefing and the `/ask <n>` that follows it.
 */
export function createBriefingService(options: BriefingServiceOptions): BriefingService {
  const { clock, defaultTz } = options;
  const arrivals = options.arrivals ?? createMemoryArrivals();
  // Keyed by the snapshot's article map, which stays the same object until a refresh swaps the snapshot.
  const indexes = new WeakMap<object, SnapshotIndex>();
  const lastDates = new Map<string, string>();
  const remember = (chat: string, date: string) => {
    lastDates.delete(chat);
    lastDates.set(chat, date);
    if (lastDates.size > MAX_REMEMBERED_CHATS) lastDates.delete(lastDates.keys().next().value!);
  };

  const indexOf = (snapshot: CorpusSnapshot): SnapshotIndex => {
    const cached = indexes.get(snapshot.articles);
    if (cached) return cached;
    const byDate = new Map<string, Article[]>();
    for (const article of snapshot.articles.values()) {
      if (!article.date) continue;
      const list = byDate.get(article.date);
      if (list) list.push(article);
      else byDate.set(article.date, [article]);
    }
    const index: SnapshotIndex = { byDate, dates: [...byDate.keys()].sort(), built: new Map() };
    indexes.set(snapshot.articles, index);
    return index;
  };

  const build = (snapshot: CorpusSnapshot, date: string) => {
    const index = indexOf(snapshot);
    const hit = index.built.get(date);
    if (hit) return hit;
    const articles = [...(index.byDate.get(date) ?? [])].sort((a, b) => a.id.localeCompare(b.id));
    const ids = new Set(articles.map((a) => a.id));
    const day: BriefingDay = {
      date,
      articles,
      passages: snapshot.passages.filter((p) => ids.has(p.articleId)),
      quotes: snapshot.quotes.filter((q) => ids.has(q.articleId)),
      vectorOf: (id) => snapshot.passageVector(id),
    };
    const result = { ...buildBriefing(day, index.dates, options.tuning), day };
    index.built.set(date, result);
    return result;
  };

  const newSince = (snapshot: CorpusSnapshot, date: string, since: string): NewSince | undefined => {
    const at = new Date(since);
    if (Number.isNaN(at.getTime())) return undefined;
    const fresh = arrivals.arrivedAfter(at);
    if (fresh.size === 0) return undefined;
    const articles = [...fresh]
      .map((id) => snapshot.articles.get(id))
      .filter((a): a is Article => a !== undefined);
    const onDay = articles.filter((a) => a.date === date).length;
    const otherDays = articles
      .filter((a) => a.date !== date)
      .sort((a, b) => (b.date ?? "").localeCompare(a.date ?? "") || a.id.localeCompare(b.id))
      .slice(0, MAX_NEW_LISTED)
      .map(toArticleRef);
    return onDay === 0 && otherDays.length === 0 ? undefined : { since: at.toISOString(), onDay, otherDays };
  };

  return {
    async brief(dayPhrase, briefOptions = {}) {
      const snapshot = options.corpus();
      const tz = briefOptions.tz ?? defaultTz;
      const { date } = resolveDayPhrase(dayPhrase, { clock, timeZone: tz });
      arrivals.record([...snapshot.articles.keys()], clock.now());
      const { briefing } = build(snapshot, date);
      if (briefOptions.chat) remember(briefOptions.chat, date);
      const fresh = briefOptions.since ? newSince(snapshot, date, briefOptions.since) : undefined;
      return fresh ? { ...briefing, newSince: fresh } : briefing;
    },
    observeCorpus() {
      arrivals.record([...options.corpus().articles.keys()], clock.now());
    },
    async storyDetails(n, detailOptions = {}) {
      const snapshot = options.corpus();
      const limit = detailOptions.limit ?? 5;
      const date =
        detailOptions.date ??
        (detailOptions.chat ? lastDates.get(detailOptions.chat) : undefined) ??
        resolveDayPhrase("today", { clock, timeZone: detailOptions.tz ?? defaultTz }).date;
      const { briefing, stories, day } = build(snapshot, date);
      const item = briefing.stories.find((s) => s.n === n);
      const story = item && stories.find((s) => s.articleIds[0] === item.articles[0]?.id);
      if (!item || !story) {
        throw new BriefingError(
          "NOT_FOUND",
          `There is no story ${n} in the briefing for ${date}; it has ${briefing.stories.length}.`,
          { context: { date, n } },
        );
      }
      return {
        date,
        n,
        lead: storyLead(story, day, options.tuning),
        quotes: storyHighlights(story, day, options.tuning).slice(0, Math.max(1, limit)),
      };
    },
  };
}
