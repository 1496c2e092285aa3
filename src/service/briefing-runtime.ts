/**
 * Starts what a long-running bot needs for daily briefings: the scheduler (with its catch-up tick) over the
 * subscription store, and the corpus watcher that refreshes the service when corpus files change.
 * `src/main.ts` calls this once the platform bots (and so their `BriefingSender`s) are up.
 */
import type { Clock, Logger } from "../core/ports.js";
import { systemClock } from "../core/ports.js";
import type { ChatPlatform, SubscriptionStore } from "../infra/subscription-store.js";
import { watchCorpus } from "./corpus-watcher.js";
import type { RunningNewsService } from "./open-news-service.js";
import { type BriefingSender, createScheduler } from "./scheduler.js";

export interface BriefingRuntime {
  stop(): Promise<void>;
}

export async function startBriefingRuntime(options: {
  readonly service: RunningNewsService;
  readonly store: SubscriptionStore;
  readonly corpusDir: string;
  readonly senders: Partial<Record<ChatPlatform, BriefingSender>>;
  readonly logger: Logger;
  readonly clock?: Clock;
}): Promise<BriefingRuntime> {
  const { service, store, logger } = options;
  const brief = service.brief;
  if (!brief) throw new Error("The news service has no briefings");
  const watcher = watchCorpus({
    dir: options.corpusDir,
    logger,
    refresh: async () => {
      const result = await service.refresh();
      logger.info("Corpus refreshed", {
        added: result.added,
        changed: result.changed,
        removed: result.removed,
      });
    },
  });
  const scheduler = createScheduler({
    store,
    briefings: { brief },
    senders: options.senders,
    clock: options.clock ?? systemClock,
    logger,
  });
  const outcomes = await scheduler.start();
  logger.info("Daily briefings scheduled", {
    subscriptions: store.list().length,
    sentAtStart: outcomes.length,
  });
  return {
    async stop() {
      await scheduler.stop();
      await watcher.close();
    },
  };
}
