/**
 * A loopback fake of the Telegram Bot API (node:http) for end-to-end tests of the Telegram adapter through
 * real grammY over real HTTP. It speaks getMe, getUpdates (long polling with offset and timeout),
 * sendMessage (parsing HTML the way Telegram does, rejecting bad markup and over-long text), sendChatAction,
 * setMyCommands, deleteWebhook and setWebhook, and replies with errors on demand (429 with retry_after, 5xx,
 * 401, 409). A second poller ends the first one's pending getUpdates with 409, as Telegram does. Every request is recorded so tests assert what a user would see.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { UserFromGetMe } from "grammy/types";
import { type MessageEntity, parseTelegramHtml } from "./telegram-html.js";

export const FAKE_TOKEN = "123456:TEST-fake-token-for-loopback";

export interface RecordedRequest {
  readonly method: string;
  readonly payload: Record<string, unknown>;
  /** `performance.now()` when the request arrived. */
  readonly at: number;
  /** The error code the fake answered with, or undefined for success. */
  readonly failedWith?: number;
}

export interface SentMessage {
  readonly messageId: number;
  readonly chatId: number;
  readonly html: string;
  /** What the user sees: the text after Telegram parsed the HTML. */
  readonly text: string;
  readonly entities: readonly MessageEntity[];
  readonly replyTo: number | undefined;
  readonly linkPreviewDisabled: boolean;
}

export interface InjectedError {
  readonly error_code: number;
  readonly description: string;
  readonly retry_after?: number;
}

export interface UserMessage {
  readonly text: string;
  readonly chatId?: number;
  readonly chatType?: "private" | "group" | "supergroup";
  readonly userId?: number;
  /** Message id of a message this one replies to, and who sent it. */
  readonly replyTo?: { readonly messageId: number; readonly fromId: number; readonly text?: string };
}

export const FAKE_BOT = {
  id: 7_000_001,
  is_bot: true,
  first_name: "Briefing Test Bot",
  username: "briefing_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
} as const satisfies UserFromGetMe;

type Update = Record<string, unknown> & { update_id: number };

export interface FakeTelegram {
  readonly apiRoot: string;
  readonly token: string;
  readonly requests: RecordedRequest[];
  readonly sent: SentMessage[];
  /** The menu registered with setMyCommands, if any. */
  readonly commands: ReadonlyArray<{ command: string; description: string }> | undefined;
  readonly webhook: { readonly url: string; readonly secret: string | undefined } | undefined;
  /** Queues a user's text message as an update (entities computed like Telegram) and returns the update. */
  pushMessage(message: UserMessage): Update;
  /** Builds the same update without queueing it, e.g. for `bot.handleUpdate`. */
  buildUpdate(message: UserMessage): Update;
  /** The next `times` calls of `method` fail with `error`. */
  failNext(method: string, error: InjectedError, times?: number): void;
  /** Resolves when `predicate` holds (checked after every request); rejects after `timeoutMs` as a safety net. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Messages sent to one chat, in order. */
  sentTo(chatId: number): SentMessage[];
  /** POSTs an update to the registered webhook the way Telegram does; returns the HTTP status. */
  deliverWebhook(update: Update, secret?: string): Promise<number>;
  close(): Promise<void>;
}

export const errors = {
  tooManyRequests: (retryAfter: number): InjectedError => ({
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfter}`,
    retry_after: retryAfter,
  }),
  internal: { error_code: 500, description: "Internal Server Error" } satisfies InjectedError,
  badGateway: { error_code: 502, description: "Bad Gateway" } satisfies InjectedError,
  unauthorized: { error_code: 401, description: "Unauthorized" } satisfies InjectedError,
  conflict: {
    error_code: 409,
    description:
      "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  } satisfies InjectedError,
};

function computeEntities(text: string): Array<{ type: string; offset: number; length: number }> {
  const entities: Array<{ type: string; offset: number; length: number }> = [];
  const command = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?/.exec(text);
  if (command) entities.push({ type: "bot_command", offset: 0, length: command[0].length });
  for (const match of text.matchAll(/(^|[^\w/])(@[A-Za-z0-9_]{5,32})/g)) {
    entities.push({ type: "mention", offset: match.index + match[1]!.length, length: match[2]!.length });
  }
  return entities;
}

/** Starts the fake on a random loopback port. */
/** The bot's Telegram settings pointing at a fake: polling unless `webhookUrl` is given, no allowlist unless given. */
export function telegramConfigFor(
  fake: Pick<FakeTelegram, "token" | "apiRoot">,
  extra: { allowedUsers?: string[]; webhookUrl?: string } = {},
) {
  return {
    token: fake.token,
    apiRoot: fake.apiRoot,
    webhookUrl: extra.webhookUrl,
    webhookSecret: undefined,
    webhookPort: 0,
    allowedUsers: extra.allowedUsers,
  };
}

export async function startFakeTelegram(options: { token?: string } = {}): Promise<FakeTelegram> {
  const token = options.token ?? FAKE_TOKEN;
  const requests: RecordedRequest[] = [];
  const sent: SentMessage[] = [];
  const queue: Update[] = [];
  const injected = new Map<string, InjectedError[]>();
  const listeners = new Set<() => void>();
  const pollers = new Set<() => void>();
  const conflicts = new Set<() => void>();
  let commands: Array<{ command: string; description: string }> | undefined;
  let webhook: { url: string; secret: string | undefined } | undefined;
  let nextUpdateId = 900_000_001;
  let nextMessageId = 1;
  let nextIncomingId = 5_000;

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  const wakePollers = () => {
    for (const poller of [...pollers]) poller();
  };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, result: unknown) => reply(res, 200, { ok: true, result });
  const fail = (res: ServerResponse, error: InjectedError) =>
    reply(res, error.error_code, {
      ok: false,
      error_code: error.error_code,
      description: error.description,
      ...(error.retry_after !== undefined ? { parameters: { retry_after: error.retry_after } } : {}),
    });

  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    if (raw === "") return {};
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  };

  const getUpdates = (req: IncomingMessage, res: ServerResponse, payload: Record<string, unknown>) => {
    const offset = typeof payload.offset === "number" ? payload.offset : undefined;
    const limit = typeof payload.limit === "number" ? payload.limit : 100;
    const timeout = typeof payload.timeout === "number" ? payload.timeout : 0;
    if (offset !== undefined) {
      // Confirms every update before `offset`, as Telegram does.
      while (queue.length > 0 && queue[0]!.update_id < offset) queue.shift();
    }
    // Like Telegram, a new getUpdates ends any one still waiting with 409: two instances cannot both poll.
    for (const end of [...conflicts]) end();
    const answer = () => ok(res, queue.slice(0, limit));
    if (queue.length > 0 || timeout <= 0) return answer();
    let timer: NodeJS.Timeout | undefined;
    const release = () => {
      pollers.delete(done);
      conflicts.delete(conflict);
      clearTimeout(timer);
    };
    const done = () => {
      release();
      answer();
    };
    const conflict = () => {
      release();
      fail(res, errors.conflict);
    };
    timer = setTimeout(done, timeout * 1000);
    pollers.add(done);
    conflicts.add(conflict);
    req.once("close", () => {
      if (!res.writableEnded) release();
    });
  };

  const sendMessage = (res: ServerResponse, payload: Record<string, unknown>) => {
    const chatId = Number(payload.chat_id);
    const html = typeof payload.text === "string" ? payload.text : "";
    if (!Number.isFinite(chatId))
      return fail(res, { error_code: 400, description: "Bad Request: chat not found" });
    let text = html;
    let entities: MessageEntity[] = [];
    if (payload.parse_mode === "HTML") {
      const parsed = parseTelegramHtml(html);
      if (!parsed.ok) return fail(res, { error_code: 400, description: parsed.description });
      ({ text, entities } = parsed);
    } else if (payload.parse_mode !== undefined) {
      return fail(res, { error_code: 400, description: "Bad Request: unsupported parse_mode in this fake" });
    }
    if (text.trim() === "")
      return fail(res, { error_code: 400, description: "Bad Request: message text is empty" });
    if (text.length > 4096)
      return fail(res, { error_code: 400, description: "Bad Request: message is too long" });
    const replyParameters = payload.reply_parameters as { message_id?: number } | undefined;
    const linkPreview = payload.link_preview_options as { is_disabled?: boolean } | undefined;
    const message: SentMessage = {
      messageId: nextMessageId++,
      chatId,
      html,
      text,
      entities,
      replyTo: replyParameters?.message_id,
      linkPreviewDisabled: linkPreview?.is_disabled === true,
    };
    sent.push(message);
    ok(res, {
      message_id: message.messageId,
      date: Math.floor(Date.now() / 1000),
      chat: chatId < 0 ? { id: chatId, type: "group", title: "Test group" } : { id: chatId, type: "private" },
      from: FAKE_BOT,
      text,
      ...(entities.length > 0 ? { entities } : {}),
    });
  };

  const setMyCommands = (res: ServerResponse, payload: Record<string, unknown>) => {
    const list = payload.commands;
    if (!Array.isArray(list))
      return fail(res, { error_code: 400, description: "Bad Request: commands required" });
    for (const item of list as Array<{ command?: unknown; description?: unknown }>) {
      const valid =
        typeof item.command === "string" &&
        /^[a-z0-9_]{1,32}$/.test(item.command) &&
        typeof item.description === "string" &&
        item.description.length >= 1 &&
        item.description.length <= 256;
      if (!valid) return fail(res, { error_code: 400, description: "Bad Request: BOT_COMMAND_INVALID" });
    }
    commands = list as Array<{ command: string; description: string }>;
    ok(res, true);
  };

  const server = createServer(async (req, res) => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    let payload: Record<string, unknown> = {};
    try {
      payload = await readBody(req);
    } catch {
      return fail(res, { error_code: 400, description: "Bad Request: invalid JSON" });
    }
    const method = match?.[2] ?? "";
    const record = (failedWith?: number) => {
      requests.push({
        method,
        payload,
        at: performance.now(),
        ...(failedWith !== undefined ? { failedWith } : {}),
      });
      queueMicrotask(notify);
    };
    if (!match || match[1] !== token) {
      record(401);
      return fail(res, errors.unauthorized);
    }
    const pending = injected.get(method);
    const error = pending?.shift();
    if (error) {
      record(error.error_code);
      return fail(res, error);
    }
    record();
    switch (method) {
      case "getMe":
        return ok(res, FAKE_BOT);
      case "getUpdates":
        return getUpdates(req, res, payload);
      case "sendMessage":
        return sendMessage(res, payload);
      case "sendChatAction":
        return ok(res, true);
      case "setMyCommands":
        return setMyCommands(res, payload);
      case "deleteWebhook":
        webhook = undefined;
        return ok(res, true);
      case "setWebhook":
        webhook = {
          url: String(payload.url),
          secret: typeof payload.secret_token === "string" ? payload.secret_token : undefined,
        };
        return ok(res, true);
      case "getWebhookInfo":
        return ok(res, { url: webhook?.url ?? "", has_custom_certificate: false, pending_update_count: 0 });
      default:
        return fail(res, { error_code: 404, description: "Not Found: method not found" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const buildUpdate = (message: UserMessage): Update => {
    const chatType = message.chatType ?? "private";
    const userId = message.userId ?? 42;
    const chatId = message.chatId ?? (chatType === "private" ? userId : -100_200);
    const entities = computeEntities(message.text);
    const from = { id: userId, is_bot: false, first_name: `User ${userId}`, language_code: "en" };
    return {
      update_id: nextUpdateId++,
      message: {
        message_id: nextIncomingId++,
        date: Math.floor(Date.now() / 1000),
        chat:
          chatType === "private"
            ? { id: chatId, type: "private", first_name: from.first_name }
            : { id: chatId, type: chatType, title: "Test group" },
        from,
        text: message.text,
        ...(entities.length > 0 ? { entities } : {}),
        ...(message.replyTo
          ? {
              reply_to_message: {
                message_id: message.replyTo.messageId,
                date: Math.floor(Date.now() / 1000),
                chat: { id: chatId, type: chatType, title: "Test group" },
                from:
                  message.replyTo.fromId === FAKE_BOT.id
                    ? FAKE_BOT
                    : { id: message.replyTo.fromId, is_bot: false, first_name: "Someone" },
                text: message.replyTo.text ?? "earlier message",
              },
            }
          : {}),
      },
    };
  };

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    requests,
    sent,
    get commands() {
      return commands;
    },
    get webhook() {
      return webhook;
    },
    buildUpdate,
    pushMessage(message) {
      const update = buildUpdate(message);
      queue.push(update);
      wakePollers();
      return update;
    },
    failNext(method, error, times = 1) {
      const list = injected.get(method) ?? [];
      for (let i = 0; i < times; i++) list.push(error);
      injected.set(method, list);
    },
    waitFor(predicate, timeoutMs = 15_000) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate()) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `fake Telegram: condition not met; requests: ${requests.map((r) => r.method).join(", ")}`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
      });
    },
    sentTo(chatId) {
      return sent.filter((m) => m.chatId === chatId);
    },
    async deliverWebhook(update, secret) {
      if (!webhook) throw new Error("fake Telegram: no webhook is set");
      const headers: Record<string, string> = { "content-type": "application/json" };
      const useSecret = secret ?? webhook.secret;
      if (useSecret !== undefined) headers["x-telegram-bot-api-secret-token"] = useSecret;
      const response = await fetch(webhook.url, { method: "POST", headers, body: JSON.stringify(update) });
      await response.arrayBuffer();
      return response.status;
    },
    close() {
      wakePollers();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
