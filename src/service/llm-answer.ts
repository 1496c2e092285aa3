/**
 * The model-worded answer path: ask the `AnswerModel` for a draft under a deadline, ground it, and return
 * it only if something verified survives. Any failure (timeout, 429/5xx after the model's bounded retries,
 * invalid JSON, nothing grounded) returns the extractive answer unchanged. Never throws.
 */
import type { Config } from "../config/config.js";
import { isBriefingError } from "../core/errors.js";
import { groundDraft } from "../core/grounding.js";
import type { AnswerModel, EvidencePassage, Logger, ModelDraft } from "../core/ports.js";
import type { Answer, Article, QuoteRecord } from "../core/types.js";

export interface AnswerWithModelInput {
  readonly model: AnswerModel;
  readonly question: string;
  /** The passages the extractive answer drew from (6–8 is plenty); the model may cite only these. */
  readonly evidence: readonly EvidencePassage[];
  readonly articles: ReadonlyMap<string, Article>;
  /** The corpus quote index, so grounded excerpts carry the article's speaker and role. */
  readonly quotes: readonly QuoteRecord[];
  /** Returned unchanged whenever the model's answer cannot be used. */
  readonly extractive: Answer;
  /** Time the model may take, retries included (e.g. `config.requestTimeoutMs`). */
  readonly deadlineMs: number;
  readonly logger: Logger;
  /** The caller's own cancellation (e.g. the bot gave up); ends the model call early too. */
  readonly signal?: AbortSignal;
}

/**
 * Words the answer with the model when it can be trusted to, else returns `extractive`.
 * A refused extractive answer is returned as is: refusing is a retrieval decision the model does not override.
 * The deadline is enforced here with an `AbortSignal` and a race, so a model that ignores its signal still
 * cannot hold the answer past `deadlineMs`.
 */
export async function answerWithModel(input: AnswerWithModelInput): Promise<Answer> {
  const { model, question, evidence, extractive, logger } = input;
  if (extractive.refused || evidence.length === 0) return extractive;

  if (input.signal?.aborted) return extractive;
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(input.signal?.reason);
  input.signal?.addEventListener("abort", onCallerAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"deadline">((resolve) => {
    timer = setTimeout(() => {
      resolve("deadline");
      controller.abort(new Error(`model deadline of ${input.deadlineMs} ms passed`));
    }, input.deadlineMs);
  });
  const aborted = new Promise<"aborted">((resolve) => {
    controller.signal.addEventListener("abort", () => resolve("aborted"), { once: true });
  });

  let draft: ModelDraft;
  try {
    const outcome = await Promise.race([
      model.draft({ question, passages: evidence, signal: controller.signal }),
      deadline,
      aborted,
    ]);
    if (outcome === "deadline" || outcome === "aborted") {
      logger.warn("model answer fell back to extractive", {
        model: model.id,
        why: outcome === "deadline" ? "deadline" : "cancelled",
        deadlineMs: input.deadlineMs,
      });
      return extractive;
    }
    draft = outcome;
  } catch (error) {
    logger.warn("model answer fell back to extractive", {
      model: model.id,
      why: isBriefingError(error) ? (error.context.kind ?? error.code) : "unexpected",
      error: error instanceof Error ? error.message : String(error),
    });
    return extractive;
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener("abort", onCallerAbort);
    // Stops any retry still pending inside the model client once the answer is decided.
    if (!controller.signal.aborted) controller.abort(new Error("answer decided"));
  }

  try {
    const { grounded, dropped } = groundDraft(draft, evidence, input.articles, input.quotes);
    for (const drop of dropped) {
      logger.debug("model output dropped", {
        model: model.id,
        kind: drop.kind,
        passageId: drop.passageId,
        reason: drop.reason,
        text: drop.text.slice(0, 200),
      });
    }
    if (grounded === null || grounded.quotes.length === 0) {
      logger.debug("model answer fell back to extractive", { model: model.id, why: "nothing grounded" });
      return extractive;
    }
    return { refused: false, lead: grounded.lead, quotes: grounded.quotes };
  } catch (error) {
    logger.error("grounding failed; using the extractive answer", {
      model: model.id,
      error: error instanceof Error ? error.message : String(error),
    });
    return extractive;
  }
}

/**
 * The answer model the config asks for, or undefined in offline mode (logged once, so an operator sees why
 * answers are extractive). The OpenAI client is imported only when a model is configured.
 */
export async function answerModelFromConfig(
  config: Config,
  logger: Logger,
): Promise<AnswerModel | undefined> {
  if (!config.openai.enabled) {
    logger.info("offline mode: no OPENAI_API_KEY or OPENAI_BASE_URL");
    return undefined;
  }
  const { createOpenAIAnswerModel } = await import("../infra/openai-answer-model.js");
  const model = createOpenAIAnswerModel(config);
  logger.info("answers worded by a chat model; quotes are still verified", {
    model: model.id,
    deadlineMs: config.requestTimeoutMs,
  });
  return model;
}
