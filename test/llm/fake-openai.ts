/**
 * A loopback fake of the OpenAI-compatible API (the part this project uses), for e2e tests of the real
 * `ChatOpenAI` / `OpenAIEmbeddings` classes over real HTTP:
 * - `POST /v1/chat/completions` answers from a script (JSON content, raw content, an HTTP status, a delay or a
 *   hang) and records every request, so tests can check that `response_format: json_schema` was asked for.
 * - `POST /v1/embeddings` returns deterministic bag-of-words vectors, as float arrays or base64 float32,
 *   following `encoding_format` like the real API.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted reply of `/v1/chat/completions`, consumed in order. */
export type ChatReply =
  /** The assistant message content is `JSON.stringify(json)`. */
  | { readonly json: unknown; readonly delayMs?: number }
  /** The assistant message content, verbatim (e.g. invalid JSON). */
  | { readonly content: string; readonly delayMs?: number }
  /** An HTTP error with an OpenAI-style error body, optionally with a `retry-after` header (seconds). */
  | { readonly status: number; readonly retryAfter?: string; readonly message?: string }
  /** Never answer; the connection stays open until the client gives up. */
  | { readonly hang: true };

export interface ChatRequestRecord {
  readonly body: {
    readonly model?: string;
    readonly messages?: readonly { readonly role: string; readonly content: unknown }[];
    readonly response_format?: {
      readonly type?: string;
      readonly json_schema?: { readonly name?: string; readonly strict?: boolean; readonly schema?: unknown };
    };
    readonly [key: string]: unknown;
  };
  readonly authorization: string | undefined;
}

export interface EmbeddingsRequestRecord {
  readonly input: readonly string[];
  readonly encodingFormat: string | undefined;
  readonly model: string | undefined;
}

export interface FakeOpenAI {
  /** `http://127.0.0.1:<port>/v1`, what `OPENAI_BASE_URL` is set to. */
  readonly baseURL: string;
  readonly chatRequests: ChatRequestRecord[];
  readonly embeddingsRequests: EmbeddingsRequestRecord[];
  /** Appends replies to the chat script. A request with an empty script gets a 500 naming the problem. */
  script(...replies: ChatReply[]): void;
  /** Replies not consumed yet. */
  pending(): number;
  close(): Promise<void>;
}

export interface FakeOpenAIOptions {
  /** Dimensions of the fake embeddings (default 64). */
  readonly dimensions?: number;
}

/**
 * Deterministic embedding: each lower-cased word adds to a hashed dimension, then the vector is normalised,
 * so texts sharing words are close in cosine similarity (enough for retrieval tests to mean something).
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const digest = createHash("sha1").update(word).digest();
    const slot = digest.readUInt32LE(0) % dimensions;
    vector[slot] = (vector[slot] ?? 0) + (digest[4]! % 2 === 0 ? 1 : -1);
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => v / norm);
}

function toBase64Float32(vector: readonly number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => {
    buffer.writeFloatLE(v, i * 4);
  });
  return buffer.toString("base64");
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  return raw === "" ? {} : JSON.parse(raw);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(payload);
}

function errorBody(message: string, type: string) {
  return { error: { message, type, param: null, code: null } };
}

function completion(model: string, content: string) {
  return {
    id: `chatcmpl-fake-${Date.now()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: null },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const dimensions = options.dimensions ?? 64;
  const queue: ChatReply[] = [];
  const chatRequests: ChatRequestRecord[] = [];
  const embeddingsRequests: EmbeddingsRequestRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const body = (await readJson(req)) as Record<string, unknown>;
      if (req.method === "POST" && req.url === "/v1/chat/completions") {
        chatRequests.push({
          body: body as ChatRequestRecord["body"],
          authorization: req.headers.authorization,
        });
        const format = (body.response_format as { type?: string } | undefined)?.type;
        if (format !== "json_schema") {
          send(
            res,
            400,
            errorBody(`fake expects response_format json_schema, got ${format}`, "invalid_request"),
          );
          return;
        }
        const reply = queue.shift();
        const model = typeof body.model === "string" ? body.model : "fake";
        if (reply === undefined) {
          send(res, 500, errorBody("fake-openai: no scripted reply left", "server_error"));
        } else if ("hang" in reply) {
          // Leave the request open; the client's abort or timeout ends it.
        } else if ("status" in reply) {
          const headers: Record<string, string> =
            reply.retryAfter === undefined ? {} : { "retry-after": reply.retryAfter };
          send(
            res,
            reply.status,
            errorBody(reply.message ?? `scripted ${reply.status}`, "scripted_error"),
            headers,
          );
        } else {
          const content = "json" in reply ? JSON.stringify(reply.json) : reply.content;
          later(reply.delayMs ?? 0, () => {
            if (!res.destroyed) send(res, 200, completion(model, content));
          });
        }
        return;
      }
      if (req.method === "POST" && req.url === "/v1/embeddings") {
        const input = typeof body.input === "string" ? [body.input] : ((body.input as string[]) ?? []);
        const encodingFormat = typeof body.encoding_format === "string" ? body.encoding_format : undefined;
        const model = typeof body.model === "string" ? body.model : undefined;
        embeddingsRequests.push({ input, encodingFormat, model });
        const size = typeof body.dimensions === "number" ? body.dimensions : dimensions;
        send(res, 200, {
          object: "list",
          model: model ?? "fake-embeddings",
          data: input.map((text, index) => {
            const vector = fakeEmbedding(text, size);
            return {
              object: "embedding",
              index,
              embedding: encodingFormat === "base64" ? toBase64Float32(vector) : vector,
            };
          }),
          usage: { prompt_tokens: input.length, total_tokens: input.length },
        });
        return;
      }
      send(res, 404, errorBody(`fake-openai: no route ${req.method} ${req.url}`, "not_found"));
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, errorBody(String(error), "server_error"));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    chatRequests,
    embeddingsRequests,
    script: (...replies) => {
      queue.push(...replies);
    },
    pending: () => queue.length,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
