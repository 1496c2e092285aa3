/**
 * Sends each subscribed chat its daily briefing at its local time, exactly once per chat per local day.
 * A minute tick (croner, `* * * * *`) calls `tick()`; `tick()` reads only the injected `Clock`, so tests drive it
 * with a fake clock. Because a delivery is due whenever the chat's local time is past its HH:MM and no delivery
 * row exists for its local date, the first tick at start-up is the catch-up for a run missed while the bot was
 * down (only while that local day lasts), and a DST gap ("02:30" on a spring-forward day) delivers at 03:00.
 */
import { Cron } from "croner";
import type { Briefing } from "../core/briefing.js";
import { localDate, localMinuteOfDay } from "../core/date-phrase.js";
import { isBriefingError } from "../core/errors.js";
import type { Clock, Logger } from "../core/ports.js";
import { silentLogger } from "../core/ports.js";
import type { ChatKey, ChatPlatform, Subscription, SubscriptionStore } from "../infra/subscription-store.js";
import type { BriefingService } from "./briefing-service.js";

/**
 * What a platform adapter implements to deliver a scheduled briefing.
 * Return "gone" when the chat no longer accepts messages (Telegram 403 blocked/kicked, Discord 10003 Unknown
 * Channel or 50001 Missing Access): the chat is unsubscribed. Throw `DeliveryError` with `delivered: false` when
 * the platform answered with an error (nothing was posted; retried on a later tick); any other throw counts as
 * "may have been delivered" and is never retried, so a chat never gets the same briefing twice.
 */
export interface BriefingSender {
  send(target: ChatKey, briefing: Briefing): Promise<"sent" | "gone">;
}

/** Thrown by a `BriefingSender` when it knows whether anything reached the chat. */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  constructor(
    message: string,
    readonly delivered: false | "unknown",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SchedulerOptions {
  readonly store: SubscriptionStore;
  readonly briefings: Pick<BriefingService, "brief">;
  readonly senders: Partial<Record<ChatPlatform, BriefingSender>>;
  readonly clock: Clock;
  readonly logger?: Logger;
}

export interface DeliveryOutcome extends ChatKey {
  readonly localDate: string;
  readonly result: "sent" | "gone" | "failed" | "uncertain";
}

export interface Scheduler {
  /** Delivers every briefing that is due now; returns what it did. Never runs two ticks at once. */
  tick(): Promise<DeliveryOutcome[]>;
  /** Logs unfinished claims from a crash, runs the catch-up tick and starts the minute timer. */
  start(): Promise<DeliveryOutcome[]>;
  stop(): Promise<void>;
}

/** Parses `HH:MM` (24 h) into minutes after midnight, or null. */
export function parseTimeOfDay(text: string): number | null {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Zero-padded `HH:MM` form of a valid time, for storage and display. */
export function formatTimeOfDay(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { store, briefings, senders, clock } = options;
  const logger = options.logger ?? silentLogger;
  let running: Promise<DeliveryOutcome[]> | null = null;
  let timer: Cron | null = null;

  const deliver = async (sub: Subscription, day: string): Promise<DeliveryOutcome | null> => {
    const sender = senders[sub.platform];
    if (!sender) return null;
    const chat: ChatKey = { platform: sub.platform, chatId: sub.chatId };
    const previous = store.lastSent(chat);
    if (!store.claimDelivery(chat, day, clock.now())) return null;
    const outcome = (result: DeliveryOutcome["result"]): DeliveryOutcome => ({
      ...chat,
      localDate: day,
      result,
    });
    let briefing: Briefing;
    try {
      briefing = await briefings.brief("today", {
        tz: sub.timeZone,
        ...(previous?.finishedAt ? { since: previous.finishedAt } : {}),
      });
    } catch (error) {
      // Nothing was sent: the claim is released for a bounded retry.
      store.markFailed(chat, day, clock.now(), errorText(error));
      logger.error("Briefing could not be built", { ...chat, localDate: day, error: errorText(error) });
      return outcome("failed");
    }
    try {
      const result = await sender.send(chat, briefing);
      if (result === "gone") {
        store.markGone(chat, day, clock.now());
        logger.warn("Chat is gone (blocked the bot or was deleted); unsubscribed", { ...chat });
        return outcome("gone");
      }
      store.markSent(chat, day, clock.now(), {
        briefingDate: briefing.date,
        stories: briefing.stories.length,
      });
      logger.info("Daily briefing sent", { ...chat, localDate: day, stories: briefing.stories.length });
      return outcome("sent");
    } catch (error) {
      if (error instanceof DeliveryError && error.delivered === false) {
        store.markFailed(chat, day, clock.now(), errorText(error));
        logger.warn("Daily briefing rejected by the platform; will retry", {
          ...chat,
          error: errorText(error),
        });
        return outcome("failed");
      }
      store.markUncertain(chat, day, clock.now(), errorText(error));
      logger.error("Daily briefing may or may not have arrived; not retried to avoid a duplicate", {
        ...chat,
        localDate: day,
        error: errorText(error),
      });
      return outcome("uncertain");
    }
  };

  const runTick = async (): Promise<DeliveryOutcome[]> => {
    const now = clock.now();
    const outcomes: DeliveryOutcome[] = [];
    for (const sub of store.list()) {
      const at = parseTimeOfDay(sub.time);
      if (at === null) continue;
      let day: string;
      try {
        if (localMinuteOfDay(now, sub.timeZone) < at) continue;
        day = localDate(now, sub.timeZone);
      } catch (error) {
        logger.error("Subscription has an unusable time zone", { ...sub, error: errorText(error) });
        continue;
      }
      const existing = store.delivery(sub, day);
      if (existing && existing.status !== "failed") continue;
      const result = await deliver(sub, day);
      if (result) outcomes.push(result);
    }
    return outcomes;
  };

  const tick = () => {
    if (running) return running.then(() => []);
    running = runTick().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    tick,
    async start() {
      for (const claim of store.unfinishedClaims()) {
        logger.warn(
          "A briefing was claimed but not marked before the last shutdown; it may have been sent, so it is not resent",
          { platform: claim.platform, chatId: claim.chatId, localDate: claim.localDate, at: claim.claimedAt },
        );
      }
      const outcomes = await tick();
      timer ??= new Cron("* * * * *", { protect: true }, () => {
        tick().catch((error: unknown) => logger.error("Scheduler tick failed", { error: errorText(error) }));
      });
      return outcomes;
    },
    async stop() {
      timer?.stop();
      timer = null;
      await running;
    },
  };
}

function errorText(error: unknown): string {
  if (isBriefingError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
