/**
 * Configuration, read once: `parseConfig(env)` is pure and validated with zod; `loadConfig()` reads `.env` and
 * `process.env`. Nothing else in the project reads `process.env`.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { BriefingError } from "../core/errors.js";

/** Every default in one place. */
export const defaults = {
  dataDir: ".data",
  corpusDir: "corpus",
  embeddingsProvider: "offline",
  chatModel: "gpt-4o-mini",
  embeddingsModel: "text-embedding-3-small",
  requestTimeoutMs: 10_000,
  briefingTz: "UTC",
  logLevel: "info",
  questionsPerMinute: 6,
} as const satisfies Record<string, string | number>;

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const idList = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === "") return undefined;
    const ids = v.split(/[\s,]+/).filter(Boolean);
    for (const id of ids) {
      if (!/^\d+$/.test(id)) {
        ctx.addIssue({ code: "custom", message: `"${id}" is not a numeric id` });
        return z.NEVER;
      }
    }
    return ids;
  })
  .optional();

const positiveInt = (fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.addIssue({ code: "custom", message: `expected a positive integer, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const timeZone = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    const zone = v === undefined || v === "" ? defaults.briefingTz : v;
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
    } catch {
      ctx.addIssue({ code: "custom", message: `unknown IANA time zone "${zone}"` });
      return z.NEVER;
    }
    return zone;
  });

const envSchema = z.object({
  DATA_DIR: optionalString,
  EMBEDDINGS_CACHE_DIR: optionalString,
  CORPUS_DIR: optionalString,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).optional(),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString.pipe(z.url({ error: "OPENAI_BASE_URL must be a URL" }).optional()),
  CHAT_MODEL: optionalString,
  EMBEDDINGS_PROVIDER: z.enum(["offline", "openai"]).optional(),
  EMBEDDINGS_MODEL: optionalString,
  REQUEST_TIMEOUT_MS: positiveInt(defaults.requestTimeoutMs),

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_API_ROOT: optionalString.pipe(z.url({ error: "TELEGRAM_API_ROOT must be a URL" }).optional()),
  TELEGRAM_WEBHOOK_URL: optionalString.pipe(
    z.url({ error: "TELEGRAM_WEBHOOK_URL must be a URL" }).optional(),
  ),
  TELEGRAM_WEBHOOK_SECRET: optionalString,
  TELEGRAM_WEBHOOK_PORT: positiveInt(8080),
  TELEGRAM_ALLOWED_USERS: idList,

  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString,
  DISCORD_GUILD_ID: optionalString,
  DISCORD_API_ROOT: optionalString.pipe(z.url({ error: "DISCORD_API_ROOT must be a URL" }).optional()),
  DISCORD_ALLOWED_GUILDS: idList,

  QUESTIONS_PER_MINUTE: positiveInt(defaults.questionsPerMinute),
  BRIEFING_TZ: timeZone,
});

export interface Config {
  readonly dataDir: string;
  /** Where converted word vectors are cached; default `<dataDir>/cache`. Tests share one to convert once. */
  readonly cacheDir: string;
  readonly corpusDir: string;
  readonly logLevel: "debug" | "info" | "warn" | "error";
  readonly openai: {
    readonly apiKey: string | undefined;
    readonly baseURL: string | undefined;
    readonly chatModel: string;
    readonly embeddingsModel: string;
    /** True when a key or a base URL is set: the LLM answer path is available. */
    readonly enabled: boolean;
  };
  readonly embeddingsProvider: "offline" | "openai";
  readonly requestTimeoutMs: number;
  readonly telegram:
    | {
        readonly token: string;
        readonly apiRoot: string | undefined;
        readonly webhookUrl: string | undefined;
        readonly webhookSecret: string | undefined;
        readonly webhookPort: number;
        readonly allowedUsers: readonly string[] | undefined;
      }
    | undefined;
  readonly discord:
    | {
        readonly token: string;
        readonly applicationId: string | undefined;
        readonly guildId: string | undefined;
        readonly apiRoot: string | undefined;
        readonly allowedGuilds: readonly string[] | undefined;
      }
    | undefined;
  readonly questionsPerMinute: number;
  readonly briefingTz: string;
}

/** Validates an environment (a plain object) into a typed config. Pure; throws `BriefingError` listing every problem. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "env"}: ${i.message}`);
    throw new BriefingError(
      "CONFIG_INVALID",
      `Invalid configuration (check .env):\n  ${problems.join("\n  ")}`,
      {
        context: { problems },
      },
    );
  }
  const e = parsed.data;
  const openaiEnabled = e.OPENAI_API_KEY !== undefined || e.OPENAI_BASE_URL !== undefined;
  return {
    dataDir: e.DATA_DIR ?? defaults.dataDir,
    cacheDir: e.EMBEDDINGS_CACHE_DIR ?? path.join(e.DATA_DIR ?? defaults.dataDir, "cache"),
    corpusDir: e.CORPUS_DIR ?? defaults.corpusDir,
    logLevel: e.LOG_LEVEL ?? defaults.logLevel,
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseURL: e.OPENAI_BASE_URL,
      chatModel: e.CHAT_MODEL ?? defaults.chatModel,
      embeddingsModel: e.EMBEDDINGS_MODEL ?? defaults.embeddingsModel,
      enabled: openaiEnabled,
    },
    embeddingsProvider: e.EMBEDDINGS_PROVIDER ?? defaults.embeddingsProvider,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    telegram:
      e.TELEGRAM_BOT_TOKEN === undefined
        ? undefined
        : {
            token: e.TELEGRAM_BOT_TOKEN,
            apiRoot: e.TELEGRAM_API_ROOT,
            webhookUrl: e.TELEGRAM_WEBHOOK_URL,
            webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
            webhookPort: e.TELEGRAM_WEBHOOK_PORT,
            allowedUsers: e.TELEGRAM_ALLOWED_USERS,
          },
    discord:
      e.DISCORD_TOKEN === undefined
        ? undefined
        : {
            token: e.DISCORD_TOKEN,
            applicationId: e.DISCORD_APPLICATION_ID,
            guildId: e.DISCORD_GUILD_ID,
            apiRoot: e.DISCORD_API_ROOT,
            allowedGuilds: e.DISCORD_ALLOWED_GUILDS,
          },
    questionsPerMinute: e.QUESTIONS_PER_MINUTE,
    briefingTz: e.BRIEFING_TZ,
  };
}

/** Reads `.env` (if present, without overriding the real environment) and parses `process.env`. */
export function loadConfig(
  options: { envFile?: string; overrides?: Record<string, string | undefined> } = {},
): Config {
  const envFile = options.envFile ?? path.resolve(".env");
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig({ ...process.env, ...options.overrides });
}
