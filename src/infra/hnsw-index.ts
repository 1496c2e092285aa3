/**
 * `VectorIndex` over hnswlib-node (HNSW graph, cosine space). The native addon is loaded lazily here and nowhere
 * else, so a machine without it still runs everything that does not need dense search, and gets a clear error.
 */
import { open } from "node:fs/promises";
import { BriefingError } from "../core/errors.js";
import type { VectorHit, VectorIndex } from "../core/ports.js";
import { checkDimensions, checkLabel, vectorFileError } from "./vector-checks.js";

type Hnswlib = typeof import("hnswlib-node");
type Hnsw = InstanceType<Hnswlib["HierarchicalNSW"]>;

/**
 * Construction and search parameters, measured on 100k distinct SIF passage vectors (100-d, Wikinews sentences)
 * against exact search, 530 queries: M=16, efConstruction=100 inserts 6-7.5k vectors/s on one core; efSearch=256
 * gives recall@10 0.990 at 0.35 ms/query (128 → 0.977, 200 → 0.987). efConstruction=200 doubles build time for
 * +0.3 points; M=24 adds memory for +0.25 points. Search is cheap next to the rest of an answer, so ef is generous.
 */
export const hnswDefaults = {
  capacity: 1024,
  m: 16,
  efConstruction: 100,
  efSearch: 256,
  randomSeed: 100,
} as const satisfies {
  capacity: number;
  m: number;
  efConstruction: number;
  efSearch: number;
  randomSeed: number;
};

export interface HnswIndexOptions {
  readonly dimensions: number;
  /** Initial capacity; the index doubles itself when full. */
  readonly capacity?: number;
  readonly m?: number;
  readonly efConstruction?: number;
  readonly efSearch?: number;
}

/** A `VectorIndex` with the knobs a benchmark needs. */
export interface HnswIndex extends VectorIndex {
  /** Current capacity (grows by doubling). */
  readonly capacity: number;
  /** Search breadth; raise for recall, lower for speed. Never stored in the file: set again after loading. */
  efSearch: number;
}

let loaded: Promise<Hnswlib> | undefined;

/** Imports the native addon once; turns a missing or unbuilt addon into an error that says how to fix it. */
function loadHnswlib(): Promise<Hnswlib> {
  loaded ??= import("hnswlib-node").then(
    // The package is CommonJS: its default export is `module.exports`, which holds the classes.
    (mod) => (mod as unknown as { default: Hnswlib }).default ?? mod,
    (cause: unknown) => {
      loaded = undefined;
      throw new BriefingError(
        "NATIVE_MODULE_MISSING",
        "Dense search needs the native addon hnswlib-node, which is missing or not built for this Node version. " +
          "Fix: `npm rebuild hnswlib-node` (needs a C++ toolchain: python3, make, g++), and make sure npm may run " +
          'its install script (package.json "allowScripts": {"hnswlib-node": true}; no --ignore-scripts).',
        { cause },
      );
    },
  );
  return loaded;
}

/** Creates an empty HNSW index. */
export async function createHnswIndex(options: HnswIndexOptions): Promise<HnswIndex> {
  const lib = await loadHnswlib();
  checkDimensions(options.dimensions);
  const index = new lib.HierarchicalNSW("cosine", options.dimensions);
  index.initIndex({
    maxElements: Math.max(1, options.capacity ?? hnswDefaults.capacity),
    m: options.m ?? hnswDefaults.m,
    efConstruction: options.efConstruction ?? hnswDefaults.efConstruction,
    randomSeed: hnswDefaults.randomSeed,
  });
  return wrap(index, options.dimensions, new Set(), new Set(), options.efSearch ?? hnswDefaults.efSearch);
}

/**
 * Loads an index written by `save`. Throws `INDEX_MISSING` when there is no file, `INDEX_MISMATCH` when it holds
 * vectors of another dimension (built with another embedder), and `INDEX_CORRUPT` when hnswlib cannot read it.
 */
export async function loadHnswIndex(
  path: string,
  options: { readonly dimensions: number; readonly efSearch?: number },
): Promise<HnswIndex> {
  const lib = await loadHnswlib();
  checkDimensions(options.dimensions);
  // The header is checked first (native code must not read vectors of another size); then the label scan (this
  // thread) and hnswlib's own read (a libuv worker thread) run side by side.
  const header = await readIndexHeader(path);
  const { dimensions } = header;
  if (dimensions !== options.dimensions) {
    throw new BriefingError(
      "INDEX_MISMATCH",
      `Vector index ${path} holds ${dimensions}-d vectors but the embedder makes ${options.dimensions}-d ones; rebuild the index.`,
      { context: { path, stored: dimensions, expected: options.dimensions } },
    );
  }
  const index = new lib.HierarchicalNSW("cosine", options.dimensions);
  let stored: Awaited<ReturnType<typeof scanLabels>>;
  try {
    const read = index.readIndex(path);
    read.catch(() => {}); // awaited below; a failed scan must not leave it unhandled
    stored = await scanLabels(path, header);
    await read;
  } catch (cause) {
    if (cause instanceof BriefingError) throw cause;
    throw new BriefingError(
      "INDEX_CORRUPT",
      `Vector index ${path} is unreadable (${String(cause)}); rebuild it.`,
      {
        cause,
        context: { path },
      },
    );
  }
  return wrap(
    index,
    options.dimensions,
    stored.live,
    stored.deleted,
    options.efSearch ?? hnswDefaults.efSearch,
  );
}

function wrap(
  index: Hnsw,
  dimensions: number,
  live: Set<number>,
  deleted: Set<number>,
  efSearch: number,
): HnswIndex {
  let ef = efSearch;
  index.setEf(ef);
  const plain = (vector: readonly number[], what: string): number[] => {
    if (vector.length !== dimensions) {
      throw new BriefingError(
        "INDEX_MISMATCH",
        `${what} has ${vector.length} dimensions but the index holds ${dimensions}-d vectors (another embedder?).`,
        { context: { got: vector.length, expected: dimensions } },
      );
    }
    // hnswlib-node only accepts plain arrays; a Float32Array passed as number[] would be rejected.
    return Array.isArray(vector) ? (vector as number[]) : Array.from(vector);
  };

  return {
    dimensions,
    get size() {
      return live.size;
    },
    get capacity() {
      return index.getMaxElements();
    },
    get efSearch() {
      return ef;
    },
    set efSearch(value: number) {
      ef = Math.max(1, Math.floor(value));
      index.setEf(ef);
    },
    add(label, vector) {
      checkLabel(label);
      const point = plain(vector, "Vector");
      // Re-adding a live or deleted label reuses its slot (hnswlib updates it and clears the delete mark).
      if (!live.has(label) && !deleted.has(label) && index.getCurrentCount() >= index.getMaxElements()) {
        index.resizeIndex(Math.max(1, index.getMaxElements()) * 2);
      }
      index.addPoint(point, label);
      live.add(label);
      deleted.delete(label);
    },
    remove(label) {
      if (!live.has(label)) return;
      index.markDelete(label);
      live.delete(label);
      deleted.add(label);
    },
    has: (label) => live.has(label),
    search(vector, k, filter) {
      const query = plain(vector, "Query vector");
      const want = Math.min(Math.floor(k), live.size);
      if (want <= 0) return [];
      const result =
        filter === undefined ? index.searchKnn(query, want) : index.searchKnn(query, want, filter);
      const hits: VectorHit[] = new Array(result.neighbors.length);
      for (let i = 0; i < result.neighbors.length; i++) {
        hits[i] = { label: result.neighbors[i]!, score: 1 - result.distances[i]! };
      }
      return hits;
    },
    async save(path) {
      await index.writeIndex(path);
    },
  };
}

interface IndexHeader {
  readonly dimensions: number;
  readonly count: number;
  readonly perElement: number;
  readonly labelOffset: number;
}

/**
 * Reads what hnswlib-node does not expose from its file: the vector size and which labels are deleted (asking
 * `getPoint` for each label instead costs ~7 ms per 1k vectors). Layout (hnswalg.h `saveIndex`, little-endian):
 * a 96-byte header (offsetLevel0, maxElements, count, sizePerElement, labelOffset, offsetData as size_t, …), then
 * `count` level-0 records of `sizePerElement` bytes: link-list header (byte 2 bit 0 = deleted), links, vector, label.
 * The header and the file's length are checked before hnswlib reads the file.
 */
async function readIndexHeader(path: string): Promise<IndexHeader> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (cause) {
    throw vectorFileError(path, cause);
  }
  try {
    const header = Buffer.alloc(96);
    if ((await handle.read(header, 0, 96, 0)).bytesRead < 96) throw corruptIndex(path, "truncated header");
    const size = (at: number) => Number(header.readBigUInt64LE(at));
    const [offsetLevel0, count, perElement, labelOffset, offsetData] = [
      size(0),
      size(16),
      size(24),
      size(32),
      size(40),
    ];
    const vectorBytes = labelOffset - offsetData;
    if (offsetLevel0 !== 0 || vectorBytes <= 0 || vectorBytes % 4 !== 0 || labelOffset + 8 > perElement) {
      throw corruptIndex(path, "malformed header");
    }
    if ((await handle.stat()).size < 96 + count * perElement) throw corruptIndex(path, "truncated");
    return { dimensions: vectorBytes / 4, count, perElement, labelOffset };
  } finally {
    await handle.close();
  }
}

function corruptIndex(path: string, why: string): BriefingError {
  return new BriefingError("INDEX_CORRUPT", `Vector index ${path} is corrupt (${why}); rebuild it.`, {
    context: { path },
  });
}

/** The live and deleted labels of the level-0 records (see `readIndexHeader`). */
async function scanLabels(
  path: string,
  { count, perElement, labelOffset }: IndexHeader,
): Promise<{ live: Set<number>; deleted: Set<number> }> {
  const handle = await open(path, "r");
  try {
    const live = new Set<number>();
    const deleted = new Set<number>();
    const perChunk = Math.max(1, Math.floor((4 << 20) / perElement));
    const chunk = Buffer.alloc(perChunk * perElement);
    for (let first = 0; first < count; first += perChunk) {
      const n = Math.min(perChunk, count - first);
      await handle.read(chunk, 0, n * perElement, 96 + first * perElement);
      for (let i = 0; i < n; i++) {
        const record = i * perElement;
        // A size_t label: the high word must be 0 (labels are uint32).
        if (chunk.readUInt32LE(record + labelOffset + 4) !== 0)
          throw corruptIndex(path, "label out of range");
        const label = chunk.readUInt32LE(record + labelOffset);
        ((chunk[record + 2]! & 1) === 1 ? deleted : live).add(label);
      }
    }
    return { live, deleted };
  } finally {
    await handle.close();
  }
}
