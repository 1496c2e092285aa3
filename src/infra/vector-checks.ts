/**
 * Argument and file checks shared by the `VectorIndex` implementations (hnswlib-node and the exact index), so both
 * refuse the same input with the same message and stay interchangeable.
 */
import { BriefingError } from "../core/errors.js";

export function checkDimensions(dimensions: number): void {
  if (!Number.isInteger(dimensions) || dimensions <= 0) {
    throw new BriefingError("BAD_INPUT", `Vector dimensions must be a positive integer, got ${dimensions}.`);
  }
}

/** hnswlib-node stores labels as uint32; the exact index keeps the same domain. */
export function checkLabel(label: number): void {
  if (!Number.isInteger(label) || label < 0 || label > 0xffff_ffff) {
    throw new BriefingError("BAD_INPUT", `Vector labels must be integers in [0, 2^32), got ${label}.`);
  }
}

/** The error for a vector index file that cannot be opened: missing (build it first) or unreadable. */
export function vectorFileError(path: string, cause: unknown): BriefingError {
  const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
  return new BriefingError(
    missing ? "INDEX_MISSING" : "INDEX_CORRUPT",
    missing ? `No vector index at ${path}; build the index first.` : `Cannot read vector index ${path}.`,
    { cause, context: { path } },
  );
}
