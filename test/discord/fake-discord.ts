/**
 * A loopback fake of Discord for end-to-end tests: the REST routes the bot uses (node:http) and a real
 * WebSocket gateway (ws) speaking HELLO → IDENTIFY → READY → GUILD_CREATE, heartbeat ACKs and dispatches.
 * It records every REST request and keeps, per interaction, what the user would see (the deferred or edited
 * original, follow-ups, ephemerality), and can answer with errors on demand (429 with retry_after, 401).
 */
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

export interface RecordedRequest {
  readonly method: string;
  /** Path without the `/api/v10` prefix and without the query, still URL-encoded (`%40original`). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  readonly body: unknown;
  readonly status: number;
  /** `performance.now()` when the request arrived, to check that a retry waited. */
  readonly at: number;
}

/** A message as Discord would store it; only the fields tests and discord.js need. */
export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: Record<string, unknown>[];
  flags: number;
  allowed_mentions: unknown;
  message_reference?: unknown;
  deleted?: boolean;
}

/** What the user who ran a slash command sees, reconstructed from the bot's requests. */
export interface InteractionView {
  readonly id: string;
  readonly token: string;
  /** Callback types the bot sent (5 = deferred, 4 = immediate reply, 8 = autocomplete result). */
  readonly callbacks: { type: number; data: Record<string, unknown> | undefined }[];
  /** The original response once edited or sent directly; `deleted` when the bot removed it. */
  original: FakeMessage | undefined;
  readonly followups: FakeMessage[];
}

type Fault =
  | { readonly status: 429; readonly retryAfter: number; readonly global?: boolean }
  | { readonly status: number; readonly body?: unknown };

interface FaultRule {
  readonly method: string;
  readonly path: RegExp;
  readonly fault: Fault;
  remaining: number;
}

export interface FakeDiscordOptions {
  readonly token?: string;
  readonly applicationId?: string;
  readonly guilds?: readonly { readonly id: string; readonly name: string; readonly channelId: string }[];
  /** Heartbeat interval sent in HELLO; short so heartbeats and ACKs happen during a test. */
  readonly heartbeatIntervalMs?: number;
}

export interface FakeDiscord {
  readonly apiRoot: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: { readonly id: string; readonly username: string };
  readonly requests: readonly RecordedRequest[];
  /** IDENTIFY payloads received, and how many heartbeats were ACKed. */
  readonly identifies: readonly Record<string, unknown>[];
  readonly heartbeatAcks: () => number;
  /** Gateway connections currently open (0 after the bot shut down cleanly). */
  readonly openSockets: () => number;
  /** Close codes of finished gateway connections (1000 when the bot closed normally). */
  readonly closeCodes: readonly number[];
  /** Registered commands by scope: "global" or a guild id. */
  readonly commands: Map<string, unknown[]>;
  /** Messages the bot posted to channels (mention and DM replies). */
  readonly channelMessages: FakeMessage[];
  /** Answers the next `times` requests matching method and path with the fault. */
  fail(method: string, path: RegExp, fault: Fault, times?: number): void;
  slashCommand(
    name: string,
    options?: Record<string, string>,
    where?: { guildId?: string | null; userId?: string; channelId?: string; permissions?: string },
  ): InteractionView;
  autocomplete(
    name: string,
    option: string,
    value: string,
    where?: { guildId?: string | null; userId?: string },
  ): InteractionView;
  /** Dispatches MESSAGE_CREATE: in a guild channel (mentioning the bot when `mention`) or, with `dm`, a DM. */
  message(
    content: string,
    where?: { guildId?: string; channelId?: string; dm?: boolean; mention?: boolean; userId?: string },
  ): { id: string; channelId: string };
  /** Resolves when `check` returns a truthy value (re-checked after every request and heartbeat), or rejects after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined | null | false | 0 | "", timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

let nextSnowflake = 1_300_000_000_000_000_000n;
const snowflake = () => String(nextSnowflake++);

export const defaultGuild = { id: "900000000000000001", name: "Newsroom", channelId: "900000000000000011" };
export const otherGuild = { id: "900000000000000002", name: "Elsewhere", channelId: "900000000000000022" };

function user(id: string, username: string, bot = false) {
  return { id, username, discriminator: "0", global_name: username, avatar: null, bot, public_flags: 0 };
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (text === "") return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(text);
      }
    });
    req.on("error", reject);
  });
}

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? "fake-bot-token";
  const applicationId = options.applicationId ?? "800000000000000001";
  const guilds = options.guilds ?? [defaultGuild, otherGuild];
  const botUser = user(applicationId, "BriefingBot", true);
  const requests: RecordedRequest[] = [];
  const identifies: Record<string, unknown>[] = [];
  const commands = new Map<string, unknown[]>();
  const channelMessages: FakeMessage[] = [];
  const interactions = new Map<string, InteractionView>();
  const faults: FaultRule[] = [];
  const events = new EventEmitter();
  const sockets = new Set<WebSocket>();
  const closeCodes: number[] = [];
  let acks = 0;
  let sequence = 0;

  const server: Server = createServer();
  const wss = new WebSocketServer({ server, path: "/gateway" });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;

  const send = (ws: WebSocket, payload: Record<string, unknown>) => ws.send(JSON.stringify(payload));
  const dispatch = (t: string, d: unknown) => {
    sequence += 1;
    for (const ws of sockets) send(ws, { op: 0, t, s: sequence, d });
  };

  const guildCreate = (g: (typeof guilds)[number]) => ({
    id: g.id,
    name: g.name,
    icon: null,
    owner_id: "700000000000000001",
    unavailable: false,
    member_count: 2,
    large: false,
    joined_at: new Date().toISOString(),
    features: [],
    emojis: [],
    stickers: [],
    roles: [
      {
        id: g.id,
        name: "@everyone",
        permissions: "2248473465835073",
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    channels: [
      {
        id: g.channelId,
        type: 0,
        name: "news",
        guild_id: g.id,
        position: 0,
        permission_overwrites: [],
        nsfw: false,
        parent_id: null,
      },
    ],
    threads: [],
    members: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    premium_tier: 0,
    preferred_locale: "en-US",
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    system_channel_flags: 0,
  });

  wss.on("connection", (ws) => {
    sockets.add(ws);
    ws.on("close", (code) => {
      sockets.delete(ws);
      closeCodes.push(code);
      events.emit("request");
    });
    send(ws, { op: 10, s: null, t: null, d: { heartbeat_interval: options.heartbeatIntervalMs ?? 1000 } });
    ws.on("message", (raw) => {
      const packet = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      if (packet.op === 1) {
        acks += 1;
        send(ws, { op: 11, s: null, t: null, d: null });
        events.emit("request");
      } else if (packet.op === 2) {
        identifies.push(packet.d);
        if (packet.d.token !== token) {
          ws.close(4004, "Authentication failed.");
          return;
        }
        sequence += 1;
        send(ws, {
          op: 0,
          t: "READY",
          s: sequence,
          d: {
            v: 10,
            user: { ...botUser, verified: true, mfa_enabled: false, flags: 0 },
            guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
            session_id: "fake-session",
            resume_gateway_url: `ws://127.0.0.1:${port}/gateway`,
            application: { id: applicationId, flags: 0 },
            shard: [0, 1],
            private_channels: [],
            relationships: [],
          },
        });
        for (const g of guilds) dispatch("GUILD_CREATE", guildCreate(g));
      }
    });
  });

  const reply = (
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    if (body === undefined) {
      res.writeHead(status, headers).end();
      return;
    }
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  };

  const storeMessage = (channelId: string, body: Record<string, unknown>): FakeMessage => ({
    id: snowflake(),
    channel_id: channelId,
    content: typeof body.content === "string" ? body.content : "",
    embeds: Array.isArray(body.embeds) ? (body.embeds as Record<string, unknown>[]) : [],
    flags: typeof body.flags === "number" ? body.flags : 0,
    allowed_mentions: body.allowed_mentions,
    ...(body.message_reference === undefined ? {} : { message_reference: body.message_reference }),
  });

  const apiMessage = (m: FakeMessage) => ({
    ...m,
    author: botUser,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    components: [],
    pinned: false,
    type: 0,
    webhook_id: applicationId,
  });

  const channelOfInteraction = new Map<string, string>();

  const route = (
    method: string,
    path: string,
    body: unknown,
    auth: string | undefined,
  ): [number, unknown] => {
    const b = (body ?? {}) as Record<string, unknown>;
    const authed = auth === `Bot ${token}`;
    const commandsRoute = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path);
    const callbackRoute = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
    const webhookRoute = /^\/webhooks\/(\d+)\/([^/]+)(\/messages\/(%40original|\d+))?$/.exec(path);
    const channelRoute = /^\/channels\/(\d+)\/(messages|typing)$/.exec(path);
    if (method === "GET" && path === "/gateway/bot") {
      if (!authed) return [401, { message: "401: Unauthorized", code: 0 }];
      return [
        200,
        {
          url: `ws://127.0.0.1:${port}/gateway`,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
        },
      ];
    }
    if (method === "PUT" && commandsRoute !== null) {
      if (!authed) return [401, { message: "401: Unauthorized", code: 0 }];
      if (commandsRoute[1] !== applicationId) return [404, { message: "Unknown Application", code: 10002 }];
      const list = (Array.isArray(body) ? body : []) as Record<string, unknown>[];
      const stored = list.map((c) => ({
        ...c,
        id: snowflake(),
        application_id: applicationId,
        version: "1",
      }));
      commands.set(commandsRoute[2] ?? "global", stored);
      return [200, stored];
    }
    if (method === "POST" && callbackRoute !== null) {
      const view = interactions.get(callbackRoute[2]!);
      if (view === undefined || view.id !== callbackRoute[1])
        return [404, { message: "Unknown interaction", code: 10062 }];
      if (view.callbacks.length > 0) {
        return [400, { message: "Interaction has already been acknowledged.", code: 40060 }];
      }
      const data = b.data as Record<string, unknown> | undefined;
      view.callbacks.push({ type: Number(b.type), data });
      if (b.type === 4 && data) view.original = storeMessage(channelOfInteraction.get(view.token)!, data);
      if (b.type === 5) {
        view.original = { ...storeMessage(channelOfInteraction.get(view.token)!, data ?? {}), content: "" };
      }
      return [204, undefined];
    }
    if (webhookRoute !== null) {
      const view = interactions.get(webhookRoute[2]!);
      if (webhookRoute[1] !== applicationId || view === undefined)
        return [404, { message: "Unknown Webhook", code: 10015 }];
      if (webhookRoute[3] === undefined && method === "POST") {
        const message = storeMessage(channelOfInteraction.get(view.token)!, b);
        view.followups.push(message);
        return [200, apiMessage(message)];
      }
      if (webhookRoute[4] === "%40original" && view.original !== undefined && !view.original.deleted) {
        if (method === "PATCH") {
          const edited = storeMessage(view.original.channel_id, b);
          view.original = { ...edited, id: view.original.id, flags: view.original.flags };
          return [200, apiMessage(view.original)];
        }
        if (method === "DELETE") {
          view.original.deleted = true;
          return [204, undefined];
        }
      }
      return [404, { message: "Unknown Message", code: 10008 }];
    }
    if (channelRoute !== null && method === "POST") {
      if (!authed) return [401, { message: "401: Unauthorized", code: 0 }];
      if (channelRoute[2] === "typing") return [204, undefined];
      const message = storeMessage(channelRoute[1]!, b);
      channelMessages.push(message);
      return [200, apiMessage(message)];
    }
    return [404, { message: "404: Not Found", code: 0 }];
  };

  server.on("request", (req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", base);
      const prefix = "/api/v10";
      const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
      const method = req.method ?? "GET";
      const record = (status: number) =>
        requests.push({
          method,
          path,
          query: url.searchParams,
          authorization: req.headers.authorization,
          body,
          status,
          at: performance.now(),
        });
      const rule = faults.find((f) => f.method === method && f.path.test(path) && f.remaining > 0);
      if (rule !== undefined) {
        rule.remaining -= 1;
        record(rule.fault.status);
        if (rule.fault.status === 429 && "retryAfter" in rule.fault) {
          const after = String(rule.fault.retryAfter);
          reply(
            res,
            429,
            {
              message: "You are being rate limited.",
              retry_after: rule.fault.retryAfter,
              global: !!rule.fault.global,
            },
            {
              "retry-after": after,
              "x-ratelimit-limit": "5",
              "x-ratelimit-remaining": "0",
              "x-ratelimit-reset-after": after,
              "x-ratelimit-bucket": "fake-bucket",
              "x-ratelimit-scope": rule.fault.global ? "global" : "user",
              ...(rule.fault.global ? { "x-ratelimit-global": "true" } : {}),
            },
          );
        } else {
          reply(
            res,
            rule.fault.status,
            "body" in rule.fault ? rule.fault.body : { message: "fault", code: 0 },
          );
        }
        events.emit("request");
        return;
      }
      const [status, payload] = route(method, path, body, req.headers.authorization);
      record(status);
      reply(res, status, payload, {
        "x-ratelimit-limit": "5",
        "x-ratelimit-remaining": "4",
        "x-ratelimit-reset-after": "1",
        "x-ratelimit-bucket": "fake-bucket",
      });
      events.emit("request");
    })();
  });

  /** A member with everyday permissions (no Manage Server) unless `permissions` says otherwise. */
  const member = (userId: string, permissions = "2248473465835073") => ({
    user: user(userId, `user${userId.slice(-4)}`),
    roles: [],
    premium_since: null,
    permissions,
    pending: false,
    nick: null,
    mute: false,
    deaf: false,
    joined_at: new Date().toISOString(),
    flags: 0,
  });

  const interaction = (
    type: 2 | 4,
    data: Record<string, unknown>,
    where: { guildId?: string | null; userId?: string; channelId?: string; permissions?: string },
  ): InteractionView => {
    const guildId = where.guildId === undefined ? defaultGuild.id : where.guildId;
    const userId = where.userId ?? "700000000000000042";
    const channelId =
      where.channelId ??
      (guildId === null ? snowflake() : (guilds.find((g) => g.id === guildId)?.channelId ?? snowflake()));
    const view: InteractionView = {
      id: snowflake(),
      token: `itoken-${snowflake()}`,
      callbacks: [],
      original: undefined,
      followups: [],
    };
    interactions.set(view.token, view);
    channelOfInteraction.set(view.token, channelId);
    dispatch("INTERACTION_CREATE", {
      id: view.id,
      application_id: applicationId,
      type,
      token: view.token,
      version: 1,
      data,
      channel_id: channelId,
      channel:
        guildId === null
          ? { id: channelId, type: 1, recipients: [user(userId, "asker")], flags: 0 }
          : {
              id: channelId,
              type: 0,
              guild_id: guildId,
              name: "news",
              flags: 0,
              permissions: "2248473465835073",
            },
      ...(guildId === null
        ? { user: user(userId, "asker"), context: 1 }
        : {
            guild_id: guildId,
            member: member(userId, where.permissions),
            context: 0,
            guild_locale: "en-US",
            guild: { id: guildId, locale: "en-US", features: [] },
          }),
      app_permissions: "2248473465835073",
      locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: { "0": guildId ?? undefined },
      attachment_size_limit: 10_485_760,
    });
    return view;
  };

  return {
    apiRoot: `${base}/api`,
    token,
    applicationId,
    botUser,
    requests,
    identifies,
    heartbeatAcks: () => acks,
    openSockets: () => sockets.size,
    closeCodes,
    commands,
    channelMessages,
    fail(method, path, fault, times = 1) {
      faults.push({ method, path, fault, remaining: times });
    },
    slashCommand(name, opts = {}, where = {}) {
      return interaction(
        2,
        {
          id: snowflake(),
          name,
          type: 1,
          options: Object.entries(opts).map(([n, value]) => ({ name: n, type: 3, value })),
        },
        where,
      );
    },
    autocomplete(name, option, value, where = {}) {
      return interaction(
        4,
        { id: snowflake(), name, type: 1, options: [{ name: option, type: 3, value, focused: true }] },
        where,
      );
    },
    message(content, where = {}) {
      const id = snowflake();
      const userId = where.userId ?? "700000000000000042";
      const author = user(userId, "asker");
      const guildId = where.dm ? undefined : (where.guildId ?? defaultGuild.id);
      const channelId =
        where.channelId ??
        (guildId === undefined
          ? snowflake()
          : (guilds.find((g) => g.id === guildId)?.channelId ?? snowflake()));
      dispatch("MESSAGE_CREATE", {
        id,
        channel_id: channelId,
        channel_type: guildId === undefined ? 1 : 0,
        ...(guildId === undefined
          ? {}
          : { guild_id: guildId, member: { ...member(userId), user: undefined } }),
        author,
        content,
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: where.mention === false || guildId === undefined ? [] : [botUser],
        mention_roles: [],
        attachments: [],
        embeds: [],
        components: [],
        pinned: false,
        type: 0,
        flags: 0,
      });
      return { id, channelId };
    },
    waitFor<T>(check: () => T | undefined | null | false | 0 | "", timeoutMs = 10_000) {
      return new Promise<T>((resolve, reject) => {
        const attempt = () => {
          const value = check();
          if (value) {
            cleanup();
            resolve(value);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`fake Discord: condition not met within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          events.off("request", attempt);
        };
        events.on("request", attempt);
        attempt();
      });
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
