/**
 * SQLite (better-sqlite3) storage for daily-briefing subscriptions, the delivery log and article arrival times.
 * One file, `<dataDir>/bot.sqlite`, in WAL mode, with migrations versioned by `PRAGMA user_version`.
 *
 * Exactly once per chat per local day: a delivery is first *claimed* by inserting its (platform, chat, local_date)
 * row, which is UNIQUE, in an IMMEDIATE transaction; only the caller whose insert succeeded sends; after the send
 * the same row is marked `sent` (or `gone`, which also deletes the subscription) in one transaction. See
 * README.md ("Daily briefings and subscriptions") for the crash windows: a crash between send and mark leaves a `claimed` row that is never
 * re-sent (at most once), because a duplicate briefing is worse than a missed one and the claim is logged.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { BriefingError } from "../core/errors.js";
import type { ArticleArrivals } from "../service/briefing-service.js";

export type ChatPlatform = "telegram" | "discord" | "terminal";

/** One chat or channel on one platform. */
export interface ChatKey {
  readonly platform: ChatPlatform;
  readonly chatId: string;
}

export interface Subscription extends ChatKey {
  /** Local delivery time `HH:MM` (24 h). */
  readonly time: string;
  /** IANA time zone of `time`. */
  readonly timeZone: string;
  readonly createdAt: string;
  readonly createdBy: string | null;
}

export type DeliveryStatus = "claimed" | "sent" | "gone" | "failed" | "uncertain";

export interface Delivery extends ChatKey {
  readonly localDate: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly claimedAt: string;
  readonly finishedAt: string | null;
  readonly briefingDate: string | null;
  readonly stories: number | null;
  readonly error: string | null;
}

/** The store the scheduler and the subscription commands use. Also records article arrivals durably. */
export interface SubscriptionStore extends ArticleArrivals {
  readonly path: string;
  /** Creates or replaces the chat's subscription. */
  subscribe(subscription: Omit<Subscription, "createdAt">, at: Date): Subscription;
  /** Removes it; false when there was none. */
  unsubscribe(chat: ChatKey): boolean;
  get(chat: ChatKey): Subscription | undefined;
  list(): Subscription[];
  /**
   * Claims the delivery of `localDate` for `chat`. True only for the one caller that may send: no row existed,
   * or the row is a `failed` attempt known not to have been delivered and retries are left.
   */
  claimDelivery(chat: ChatKey, localDate: string, at: Date): boolean;
  /** Marks a claimed delivery sent (one transaction), with what was sent. */
  markSent(chat: ChatKey, localDate: string, at: Date, sent: { briefingDate: string; stories: number }): void;
  /** The chat is gone (blocked / deleted): marks the delivery and removes the subscription in one transaction. */
  markGone(chat: ChatKey, localDate: string, at: Date): void;
  /** The platform rejected the send, so nothing reached the chat: the claim may be retried (bounded). */
  markFailed(chat: ChatKey, localDate: string, at: Date, error: string): void;
  /** The send may or may not have reached the chat (timeout, connection reset): never retried. */
  markUncertain(chat: ChatKey, localDate: string, at: Date, error: string): void;
  delivery(chat: ChatKey, localDate: string): Delivery | undefined;
  /** The chat's most recent `sent` delivery, for "new since your previous briefing". */
  lastSent(chat: ChatKey): Delivery | undefined;
  /** Rows left `claimed` by a crash between claim and mark. */
  unfinishedClaims(): Delivery[];
  close(): void;
}

/** Retries of a delivery that the platform definitely rejected (e.g. 429, 5xx with an error body). */
export const MAX_DELIVERY_ATTEMPTS = 3;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE subscriptions (
     platform TEXT NOT NULL,
     chat_id TEXT NOT NULL,
     time TEXT NOT NULL CHECK (time GLOB '[0-2][0-9]:[0-5][0-9]'),
     time_zone TEXT NOT NULL,
     created_at TEXT NOT NULL,
     created_by TEXT,
     PRIMARY KEY (platform, chat_id)
   ) STRICT;
   CREATE TABLE deliveries (
     platform TEXT NOT NULL,
     chat_id TEXT NOT NULL,
     local_date TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'gone', 'failed', 'uncertain')),
     attempts INTEGER NOT NULL DEFAULT 1,
     claimed_at TEXT NOT NULL,
     finished_at TEXT,
     briefing_date TEXT,
     stories INTEGER,
     error TEXT,
     UNIQUE (platform, chat_id, local_date)
   ) STRICT;
   CREATE INDEX deliveries_sent ON deliveries (platform, chat_id, status, finished_at);`,
  `CREATE TABLE article_arrivals (
     article_id TEXT PRIMARY KEY,
     first_seen_ms INTEGER NOT NULL
   ) STRICT, WITHOUT ROWID;`,
];

interface DeliveryRow {
  platform: ChatPlatform;
  chat_id: string;
  local_date: string;
  status: DeliveryStatus;
  attempts: number;
  claimed_at: string;
  finished_at: string | null;
  briefing_date: string | null;
  stories: number | null;
  error: string | null;
}

interface SubscriptionRow {
  platform: ChatPlatform;
  chat_id: string;
  time: string;
  time_zone: string;
  created_at: string;
  created_by: string | null;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  platform: r.platform,
  chatId: r.chat_id,
  localDate: r.local_date,
  status: r.status,
  attempts: r.attempts,
  claimedAt: r.claimed_at,
  finishedAt: r.finished_at,
  briefingDate: r.briefing_date,
  stories: r.stories,
  error: r.error,
});

const toSubscription = (r: SubscriptionRow): Subscription => ({
  platform: r.platform,
  chatId: r.chat_id,
  time: r.time,
  timeZone: r.time_zone,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

type Database = import("better-sqlite3").Database;

async function loadDriver(): Promise<typeof import("better-sqlite3")> {
  try {
    return (await import("better-sqlite3")).default;
  } catch (cause) {
    throw new BriefingError(
      "NATIVE_MODULE_MISSING",
      "better-sqlite3 could not be loaded; run `npm install` (it needs a prebuilt binary or a C++ toolchain).",
      { cause },
    );
  }
}

/**
 * Opens (creating and migrating) `<dataDir>/bot.sqlite`. The native driver is loaded lazily, so a bot without
 * subscriptions never needs it.
 */
export async function openSubscriptionStore(options: {
  readonly dataDir: string;
  readonly fileName?: string;
}): Promise<SubscriptionStore> {
  const Driver = await loadDriver();
  mkdirSync(options.dataDir, { recursive: true });
  const file = path.resolve(options.dataDir, options.fileName ?? "bot.sqlite");
  const db = new Driver(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  migrate(db, file);
  return createStore(db, file);
}

function migrate(db: Database, file: string): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new BriefingError(
      "INDEX_MISMATCH",
      `${file} has schema version ${current}, newer than this bot (${MIGRATIONS.length}); upgrade the bot.`,
      { context: { file, current } },
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

function createStore(db: Database, file: string): SubscriptionStore {
  const s = {
    upsertSub: db.prepare(
      `INSERT INTO subscriptions (platform, chat_id, time, time_zone, created_at, created_by)
       VALUES (@platform, @chatId, @time, @timeZone, @createdAt, @createdBy)
       ON CONFLICT (platform, chat_id) DO UPDATE SET time = excluded.time, time_zone = excluded.time_zone,
         created_at = excluded.created_at, created_by = excluded.created_by`,
    ),
    deleteSub: db.prepare("DELETE FROM subscriptions WHERE platform = ? AND chat_id = ?"),
    getSub: db.prepare("SELECT * FROM subscriptions WHERE platform = ? AND chat_id = ?"),
    listSubs: db.prepare("SELECT * FROM subscriptions ORDER BY platform, chat_id"),
    getDelivery: db.prepare("SELECT * FROM deliveries WHERE platform = ? AND chat_id = ? AND local_date = ?"),
    insertClaim: db.prepare(
      `INSERT OR IGNORE INTO deliveries (platform, chat_id, local_date, status, attempts, claimed_at)
       VALUES (?, ?, ?, 'claimed', 1, ?)`,
    ),
    reclaim: db.prepare(
      `UPDATE deliveries SET status = 'claimed', attempts = attempts + 1, claimed_at = ?, error = NULL
       WHERE platform = ? AND chat_id = ? AND local_date = ? AND status = 'failed' AND attempts < ?`,
    ),
    finish: db.prepare(
      `UPDATE deliveries SET status = @status, finished_at = @at, briefing_date = @briefingDate,
         stories = @stories, error = @error
       WHERE platform = @platform AND chat_id = @chatId AND local_date = @localDate AND status = 'claimed'`,
    ),
    lastSent: db.prepare(
      `SELECT * FROM deliveries WHERE platform = ? AND chat_id = ? AND status = 'sent'
       ORDER BY finished_at DESC LIMIT 1`,
    ),
    unfinished: db.prepare("SELECT * FROM deliveries WHERE status = 'claimed' ORDER BY claimed_at"),
    countArrivals: db.prepare("SELECT COUNT(*) AS n FROM article_arrivals"),
    insertArrival: db.prepare(
      "INSERT OR IGNORE INTO article_arrivals (article_id, first_seen_ms) VALUES (?, ?)",
    ),
    arrivedAfter: db.prepare("SELECT article_id FROM article_arrivals WHERE first_seen_ms > ?"),
  };

  const finish = (
    chat: ChatKey,
    localDate: string,
    at: Date,
    status: Exclude<DeliveryStatus, "claimed">,
    extra: { briefingDate?: string; stories?: number; error?: string },
  ) => {
    const changed = s.finish.run({
      status,
      at: at.toISOString(),
      briefingDate: extra.briefingDate ?? null,
      stories: extra.stories ?? null,
      error: extra.error ?? null,
      platform: chat.platform,
      chatId: chat.chatId,
      localDate,
    }).changes;
    if (changed !== 1) {
      throw new BriefingError(
        "INTERNAL",
        `No claimed delivery for ${chat.platform}:${chat.chatId} ${localDate}`,
        {
          context: { ...chat, localDate, status },
        },
      );
    }
  };

  const recordArrivals = db.transaction((ids: readonly string[], at: Date) => {
    const { n } = s.countArrivals.get() as { n: number };
    // The first sighting ever is the baseline: those articles were there "before any briefing".
    const t = n === 0 ? 0 : at.getTime();
    for (const id of ids) s.insertArrival.run(id, t);
  });

  return {
    path: file,
    subscribe(subscription, at) {
      const row = {
        platform: subscription.platform,
        chatId: subscription.chatId,
        time: subscription.time,
        timeZone: subscription.timeZone,
        createdAt: at.toISOString(),
        createdBy: subscription.createdBy,
      };
      s.upsertSub.run(row);
      return row;
    },
    unsubscribe(chat) {
      return s.deleteSub.run(chat.platform, chat.chatId).changes > 0;
    },
    get(chat) {
      const row = s.getSub.get(chat.platform, chat.chatId) as SubscriptionRow | undefined;
      return row ? toSubscription(row) : undefined;
    },
    list() {
      return (s.listSubs.all() as SubscriptionRow[]).map(toSubscription);
    },
    claimDelivery(chat, localDate, at) {
      return db
        .transaction(() => {
          const claimed = at.toISOString();
          if (s.insertClaim.run(chat.platform, chat.chatId, localDate, claimed).changes === 1) return true;
          return (
            s.reclaim.run(claimed, chat.platform, chat.chatId, localDate, MAX_DELIVERY_ATTEMPTS).changes === 1
          );
        })
        .immediate();
    },
    markSent(chat, localDate, at, sent) {
      db.transaction(() => finish(chat, localDate, at, "sent", sent)).immediate();
    },
    markGone(chat, localDate, at) {
      db.transaction(() => {
        finish(chat, localDate, at, "gone", {});
        s.deleteSub.run(chat.platform, chat.chatId);
      }).immediate();
    },
    markFailed(chat, localDate, at, error) {
      db.transaction(() => finish(chat, localDate, at, "failed", { error })).immediate();
    },
    markUncertain(chat, localDate, at, error) {
      db.transaction(() => finish(chat, localDate, at, "uncertain", { error })).immediate();
    },
    delivery(chat, localDate) {
      const row = s.getDelivery.get(chat.platform, chat.chatId, localDate) as DeliveryRow | undefined;
      return row ? toDelivery(row) : undefined;
    },
    lastSent(chat) {
      const row = s.lastSent.get(chat.platform, chat.chatId) as DeliveryRow | undefined;
      return row ? toDelivery(row) : undefined;
    },
    unfinishedClaims() {
      return (s.unfinished.all() as DeliveryRow[]).map(toDelivery);
    },
    record(ids, at) {
      recordArrivals.immediate(ids, at);
    },
    arrivedAfter(at) {
      const rows = s.arrivedAfter.all(at.getTime()) as { article_id: string }[];
      return new Set(rows.map((r) => r.article_id));
    },
    close() {
      if (db.open) db.close();
    },
  };
}
