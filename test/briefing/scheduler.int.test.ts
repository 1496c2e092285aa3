// Scheduled delivery with a fake clock over a real SQLite file: local times in two zones, restarts, crash window,
// gone chats, retries, and "new since your previous briefing".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Briefing } from "../../src/core/briefing.js";
import type { Clock, Logger } from "../../src/core/ports.js";
import type { Article } from "../../src/core/types.js";
import {
  type ChatKey,
  openSubscriptionStore,
  type SubscriptionStore,
} from "../../src/infra/subscription-store.js";
import { createBriefingService } from "../../src/service/briefing-service.js";
import type { CorpusSnapshot } from "../../src/service/corpus-snapshot.js";
import { type BriefingSender, createScheduler, DeliveryError } from "../../src/service/scheduler.js";
import { snapshotOf, wikinewsArticles } from "./fixtures.js";

class FakeClock implements Clock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
  set(iso: string) {
    this.t = Date.parse(iso);
  }
}

/** Records every briefing "delivered"; `behaviour` decides the platform's answer per call. */
class FakeSender implements BriefingSender {
  readonly sent: { target: ChatKey; briefing: Briefing }[] = [];
  behaviour: (target: ChatKey) => "sent" | "gone" | Error = () => "sent";
  async send(target: ChatKey, briefing: Briefing) {
    const result = this.behaviour(target);
    if (result instanceof Error) throw result;
    if (result === "sent") this.sent.push({ target, briefing });
    return result;
  }
}

class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  private log = (level: string) => (message: string, context?: Record<string, unknown>) => {
    this.lines.push(`${level} ${message} ${JSON.stringify(context ?? {})}`);
  };
  debug = this.log("debug");
  info = this.log("info");
  warn = this.log("warn");
  error = this.log("error");
}

const berlin: ChatKey = { platform: "telegram", chatId: "1001" };
const newYork: ChatKey = { platform: "discord", chatId: "2002" };

let dir: string;
let stores: SubscriptionStore[];
let corpus: CorpusSnapshot;
const articles = wikinewsArticles().filter((a) => a.date === "2019-10-10" || a.date === "2019-10-12");

async function setup(clock: FakeClock, options: { senders?: Record<string, FakeSender> } = {}) {
  const store = await openSubscriptionStore({ dataDir: dir });
  stores.push(store);
  const logger = new RecordingLogger();
  const telegram = options.senders?.telegram ?? new FakeSender();
  const discord = options.senders?.discord ?? new FakeSender();
  const briefings = createBriefingService({ corpus: () => corpus, clock, defaultTz: "UTC", arrivals: store });
  const scheduler = createScheduler({ store, briefings, senders: { telegram, discord }, clock, logger });
  return { store, logger, telegram, discord, scheduler };
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "briefing-scheduler-"));
  stores = [];
  corpus = await snapshotOf(articles.filter((a) => a.date === "2019-10-10"));
});

afterEach(() => {
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("scheduler", () => {
  it("delivers at each chat's local time in two zones, once per local day", async () => {
    const clock = new FakeClock(Date.parse("2019-10-10T05:29:00Z"));
    const { store, telegram, discord, scheduler } = await setup(clock);
    store.subscribe({ ...berlin, time: "07:30", timeZone: "Europe/Berlin", createdBy: "u1" }, clock.now());
    store.subscribe(
      { ...newYork, time: "07:30", timeZone: "America/New_York", createdBy: "u2" },
      clock.now(),
    );

    expect(await scheduler.tick()).toEqual([]); // 07:29 in Berlin
    clock.set("2019-10-10T05:30:00Z"); // 07:30 CEST
    expect(await scheduler.tick()).toEqual([{ ...berlin, localDate: "2019-10-10", result: "sent" }]);
    clock.set("2019-10-10T11:29:00Z");
    expect(await scheduler.tick()).toEqual([]);
    clock.set("2019-10-10T11:30:00Z"); // 07:30 EDT
    expect(await scheduler.tick()).toEqual([{ ...newYork, localDate: "2019-10-10", result: "sent" }]);
    clock.set("2019-10-10T21:00:00Z");
    expect(await scheduler.tick()).toEqual([]);

    expect(telegram.sent).toHaveLength(1);
    expect(discord.sent).toHaveLength(1);
    const briefing = telegram.sent[0]!.briefing;
    expect(briefing.date).toBe("2019-10-10");
    expect(briefing.coverage).toBe("3 articles · 3 stories · Thu 10 Oct 2019");
    expect(store.delivery(berlin, "2019-10-10")).toMatchObject({ status: "sent", stories: 3, attempts: 1 });

    clock.set("2019-10-11T05:30:00Z"); // next local day in Berlin: due again
    expect(await scheduler.tick()).toEqual([{ ...berlin, localDate: "2019-10-11", result: "sent" }]);
    expect(telegram.sent[1]!.briefing.date).toBe("2019-10-11");
    expect(telegram.sent[1]!.briefing.nearest).toEqual(["2019-10-10"]);
  });

  it("after a restart the same day it does not send again; a run missed while down is sent once", async () => {
    const clock = new FakeClock(Date.parse("2019-10-10T05:30:00Z"));
    const first = await setup(clock);
    first.store.subscribe(
      { ...berlin, time: "07:30", timeZone: "Europe/Berlin", createdBy: null },
      clock.now(),
    );
    first.store.subscribe(
      { ...newYork, time: "07:30", timeZone: "America/New_York", createdBy: null },
      clock.now(),
    );
    expect(await first.scheduler.start()).toHaveLength(1);
    await first.scheduler.stop();
    first.store.close();

    // Down from 05:31Z to 12:00Z: Berlin was served; New York's 07:30 (11:30Z) was missed.
    clock.set("2019-10-10T12:00:00Z");
    const second = await setup(clock);
    expect(await second.scheduler.start()).toEqual([{ ...newYork, localDate: "2019-10-10", result: "sent" }]);
    await second.scheduler.stop();
    second.store.close();

    clock.set("2019-10-10T12:05:00Z");
    const third = await setup(clock);
    expect(await third.scheduler.start()).toEqual([]);
    await third.scheduler.stop();
    expect(first.telegram.sent.length + second.telegram.sent.length + third.telegram.sent.length).toBe(1);
    expect(second.discord.sent).toHaveLength(1);
    expect(third.discord.sent).toHaveLength(0);
  });

  it("does not send a missed run once that chat's local day is over", async () => {
    const clock = new FakeClock(Date.parse("2019-10-10T03:00:00Z"));
    const first = await setup(clock);
    first.store.subscribe(
      { ...berlin, time: "07:30", timeZone: "Europe/Berlin", createdBy: null },
      clock.now(),
    );
    first.store.close();
    clock.set("2019-10-10T22:10:00Z"); // 00:10 on the 11th in Berlin: the 10th is over, the 11th not yet due
    const second = await setup(clock);
    expect(await second.scheduler.start()).toEqual([]);
    await second.scheduler.stop();
    expect(second.telegram.sent).toHaveLength(0);
    expect(second.store.delivery(berlin, "2019-10-10")).toBeUndefined();
  });

  it("a crash between send and commit leaves a claim that is logged and never re-sent", async () => {
    const clock = new FakeClock(Date.parse("2019-10-10T05:30:00Z"));
    const first = await setup(clock);
    first.store.subscribe(
      { ...berlin, time: "07:30", timeZone: "Europe/Berlin", createdBy: null },
      clock.now(),
    );
    // The process claimed the delivery and (maybe) sent it, then died before marking it.
    expect(first.store.claimDelivery(berlin, "2019-10-10", clock.now())).toBe(true);
    first.store.close();

    clock.set("2019-10-10T05:45:00Z");
    const second = await setup(clock);
    expect(await second.scheduler.start()).toEqual([]);
    await second.scheduler.stop();
    expect(second.telegram.sent).toHaveLength(0);
    expect(second.logger.lines.some((l) => l.startsWith("warn A briefing was claimed but not marked"))).toBe(
      true,
    );
    expect(second.store.unfinishedClaims()).toMatchObject([{ ...berlin, localDate: "2019-10-10" }]);
  });

  it("two bot processes on the same database send one briefing between them", async () => {
    const clock = new FakeClock(Date.parse("2019-10-10T06:00:00Z"));
    const a = await setup(clock);
    const b = await setup(clock);
    a.store.subscribe({ ...berlin, time: "07:30", timeZone: "Europe/Berlin", createdBy: null }, clock.now());
    const outcomes = await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    expect(outcomes.flat()).toHaveLength(1);
    expect(a.telegram.sent.length + b.telegram.sent.length).toBe(1);
  });

  it("unsubscribes a chat that blocked the bot, with a log line, and does not retry it", async () => {
    const clock = new FakeClock(Date.parse("2019-10-10T05:30:00Z"));
    const { store, telegram, logger, scheduler } = await setup(clock);
    store.subscribe({ ...berlin, time: "07:30", timeZone: "Europe/Berlin", createdBy: null }, clock.now());
    telegram.behaviour = () => "gone";
    expect(await scheduler.tick()).toEqual([{ ...berlin, localDate: "2019-10-10", result: "gone" }]);
    expect(store.get(berlin)).toBeUndefined();
    expect(logger.lines).toContain(
      'warn Chat is gone (blocked the bot or was deleted); unsubscribed {"platform":"telegram","chatId":"1001"}',
    );
    clock.set("2019-10-11T05:30:00Z");
    expect(await scheduler.tick()).toEqual([]);
  });

  it("retries a send the platform rejected, but not one that may have arrived", async () => {
    const clock = new FakeClock(Date.parse("2019-10-10T05:30:00Z"));
    const { store, telegram, discord, scheduler } = await setup(clock);
    store.subscribe({ ...berlin, time: "07:30", timeZone: "Europe/Berlin", createdBy: null }, clock.now());
    store.subscribe(
      { ...newYork, time: "01:00", timeZone: "America/New_York", createdBy: null },
      clock.now(),
    );
    telegram.behaviour = () => new DeliveryError("429 Too Many Requests", false);
    discord.behaviour = () => new Error("socket hang up");
    expect(await scheduler.tick()).toEqual([
      { ...newYork, localDate: "2019-10-10", result: "uncertain" },
      { ...berlin, localDate: "2019-10-10", result: "failed" },
    ]);
    telegram.behaviour = () => "sent";
    discord.behaviour = () => "sent";
    clock.set("2019-10-10T05:31:00Z");
    expect(await scheduler.tick()).toEqual([{ ...berlin, localDate: "2019-10-10", result: "sent" }]);
    expect(store.delivery(berlin, "2019-10-10")).toMatchObject({ status: "sent", attempts: 2 });
    expect(discord.sent).toHaveLength(0);
    expect(telegram.sent).toHaveLength(1);
  });

  it("says what is new since the chat's previous briefing when the corpus grew in between", async () => {
    const clock = new FakeClock(Date.parse("2019-10-10T05:30:00Z"));
    const { store, telegram, scheduler } = await setup(clock);
    store.subscribe({ ...berlin, time: "07:30", timeZone: "Europe/Berlin", createdBy: null }, clock.now());
    await scheduler.tick();
    expect(telegram.sent[0]!.briefing.newSince).toBeUndefined();

    // Later that day a late report dated the 10th and the 12th's articles arrive.
    clock.set("2019-10-10T15:00:00Z");
    const late: Article = {
      ...articles.find((a) => a.date === "2019-10-12")!,
      date: "2019-10-09",
      id: "late-1",
    };
    corpus = await snapshotOf([...articles.filter((a) => a.date === "2019-10-10"), late]);
    createBriefingService({ corpus: () => corpus, clock, defaultTz: "UTC", arrivals: store }).observeCorpus();

    clock.set("2019-10-11T05:30:00Z");
    await scheduler.tick();
    const next = telegram.sent[1]!.briefing;
    expect(next.newSince?.since).toBe("2019-10-10T05:30:00.000Z");
    expect(next.newSince?.otherDays.map((a) => a.id)).toEqual(["late-1"]);
    expect(next.newSince?.otherDays[0]?.date).toBe("2019-10-09");
  });
});
