/**
 * Brute-force `VectorIndex` over one Float32Array: exact cosine search, the ground truth the HNSW index is
 * benchmarked against, and a second implementation that keeps the contract suite honest. Fine up to ~100k vectors
 * (one query is a single pass over the matrix).
 */
import { readFile, writeFile } from "node:fs/promises";
import { crc32 } from "node:zlib";
import { BriefingError } from "../core/errors.js";
import type { VectorHit, VectorIndex } from "../core/ports.js";
import { checkDimensions, checkLabel, vectorFileError } from "./vector-checks.js";

export interface ExactIndexOptions {
  readonly dimensions: number;
  /** Initial capacity in vectors; doubles when full. */
  readonly capacity?: number;
}

const MAGIC = Buffer.from("EXACTIX1", "latin1");
const HEADER_BYTES = 24; // magic(8) dims u32 | count u32 | crc32(payload) u32 | reserved u32

/** Creates an empty exact index. */
export function createExactIndex(options: ExactIndexOptions): VectorIndex {
  checkDimensions(options.dimensions);
  return buildExactIndex(options.dimensions, Math.max(1, options.capacity ?? 1024), [], new Float32Array(0));
}

/**
 * Loads a file written by `save`. Throws `INDEX_MISSING` when absent, `INDEX_MISMATCH` on another dimension, and
 * `INDEX_CORRUPT` on a bad magic, a wrong size or a checksum mismatch.
 */
export async function loadExactIndex(
  path: string,
  options: { readonly dimensions: number },
): Promise<VectorIndex> {
  checkDimensions(options.dimensions);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (cause) {
    throw vectorFileError(path, cause);
  }
  const corrupt = (why: string) =>
    new BriefingError("INDEX_CORRUPT", `Vector index ${path} is corrupt (${why}); rebuild it.`, {
      context: { path },
    });
  if (buf.length < HEADER_BYTES || !buf.subarray(0, 8).equals(MAGIC)) throw corrupt("bad header");
  const dimensions = buf.readUInt32LE(8);
  const count = buf.readUInt32LE(12);
  if (dimensions !== options.dimensions) {
    throw new BriefingError(
      "INDEX_MISMATCH",
      `Vector index ${path} holds ${dimensions}-d vectors but the embedder makes ${options.dimensions}-d ones; rebuild the index.`,
      { context: { path, stored: dimensions, expected: options.dimensions } },
    );
  }
  const expected = HEADER_BYTES + 8 * count + 4 * dimensions * count;
  if (buf.length !== expected) throw corrupt(`size ${buf.length} bytes, expected ${expected}`);
  if (crc32(buf.subarray(HEADER_BYTES)) !== buf.readUInt32LE(16)) throw corrupt("checksum mismatch");
  const labels: number[] = new Array(count);
  for (let i = 0; i < count; i++) labels[i] = buf.readDoubleLE(HEADER_BYTES + 8 * i);
  const vectors = new Float32Array(count * dimensions);
  Buffer.from(vectors.buffer).set(buf.subarray(HEADER_BYTES + 8 * count));
  return buildExactIndex(dimensions, Math.max(1, count), labels, vectors);
}

function buildExactIndex(
  dimensions: number,
  initialCapacity: number,
  initialLabels: number[],
  initialVectors: Float32Array,
): VectorIndex {
  // Slots 0..count-1 hold unit vectors; removal moves the last slot into the hole, so the matrix stays dense.
  let matrix = new Float32Array(Math.max(initialCapacity, initialLabels.length) * dimensions);
  matrix.set(initialVectors);
  const labels = initialLabels;
  const slotOf = new Map<number, number>();
  labels.forEach((label, slot) => {
    slotOf.set(label, slot);
  });

  const checkVector = (vector: readonly number[], what: string) => {
    if (vector.length !== dimensions) {
      throw new BriefingError(
        "INDEX_MISMATCH",
        `${what} has ${vector.length} dimensions but the index holds ${dimensions}-d vectors (another embedder?).`,
        { context: { got: vector.length, expected: dimensions } },
      );
    }
  };

  return {
    dimensions,
    get size() {
      return labels.length;
    },
    add(label, vector) {
      checkLabel(label);
      checkVector(vector, "Vector");
      let slot = slotOf.get(label);
      if (slot === undefined) {
        slot = labels.length;
        if ((slot + 1) * dimensions > matrix.length) {
          const grown = new Float32Array(matrix.length * 2);
          grown.set(matrix);
          matrix = grown;
        }
        labels.push(label);
        slotOf.set(label, slot);
      }
      let norm = 0;
      for (let d = 0; d < dimensions; d++) norm += vector[d]! * vector[d]!;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      const o = slot * dimensions;
      for (let d = 0; d < dimensions; d++) matrix[o + d] = vector[d]! * inv;
    },
    remove(label) {
      const slot = slotOf.get(label);
      if (slot === undefined) return;
      const last = labels.length - 1;
      if (slot !== last) {
        const moved = labels[last]!;
        labels[slot] = moved;
        slotOf.set(moved, slot);
        matrix.copyWithin(slot * dimensions, last * dimensions, (last + 1) * dimensions);
      }
      labels.pop();
      slotOf.delete(label);
    },
    has: (label) => slotOf.has(label),
    search(vector, k, filter) {
      checkVector(vector, "Query vector");
      const want = Math.min(Math.floor(k), labels.length);
      if (want <= 0) return [];
      let norm = 0;
      for (let d = 0; d < dimensions; d++) norm += vector[d]! * vector[d]!;
      const q = new Float32Array(dimensions);
      if (norm > 0) for (let d = 0; d < dimensions; d++) q[d] = vector[d]! / Math.sqrt(norm);
      // Top-k kept sorted (descending) in two parallel arrays; k is small next to the corpus.
      const topScores = new Float64Array(want);
      const topLabels = new Float64Array(want);
      let filled = 0;
      for (let slot = 0; slot < labels.length; slot++) {
        const o = slot * dimensions;
        let score = 0;
        for (let d = 0; d < dimensions; d++) score += q[d]! * matrix[o + d]!;
        if (filled === want && score <= topScores[want - 1]!) continue;
        const label = labels[slot]!;
        if (filter !== undefined && !filter(label)) continue;
        let i = filled < want ? filled++ : want - 1;
        while (i > 0 && topScores[i - 1]! < score) {
          topScores[i] = topScores[i - 1]!;
          topLabels[i] = topLabels[i - 1]!;
          i--;
        }
        topScores[i] = score;
        topLabels[i] = label;
      }
      const hits: VectorHit[] = new Array(filled);
      for (let i = 0; i < filled; i++) hits[i] = { label: topLabels[i]!, score: topScores[i]! };
      return hits;
    },
    async save(path) {
      const count = labels.length;
      const buf = Buffer.alloc(HEADER_BYTES + 8 * count + 4 * dimensions * count);
      MAGIC.copy(buf, 0);
      buf.writeUInt32LE(dimensions, 8);
      buf.writeUInt32LE(count, 12);
      for (let i = 0; i < count; i++) buf.writeDoubleLE(labels[i]!, HEADER_BYTES + 8 * i);
      Buffer.from(matrix.buffer, 0, 4 * dimensions * count).copy(buf, HEADER_BYTES + 8 * count);
      buf.writeUInt32LE(crc32(buf.subarray(HEADER_BYTES)), 16);
      await writeFile(path, buf);
    },
  };
}
