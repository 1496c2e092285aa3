/**
 * One error base for the whole project: a stable `code`, an optional `cause`, and readonly context.
 * Messages say what failed and how to fix it; adapters show users a short neutral line instead.
 */

export type ErrorCode =
  | "CONFIG_INVALID"
  | "CORPUS_INVALID"
  | "INDEX_CORRUPT"
  | "INDEX_MISMATCH"
  | "INDEX_MISSING"
  | "EMBEDDER_UNAVAILABLE"
  | "NATIVE_MODULE_MISSING"
  | "MODEL_FAILED"
  | "PLATFORM_AUTH"
  | "PLATFORM_CONFLICT"
  | "BAD_INPUT"
  | "NOT_FOUND"
  | "INTERNAL";

export class BriefingError extends Error {
  override readonly name: string = "BriefingError";
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }
}

export function isBriefingError(error: unknown, code?: ErrorCode): error is BriefingError {
  return error instanceof BriefingError && (code === undefined || error.code === code);
}
