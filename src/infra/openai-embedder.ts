/**
 * `Embedder` over an OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, LM Studio, llama.cpp),
 * through LangChain's `OpenAIEmbeddings`. Selected with `EMBEDDINGS_PROVIDER=openai`.
 * The id names model and host, so an index built with one embedder refuses to be searched with another.
 */
import { OpenAIEmbeddings } from "@langchain/openai";
import type { Config } from "../config/config.js";
import { BriefingError } from "../core/errors.js";
import type { Embedder } from "../core/ports.js";
import { hostOf } from "./openai-answer-model.js";

export const openAIEmbedderDefaults = {
  maxRetries: 2,
  /** `float` works with every OpenAI-compatible server; `base64` halves the payload but not all servers send it. */
  encodingFormat: "float",
  batchSize: 256,
} as const satisfies Record<string, string | number>;

export interface OpenAIEmbedderOptions {
  /** Ask the server for shortened vectors (text-embedding-3-*); also part of the id. */
  readonly dimensions?: number;
  readonly encodingFormat?: "float" | "base64";
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
  readonly batchSize?: number;
}

/** An `Embedder` whose dimensions may be learnt from the server; `probe()` learns them with one request. */
export interface OpenAIEmbedder extends Embedder {
  /** Embeds a short text once if the dimensions are not known yet; returns them. */
  probe(): Promise<number>;
}

/**
 * Creates the embedder without any request. `dimensions` is known once the first call returns (or from
 * `options.dimensions`); reading it earlier throws, so use `openOpenAIEmbedder` where an index needs it upfront.
 */
export function createOpenAIEmbedder(config: Config, options: OpenAIEmbedderOptions = {}): OpenAIEmbedder {
  const model = config.openai.embeddingsModel;
  const host = hostOf(config.openai.baseURL);
  const id = `openai:${model}@${host}${options.dimensions === undefined ? "" : `#${options.dimensions}d`}`;
  const client = new OpenAIEmbeddings({
    model,
    apiKey: config.openai.apiKey ?? "no-key-needed",
    configuration: config.openai.baseURL === undefined ? {} : { baseURL: config.openai.baseURL },
    // The OpenAI SDK asks for base64 (and decodes it) only when no format is given; given "base64" explicitly,
    // it hands back the raw strings. So base64 is requested by leaving the format unset.
    ...((options.encodingFormat ?? openAIEmbedderDefaults.encodingFormat) === "float"
      ? { encodingFormat: "float" as const }
      : {}),
    maxRetries: options.maxRetries ?? openAIEmbedderDefaults.maxRetries,
    timeout: options.timeoutMs ?? config.requestTimeoutMs,
    batchSize: options.batchSize ?? openAIEmbedderDefaults.batchSize,
    ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
  });
  let dimensions: number | undefined = options.dimensions;

  const accept = (vectors: readonly unknown[]): number[][] => {
    const out = vectors.map(toNumbers);
    for (const vector of out) {
      if (dimensions === undefined && vector.length > 0) dimensions = vector.length;
      if (vector.length !== dimensions) {
        throw new BriefingError(
          "EMBEDDER_UNAVAILABLE",
          `Embeddings from ${host} have ${vector.length} dimensions, expected ${dimensions}: did EMBEDDINGS_MODEL change?`,
          { context: { id, got: vector.length, expected: dimensions } },
        );
      }
    }
    return out;
  };
  const fail = (error: unknown): never => {
    if (error instanceof BriefingError) throw error;
    throw new BriefingError(
      "EMBEDDER_UNAVAILABLE",
      `Embeddings request to ${host} (model ${model}) failed: ${error instanceof Error ? error.message : String(error)}. Check OPENAI_BASE_URL, OPENAI_API_KEY and EMBEDDINGS_MODEL.`,
      { cause: error, context: { id } },
    );
  };

  const embedder: OpenAIEmbedder = {
    id,
    get dimensions(): number {
      if (dimensions === undefined) {
        throw new BriefingError(
          "EMBEDDER_UNAVAILABLE",
          `Dimensions of ${id} are not known before the first request: call probe() (or openOpenAIEmbedder) first`,
          { context: { id } },
        );
      }
      return dimensions;
    },
    async embedDocuments(texts) {
      if (texts.length === 0) return [];
      try {
        return accept(await client.embedDocuments([...texts]));
      } catch (error) {
        return fail(error);
      }
    },
    async embedQuery(text) {
      try {
        return accept([await client.embedQuery(text)])[0]!;
      } catch (error) {
        return fail(error);
      }
    },
    async probe() {
      if (dimensions === undefined) await embedder.embedQuery("dimensions probe");
      return embedder.dimensions;
    },
  };
  return embedder;
}

/** A vector as the client returns it: a float array (`float`) or a Float32Array (decoded `base64`). */
function toNumbers(vector: unknown): number[] {
  if (Array.isArray(vector) || vector instanceof Float32Array) return Array.from(vector as ArrayLike<number>);
  throw new BriefingError(
    "EMBEDDER_UNAVAILABLE",
    "Embeddings response holds no vector array: is EMBEDDINGS_MODEL an embeddings model?",
  );
}

/** Creates the embedder and learns its dimensions with one request, failing early with a fix if unreachable. */
export async function openOpenAIEmbedder(
  config: Config,
  options: OpenAIEmbedderOptions = {},
): Promise<OpenAIEmbedder> {
  const embedder = createOpenAIEmbedder(config, options);
  await embedder.probe();
  return embedder;
}
