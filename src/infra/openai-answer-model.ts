/**
 * `AnswerModel` over any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, LM Studio, llama.cpp server),
 * through LangChain's `ChatOpenAI` with structured output (`response_format: json_schema`).
 * The prompts live in `prompts/` as files; the passages are given with their ids and fenced as data.
 * What comes back is only a draft: the service grounds and verifies every quote before anything is shown.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import type { Config } from "../config/config.js";
import { BriefingError } from "../core/errors.js";
import type { AnswerModel, EvidencePassage, ModelDraft } from "../core/ports.js";

/** Defaults of the answer model; the request timeout comes from `config.requestTimeoutMs`. */
export const answerModelDefaults = {
  /** Retries after the first attempt, for 429 (with a usable `retry-after`), 408, 5xx and dropped connections. */
  maxRetries: 2,
  temperature: 0,
  maxTokens: 800,
  /** A `retry-after` longer than this is not waited for: the extractive answer is better than a late one. */
  maxRetryAfterMs: 5_000,
  systemPrompt: "answer.system.md",
  userPrompt: "answer.user.md",
} as const satisfies Record<string, string | number>;

/** Sent to local servers that need no key; the OpenAI client refuses to start without one. */
const PLACEHOLDER_API_KEY = "no-key-needed";

/**
 * The structured output asked of the model. It mirrors `ModelDraft`; no length limits here because strict
 * `json_schema` servers differ on which keywords they accept (the grounding step bounds sizes instead).
 */
export const modelDraftSchema = z.object({
  answer: z
    .string()
    .describe("One or two short neutral sentences answering the question, without quotation marks."),
  claims: z
    .array(
      z.object({
        text: z.string().describe("One factual statement made by the answer."),
        passageIds: z.array(z.string()).describe("Ids of the passages that support the statement."),
      }),
    )
    .describe("Every statement of the answer, each with the passages supporting it."),
  quotes: z
    .array(
      z.object({
        passageId: z.string().describe("Id of the passage the excerpt is copied from."),
        text: z.string().describe("An excerpt copied character for character from that passage."),
      }),
    )
    .describe("One to three exact excerpts supporting the claims."),
});

export interface OpenAIAnswerModelOptions {
  /** Retries after the first attempt (default 2). Tests use 0 or 1. */
  readonly maxRetries?: number;
  /** Per-HTTP-request timeout in ms (default `config.requestTimeoutMs`). */
  readonly timeoutMs?: number;
  /** Folder holding `answer.system.md` and `answer.user.md` (default: the project's `prompts/`). */
  readonly promptsDir?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
}

/** Why a draft failed, for logs and for choosing the fallback message; never shown to users. */
export type ModelFailureKind =
  | "aborted"
  | "timeout"
  | "rate-limited"
  | "server-error"
  | "http-error"
  | "network"
  | "invalid-output"
  | "unexpected";

/**
 * Creates the answer model. Throws `BriefingError("CONFIG_INVALID")` when the prompt files cannot be found.
 * `draft` throws `BriefingError("MODEL_FAILED")` with `context.kind` (a `ModelFailureKind`) on any failure;
 * callers fall back to the extractive answer.
 */
export function createOpenAIAnswerModel(config: Config, options: OpenAIAnswerModelOptions = {}): AnswerModel {
  const promptsDir = options.promptsDir ?? findPromptsDir();
  const prompt = ChatPromptTemplate.fromMessages([
    ["system", readPrompt(promptsDir, answerModelDefaults.systemPrompt)],
    ["human", readPrompt(promptsDir, answerModelDefaults.userPrompt)],
  ]);
  const timeoutMs = options.timeoutMs ?? config.requestTimeoutMs;
  const chat = new ChatOpenAI({
    model: config.openai.chatModel,
    apiKey: config.openai.apiKey ?? PLACEHOLDER_API_KEY,
    configuration: config.openai.baseURL === undefined ? {} : { baseURL: config.openai.baseURL },
    temperature: options.temperature ?? answerModelDefaults.temperature,
    maxTokens: options.maxTokens ?? answerModelDefaults.maxTokens,
    timeout: timeoutMs,
    maxRetries: options.maxRetries ?? answerModelDefaults.maxRetries,
    onFailedAttempt: (error: unknown) =>
      retryPolicy(error, Math.min(timeoutMs, answerModelDefaults.maxRetryAfterMs)),
  });
  const chain = prompt.pipe(
    chat.withStructuredOutput(modelDraftSchema, { name: "news_answer", method: "jsonSchema" }),
  );
  const id = `openai:${config.openai.chatModel}@${hostOf(config.openai.baseURL)}`;

  return {
    id,
    async draft({ question, passages, signal }): Promise<ModelDraft> {
      let output: unknown;
      try {
        signal.throwIfAborted();
        output = await chain.invoke({ question, passages: formatPassages(passages) }, { signal });
      } catch (error) {
        const kind = signal.aborted ? "aborted" : classifyFailure(error);
        throw new BriefingError("MODEL_FAILED", `Chat model ${id} failed (${kind}): ${messageOf(error)}`, {
          cause: error,
          context: { kind, model: id },
        });
      }
      const parsed = modelDraftSchema.safeParse(output);
      if (!parsed.success) {
        throw new BriefingError("MODEL_FAILED", `Chat model ${id} returned output outside the schema`, {
          context: { kind: "invalid-output", model: id, issues: parsed.error.issues.slice(0, 5) },
        });
      }
      return parsed.data;
    },
  };
}

/**
 * Renders passages as `<passage id=…>` elements. Text that could close or open a passage element is
 * defused so an article cannot pretend its own text is outside the data block; a quote spanning such text
 * simply fails verification later.
 */
export function formatPassages(passages: readonly EvidencePassage[]): string {
  return passages
    .map((p) => {
      const attributes = [
        `id="${attribute(p.id)}"`,
        `title="${attribute(p.title)}"`,
        `outlet="${attribute(p.source ?? "unknown")}"`,
        `date="${attribute(p.date ?? "unknown")}"`,
      ].join(" ");
      const text = p.text.replace(/<(\/?)(passages?)\b/gi, "\u2039$1$2");
      return `<passage ${attributes}>\n${text}\n</passage>`;
    })
    .join("\n");
}

function attribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `host` of the base URL (what an id or a log line should name), `api.openai.com` when none is set. */
export function hostOf(baseURL: string | undefined): string {
  if (baseURL === undefined) return "api.openai.com";
  try {
    return new URL(baseURL).host;
  } catch {
    return baseURL;
  }
}

/**
 * Walks up from this module to the first folder with `prompts/answer.system.md`, so the prompts are found
 * both from `src/infra` (tsx) and from `dist/src/infra` (compiled).
 */
function findPromptsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "prompts");
    if (existsSync(path.join(candidate, answerModelDefaults.systemPrompt))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new BriefingError(
    "CONFIG_INVALID",
    "Prompt files not found: expected prompts/answer.system.md and prompts/answer.user.md next to the project",
  );
}

function readPrompt(dir: string, file: string): string {
  const full = path.join(dir, file);
  try {
    return readFileSync(full, "utf8").trim();
  } catch (error) {
    throw new BriefingError(
      "CONFIG_INVALID",
      `Cannot read prompt file ${full}: restore it from the repository`,
      {
        cause: error,
        context: { file: full },
      },
    );
  }
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

function headerOf(error: unknown, name: string): string | undefined {
  const headers = (error as { headers?: unknown } | null)?.headers;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  if (typeof headers === "object" && headers !== null) {
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === "string" ? value : undefined;
  }
  return undefined;
}

function nameOf(error: unknown): string {
  if (!(error instanceof Error)) return "";
  return error.name !== "Error" ? error.name : error.constructor.name;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isAbort(error: unknown): boolean {
  const name = nameOf(error);
  return name === "AbortError" || name === "APIUserAbortError";
}

function isNetwork(error: unknown): boolean {
  const name = nameOf(error);
  return name === "TimeoutError" || name === "APIConnectionError" || name === "APIConnectionTimeoutError";
}

/**
 * Retry policy for LangChain's `AsyncCaller` (throw = stop, return = retry with exponential backoff):
 * retry 429 only when `retry-after` is present and short, and retry 408, 5xx and dropped connections.
 * Everything else stops at once: 4xx will not improve, and invalid JSON or a schema mismatch is answered
 * faster and just as well by the extractive fallback than by a second sampling.
 */
function retryPolicy(error: unknown, maxRetryAfterMs: number): void {
  if (isAbort(error)) throw error;
  if (isNetwork(error)) return;
  const status = statusOf(error);
  if (status === 429) {
    const seconds = Number(headerOf(error, "retry-after"));
    if (!Number.isFinite(seconds) || seconds < 0 || seconds * 1000 > maxRetryAfterMs) throw error;
    (error as { retryAfterMs?: number }).retryAfterMs = seconds * 1000;
    return;
  }
  if (status === 408 || (status !== undefined && status >= 500)) return;
  throw error;
}

function classifyFailure(error: unknown): ModelFailureKind {
  if (isAbort(error)) return "aborted";
  if (nameOf(error) === "TimeoutError" || nameOf(error) === "APIConnectionTimeoutError") return "timeout";
  if (isNetwork(error)) return "network";
  const status = statusOf(error);
  if (status === 429) return "rate-limited";
  if (status !== undefined && status >= 500) return "server-error";
  if (status !== undefined) return "http-error";
  const name = nameOf(error);
  if (/SyntaxError|ZodError|OutputParser|FinishReason/.test(name)) return "invalid-output";
  return "unexpected";
}
