// End-to-end tests of the Telegram adapter: real grammY (long polling, handleUpdate and webhooks) over real HTTP
// against the loopback fake Bot API, with a hand-written fake NewsService answering from the seed article.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramBot, telegramCommands } from "../../src/adapters/telegram/create-telegram-bot.js";
import { SOURCES_HINT, TELEGRAM_MESSAGE_LIMIT } from "../../src/adapters/telegram/render.js";
import {
  type RunningTelegramBot,
  runTelegramBot,
  type TelegramStartError,
} from "../../src/adapters/telegram/run-telegram.js";
import { commandTable } from "../../src/commands/table.js";
import type { Clock } from "../../src/core/ports.js";
import { recordingLogger } from "../support/recording-logger.js";
import {
  createFakeNewsService,
  type FakeNewsService,
  KELLY_QUOTE,
  loadSeedArticle,
  REFUSAL_LEAD,
} from "./fake-news-service.js";
import {
  errors,
  FAKE_BOT,
  type FakeTelegram,
  type SentMessage,
  startFakeTelegram,
  telegramConfigFor,
} from "./fake-telegram.js";
import { HOSTILE_QUESTION, HOSTILE_QUOTES, hostileAnswer, hostileArticle, longAnswer } from "./fixtures.js";
import { entityText } from "./telegram-html.js";

const SEED_QUESTION = "What did the White House say about pulling embassy staff out of Iraq?";
const SEED_URL = "https://example.org/news/us-iraq-embassy-staff";
const USER = 42;

const fixedClock: Clock = { now: () => new Date("2025-06-12T09:00:00Z") };

interface Harness {
  readonly fake: FakeTelegram;
  readonly service: FakeNewsService;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly running: RunningTelegramBot;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeApi(): Promise<FakeTelegram> {
  const fake = await startFakeTelegram();
  cleanups.push(() => fake.close());
  return fake;
}

/** Starts the bot with real long polling against a fresh fake. */
async function startPolling(
  options: {
    allowedUsers?: string[];
    questionsPerMinute?: number;
    onFatal?: (error: TelegramStartError) => void;
    prepare?: (fake: FakeTelegram) => void;
  } = {},
): Promise<Harness> {
  const fake = await fakeApi();
  options.prepare?.(fake);
  const service = createFakeNewsService({ article: { ...loadSeedArticle(), url: SEED_URL } });
  const logger = recordingLogger();
  const running = await runTelegramBot(
    service,
    {
      telegram: telegramConfigFor(fake, options.allowedUsers ? { allowedUsers: options.allowedUsers } : {}),
      questionsPerMinute: options.questionsPerMinute ?? 30,
    },
    logger,
    { clock: fixedClock, ...(options.onFatal ? { onFatal: options.onFatal } : {}) },
  );
  cleanups.push(() => running.stop());
  return { fake, service, logger, running };
}

async function ask(fake: FakeTelegram, text: string, chatId = USER, count = 1): Promise<SentMessage[]> {
  const before = fake.sentTo(chatId).length;
  fake.pushMessage({
    text,
    chatId,
    userId: chatId > 0 ? chatId : USER,
    chatType: chatId > 0 ? "private" : "group",
  });
  await fake.waitFor(() => fake.sentTo(chatId).length >= before + count);
  return fake.sentTo(chatId).slice(before);
}

describe("Telegram bot (long polling)", () => {
  it("answers the seed question with Annie Kelly's verbatim quote in a blockquote and a link to the article", async () => {
    const { fake, service } = await startPolling();
    const [reply, ...more] = await ask(fake, SEED_QUESTION);
    expect(more).toEqual([]);
    expect(service.calls.filter((c) => c.method === "ask").map((c) => c.args[0])).toEqual([SEED_QUESTION]);

    const quote = reply!.entities.find((e) => e.type === "blockquote")!;
    expect(entityText(reply!.text, quote)).toContain(
      `“${KELLY_QUOTE}”\n— Annie Kelly, White House Spokesperson`,
    );
    expect(loadSeedArticle().text).toContain(KELLY_QUOTE);
    const link = reply!.entities.find((e) => e.type === "text_link")!;
    expect(link.url).toBe(SEED_URL);
    expect(entityText(reply!.text, link)).toBe("US considering withdrawing some embassy staff from Iraq");
    expect(reply!.text).toContain("· Reuters · 12 Jun 2025");
    expect(reply!.linkPreviewDisabled).toBe(true);

    // The typing indicator went out before the answer.
    const methods = fake.requests.map((r) => r.method);
    const typing = methods.indexOf("sendChatAction");
    expect(typing).toBeGreaterThan(-1);
    expect(fake.requests[typing]!.payload).toMatchObject({ chat_id: USER, action: "typing" });
    expect(typing).toBeLessThan(methods.indexOf("sendMessage"));
  });

  it("registers the command menu generated from the shared command table", async () => {
    const { fake } = await startPolling();
    expect(fake.commands).toEqual(telegramCommands());
    expect(fake.commands!.map((c) => c.command)).toEqual(commandTable.map((c) => c.name));
  });

  it("answers /start with what it does and example questions, and /sources with the corpus summary", async () => {
    const { fake } = await startPolling();
    const [start] = await ask(fake, "/start");
    expect(start!.text).toContain("I answer questions about the news");
    expect(start!.text).toContain(`Try asking:\n• ${SEED_QUESTION}`);
    for (const command of commandTable)
      expect(start!.text).toContain(`/${command.name} - ${command.description}`);
    const [sources] = await ask(fake, "/sources");
    expect(sources!.text).toContain("I hold 1 article from 12 Jun 2025");
    expect(sources!.text).toContain("Outlets: Reuters (1).");
  });

  it("shows /quotes of a speaker, and a friendly refusal suggesting /sources", async () => {
    const { fake } = await startPolling();
    const [quotes] = await ask(fake, "/quotes Annie Kelly");
    expect(quotes!.text.split("\n")[0]).toBe(
      "Quotes from Annie Kelly, White House Spokesperson, newest first:",
    );
    expect(quotes!.text).toContain(`“${KELLY_QUOTE}”`);
    const [refusal] = await ask(fake, "What is the weather on Mars?");
    expect(refusal!.text).toBe(`${REFUSAL_LEAD} ${SOURCES_HINT}`);
    const [usage] = await ask(fake, "/ask");
    expect(usage!.text).toBe("question is required. Usage: /ask <question>");
  });

  it("keeps markup, Markdown and URLs from the question and the article as plain text", async () => {
    const { fake, service } = await startPolling();
    service.script(HOSTILE_QUESTION, hostileAnswer(HOSTILE_QUESTION));
    const [reply, ...more] = await ask(fake, HOSTILE_QUESTION);
    expect(more).toEqual([]);
    expect(reply!.text).toContain(HOSTILE_QUESTION);
    for (const quote of HOSTILE_QUOTES) expect(reply!.text).toContain(`“${quote}”`);
    expect(reply!.text).toContain(hostileArticle.title);
    expect(reply!.entities.map((e) => e.type).sort()).toEqual([
      "blockquote",
      "blockquote",
      "bold",
      "bold",
      "text_link",
      "text_link",
    ]);
    const [noQuotes] = await ask(fake, "/quotes </blockquote><b>x</b> & *y* _z_");
    expect(noQuotes!.text).toBe(`I found no quotes from “</blockquote><b>x</b> & *y* _z_”. ${SOURCES_HINT}`);
    expect(noQuotes!.entities).toEqual([]);
  });

  it("splits a long answer into messages under 4,096 characters, between quotes, in order", async () => {
    const { fake, service } = await startPolling();
    const answer = longAnswer();
    service.script("budgets?", answer);
    fake.pushMessage({ text: "budgets?", userId: USER });
    // Wait until every quote has arrived.
    await fake.waitFor(() => fake.sentTo(USER).some((m) => m.text.includes(answer.quotes.at(-1)!.text)));
    const messages = fake.sentTo(USER);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    expect(messages[0]!.text.startsWith(answer.lead)).toBe(true);
    let previous = -1;
    for (const quote of answer.quotes) {
      const index = messages.findIndex((m) =>
        m.entities.some((e) => e.type === "blockquote" && entityText(m.text, e).includes(`“${quote.text}”`)),
      );
      expect(index).toBeGreaterThanOrEqual(previous);
      previous = index;
      const link = messages[index]!.entities.find(
        (e) => e.type === "text_link" && e.url === quote.article.url,
      );
      expect(link && entityText(messages[index]!.text, link)).toBe(quote.article.title);
    }
    for (const message of messages) {
      expect(message.text.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
      expect(message.html.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
    }
  });

  it("waits out a 429 retry_after and still delivers the answer", async () => {
    const { fake } = await startPolling({
      prepare: (f) => f.failNext("sendMessage", errors.tooManyRequests(1)),
    });
    const [reply] = await ask(fake, SEED_QUESTION);
    expect(reply!.text).toContain(KELLY_QUOTE);
    const sends = fake.requests.filter((r) => r.method === "sendMessage");
    expect(sends.map((r) => r.failedWith)).toEqual([429, undefined]);
    // retry_after is 1 second: the retry must not come sooner (a little slack for timer granularity).
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it("retries a 5xx from Telegram and still delivers the answer", async () => {
    const { fake } = await startPolling({ prepare: (f) => f.failNext("sendMessage", errors.badGateway) });
    const [reply] = await ask(fake, SEED_QUESTION);
    expect(reply!.text).toContain(KELLY_QUOTE);
    expect(fake.requests.filter((r) => r.method === "sendMessage").map((r) => r.failedWith)).toEqual([
      502,
      undefined,
    ]);
  });

  it("apologises when a handler fails, logs it once without token or text, and serves the next update", async () => {
    const { fake, service, logger } = await startPolling();
    service.failNext(new Error(`boom near ${fake.token}`));
    const secretQuestion = "What did the White House say about my secret embassy plan?";
    const [apology] = await ask(fake, secretQuestion);
    expect(apology!.text).toBe("Sorry, something went wrong on my side. Please try again in a moment.");
    const [answer] = await ask(fake, SEED_QUESTION);
    expect(answer!.text).toContain(KELLY_QUOTE);

    const errorsLogged = logger.entries.filter((e) => e.level === "error");
    expect(errorsLogged).toHaveLength(1);
    expect(errorsLogged[0]!.context).toMatchObject({ updateId: expect.any(Number), error: "Error" });
    const everything = JSON.stringify(logger.entries);
    expect(everything).not.toContain(fake.token);
    expect(everything).not.toContain("secret embassy plan");
  });

  it("in groups ignores messages without a mention and answers mentions, replies to it and its commands", async () => {
    const { fake, service } = await startPolling();
    const group = -100_200;
    fake.pushMessage({ text: "What did the White House say about Iraq?", chatId: group, chatType: "group" });
    fake.pushMessage({ text: "/ask@some_other_bot What about Iraq?", chatId: group, chatType: "group" });
    const [mentioned] = await ask(fake, `@${FAKE_BOT.username} ${SEED_QUESTION}`, group);
    expect(mentioned!.text).toContain(KELLY_QUOTE);
    expect(service.calls.filter((c) => c.method === "ask").map((c) => c.args[0])).toEqual([SEED_QUESTION]);
    expect(fake.sentTo(group)).toHaveLength(1);
    expect(mentioned!.replyTo).toBeGreaterThan(0);

    fake.pushMessage({
      text: "And what did Kelly say?",
      chatId: group,
      chatType: "group",
      replyTo: { messageId: mentioned!.messageId, fromId: FAKE_BOT.id },
    });
    await fake.waitFor(() => fake.sentTo(group).length === 2);
    expect(fake.sentTo(group)[1]!.text).toContain(KELLY_QUOTE);
    const [sources] = await ask(fake, `/sources@${FAKE_BOT.username}`, group);
    expect(sources!.text).toContain("I hold 1 article");
  });

  it("refuses users outside the allowlist with one short reply and nothing from the corpus", async () => {
    const { fake, service } = await startPolling({ allowedUsers: [String(USER)] });
    const stranger = 99;
    const replies = await ask(fake, SEED_QUESTION, stranger);
    expect(replies.map((m) => m.text)).toEqual(["Sorry, this bot is private."]);
    const [sources] = await ask(fake, "/sources", stranger);
    expect(sources!.text).toBe("Sorry, this bot is private.");
    expect(service.calls).toEqual([]);
    const [answer] = await ask(fake, SEED_QUESTION, USER);
    expect(answer!.text).toContain(KELLY_QUOTE);
  });

  it("asks a user who sends questions too fast to slow down, without asking the service", async () => {
    const { fake, service } = await startPolling({ questionsPerMinute: 2 });
    await ask(fake, SEED_QUESTION);
    await ask(fake, "/quotes Kelly");
    const [slow] = await ask(fake, SEED_QUESTION);
    expect(slow!.text).toBe("You're asking faster than I can keep up. Please wait 30 seconds and ask again.");
    expect(service.calls.filter((c) => c.method !== "examples").map((c) => c.method)).toEqual([
      "ask",
      "quotes",
    ]);
    // Commands that do not ask the service a question are not limited.
    const [sources] = await ask(fake, "/sources");
    expect(sources!.text).toContain("I hold 1 article");
    // Another user has their own allowance.
    const [other] = await ask(fake, SEED_QUESTION, 77);
    expect(other!.text).toContain(KELLY_QUOTE);
  });

  it("stops polling cleanly, confirming the updates it handled", async () => {
    const { fake, running } = await startPolling();
    const update = fake.pushMessage({ text: SEED_QUESTION, userId: USER });
    await fake.waitFor(() => fake.sentTo(USER).length === 1);
    await running.stop();
    expect(running.bot.isRunning()).toBe(false);
    const polls = fake.requests.filter((r) => r.method === "getUpdates");
    expect(polls.at(-1)!.payload).toMatchObject({ offset: update.update_id + 1 });
    const count = fake.requests.length;
    fake.pushMessage({ text: SEED_QUESTION, userId: USER });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.requests.length).toBe(count);
  });

  it("reports another instance polling (409) with what to do", async () => {
    let reported: TelegramStartError | undefined;
    const fatal = new Promise<void>((resolve) => {
      void startPolling({
        prepare: (f) => f.failNext("getUpdates", errors.conflict),
        onFatal: (error) => {
          reported = error;
          resolve();
        },
      });
    });
    await fatal;
    expect(reported!.code).toBe("PLATFORM_CONFLICT");
    expect(reported!.message).toContain("Another instance of this bot is already receiving updates");
  });
});

describe("Telegram bot with two instances on one token", () => {
  it("the instance whose poll is cut off by the other reports 409 with what to do", async () => {
    const fake = await fakeApi();
    const config = { telegram: telegramConfigFor(fake), questionsPerMinute: 6 };
    let reported: TelegramStartError | undefined;
    const conflict = new Promise<void>((resolve) => {
      const onFatal = (error: TelegramStartError) => {
        reported = error;
        resolve();
      };
      void (async () => {
        const first = await runTelegramBot(createFakeNewsService(), config, recordingLogger(), { onFatal });
        cleanups.push(() => first.stop());
        await fake.waitFor(() => fake.requests.some((r) => r.method === "getUpdates"));
        const second = await runTelegramBot(createFakeNewsService(), config, recordingLogger());
        cleanups.push(() => second.stop());
      })();
    });
    await conflict;
    expect(reported!.code).toBe("PLATFORM_CONFLICT");
    expect(reported!.message).toContain("Stop the other process using this token");
  });
});

describe("Telegram bot start-up", () => {
  it("fails with a helpful error on a bad token (401), never showing the token", async () => {
    const fake = await fakeApi();
    const badToken = "999999:definitely-not-the-right-token";
    const logger = recordingLogger();
    const failure = await runTelegramBot(
      createFakeNewsService(),
      { telegram: { ...telegramConfigFor(fake), token: badToken }, questionsPerMinute: 6 },
      logger,
    ).catch((error: unknown) => error as TelegramStartError);
    expect(failure).toMatchObject({ name: "TelegramStartError", code: "PLATFORM_AUTH" });
    expect((failure as Error).message).toContain("TELEGRAM_BOT_TOKEN");
    expect((failure as Error).message).toContain("@BotFather");
    expect((failure as Error).message).not.toContain(badToken);
    expect(fake.requests.map((r) => [r.method, r.failedWith])).toEqual([["getMe", 401]]);
  });
});

describe("Telegram bot start-up (unreachable API)", () => {
  it("says it cannot reach the Bot API instead of retrying forever", async () => {
    const fake = await startFakeTelegram();
    const apiRoot = fake.apiRoot;
    await fake.close();
    const failure = await runTelegramBot(
      createFakeNewsService(),
      { telegram: { ...telegramConfigFor(fake), apiRoot }, questionsPerMinute: 6 },
      recordingLogger(),
    ).catch((error: unknown) => error as TelegramStartError);
    expect(failure).toMatchObject({ name: "TelegramStartError" });
    expect((failure as Error).message).toContain(`Could not reach the Telegram Bot API at ${apiRoot}`);
    expect((failure as Error).message).not.toContain(fake.token);
  });
});

describe("Telegram bot (webhook)", () => {
  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  it("registers a webhook with a secret token and only accepts updates carrying it", async () => {
    const fake = await fakeApi();
    const port = await freePort();
    const service = createFakeNewsService({ article: { ...loadSeedArticle(), url: SEED_URL } });
    const running = await runTelegramBot(
      service,
      {
        telegram: {
          ...telegramConfigFor(fake, { webhookUrl: `http://127.0.0.1:${port}/telegram` }),
          webhookPort: port,
        },
        questionsPerMinute: 6,
      },
      recordingLogger(),
    );
    cleanups.push(() => running.stop());
    expect(running.mode).toBe("webhook");
    expect(fake.webhook?.url).toBe(`http://127.0.0.1:${port}/telegram`);
    expect(fake.webhook?.secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);

    const forged = fake.buildUpdate({ text: SEED_QUESTION, userId: USER });
    expect(await fake.deliverWebhook(forged, "wrong-secret")).toBe(401);
    expect(service.calls).toEqual([]);

    expect(await fake.deliverWebhook(fake.buildUpdate({ text: SEED_QUESTION, userId: USER }))).toBe(200);
    await fake.waitFor(() => fake.sentTo(USER).length === 1);
    expect(fake.sentTo(USER)[0]!.text).toContain(KELLY_QUOTE);
  });
});

describe("createTelegramBot with handleUpdate", () => {
  it("asks for text when sent something else, and points unknown commands to /help", async () => {
    const fake = await fakeApi();
    const bot = createTelegramBot(
      createFakeNewsService(),
      { telegram: telegramConfigFor(fake), questionsPerMinute: 6 },
      { botConfig: { botInfo: FAKE_BOT } },
    );
    const sticker = fake.buildUpdate({ text: "x", userId: USER });
    const { text: _text, ...stickerMessage } = sticker.message as Record<string, unknown>;
    await bot.handleUpdate({
      ...sticker,
      message: { ...stickerMessage, sticker: { file_id: "s" } },
    } as never);
    await bot.handleUpdate(fake.buildUpdate({ text: "/weather", userId: USER }) as never);
    expect(fake.sentTo(USER).map((m) => m.text)).toEqual([
      "Send me a question as text, or /help to see what I can do.",
      "I don't know /weather. Send /help to see what I can do.",
    ]);
  });
});
