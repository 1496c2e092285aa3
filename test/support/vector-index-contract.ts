/**
 * Contract suite for the `VectorIndex` port: every implementation (HNSW, exact) must pass the same cases, so the
 * service can swap one for the other without noticing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isBriefingError } from "../../src/core/errors.js";
import type { VectorIndex } from "../../src/core/ports.js";

export interface VectorIndexContract {
  readonly name: string;
  /** A fresh, empty index; `capacity` is a hint implementations may use as their initial size. */
  readonly create: (options: { dimensions: number; capacity?: number }) => VectorIndex | Promise<VectorIndex>;
  /** Loads what `save` wrote; when given, the save/load roundtrip is tested too. */
  readonly load?: (file: string, options: { dimensions: number }) => Promise<VectorIndex>;
}

/** Deterministic pseudo-random unit-ish vectors (mulberry32), so failures reproduce. */
export function randomVectors(count: number, dimensions: number, seed = 1): number[][] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Array.from({ length: dimensions }, () => random() * 2 - 1));
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/** Labels of `vectors` (label = position) sorted by exact cosine to `query`, best first. */
function exactOrder(
  vectors: readonly number[][],
  query: readonly number[],
  allow = (_: number) => true,
): number[] {
  return vectors
    .map((v, label) => ({ label, score: cosine(v, query) }))
    .filter((h) => allow(h.label))
    .sort((a, b) => b.score - a.score)
    .map((h) => h.label);
}

export function runVectorIndexContract(contract: VectorIndexContract): void {
  describe(`VectorIndex contract: ${contract.name}`, () => {
    const dims = 8;
    const dirs: string[] = [];
    afterAll(async () => {
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    });

    it("returns the nearest vectors by cosine, best first, with cosine scores", async () => {
      const index = await contract.create({ dimensions: 3 });
      index.add(1, [1, 0, 0]);
      index.add(2, [0, 1, 0]);
      index.add(3, [1, 1, 0]);
      index.add(4, [-1, 0, 0]);
      const hits = index.search([2, 0.2, 0], 4);
      expect(hits.map((h) => h.label)).toEqual([1, 3, 2, 4]);
      expect(hits[0]!.score).toBeCloseTo(cosine([2, 0.2, 0], [1, 0, 0]), 5);
      expect(hits[1]!.score).toBeCloseTo(cosine([2, 0.2, 0], [1, 1, 0]), 5);
      expect(hits[3]!.score).toBeCloseTo(-cosine([2, 0.2, 0], [1, 0, 0]), 5);
    });

    it("scores ignore vector length (cosine, not dot product)", async () => {
      const index = await contract.create({ dimensions: 2 });
      index.add(7, [100, 0]);
      index.add(8, [0.6, 0.8]);
      const [best] = index.search([0.01, 0], 1);
      expect(best).toEqual({ label: 7, score: expect.closeTo(1, 5) });
    });

    it("finds the exact top 10 of 500 random vectors", async () => {
      const vectors = randomVectors(500, dims, 42);
      const index = await contract.create({ dimensions: dims });
      vectors.forEach((v, label) => {
        index.add(label, v);
      });
      expect(index.size).toBe(500);
      for (const query of randomVectors(20, dims, 7)) {
        expect(index.search(query, 10).map((h) => h.label)).toEqual(exactOrder(vectors, query).slice(0, 10));
      }
    });

    it("returns every vector, without throwing, when k exceeds the size", async () => {
      const index = await contract.create({ dimensions: 2 });
      expect(index.search([1, 0], 5)).toEqual([]);
      index.add(1, [1, 0]);
      index.add(2, [0, 1]);
      const hits = index.search([1, 0], 50);
      expect(hits.map((h) => h.label)).toEqual([1, 2]);
      expect(index.search([1, 0], 0)).toEqual([]);
    });

    it("forgets removed labels and can add them back", async () => {
      const index = await contract.create({ dimensions: 2 });
      index.add(1, [1, 0]);
      index.add(2, [0.9, 0.1]);
      index.add(3, [0, 1]);
      index.remove(1);
      index.remove(99); // unknown: no-op
      expect(index.has(1)).toBe(false);
      expect(index.has(2)).toBe(true);
      expect(index.size).toBe(2);
      expect(index.search([1, 0], 3).map((h) => h.label)).toEqual([2, 3]);
      index.add(1, [0, -1]);
      expect(index.has(1)).toBe(true);
      expect(index.size).toBe(3);
      expect(index.search([0, -1], 1)[0]!.label).toBe(1);
    });

    it("replaces the vector when a label is added again", async () => {
      const index = await contract.create({ dimensions: 2 });
      index.add(5, [1, 0]);
      index.add(6, [0, 1]);
      index.add(5, [0, -1]);
      expect(index.size).toBe(2);
      expect(index.search([0, -1], 1)).toEqual([{ label: 5, score: expect.closeTo(1, 5) }]);
    });

    it("searches only labels the filter accepts", async () => {
      const vectors = randomVectors(300, dims, 3);
      const index = await contract.create({ dimensions: dims });
      vectors.forEach((v, label) => {
        index.add(label, v);
      });
      const even = (label: number) => label % 2 === 0;
      const query = randomVectors(1, dims, 11)[0]!;
      const hits = index.search(query, 10, even);
      expect(hits.every((h) => even(h.label))).toBe(true);
      expect(hits.map((h) => h.label)).toEqual(exactOrder(vectors, query, even).slice(0, 10));
      const onlyOne = index.search(query, 10, (label) => label === 17);
      expect(onlyOne.map((h) => h.label)).toEqual([17]);
    });

    it("grows beyond its initial capacity", async () => {
      const vectors = randomVectors(100, dims, 5);
      const index = await contract.create({ dimensions: dims, capacity: 4 });
      vectors.forEach((v, label) => {
        index.add(label * 10, v);
      });
      expect(index.size).toBe(100);
      expect(index.has(990)).toBe(true);
      expect(index.search(vectors[63]!, 1)[0]).toEqual({ label: 630, score: expect.closeTo(1, 5) });
    });

    it("refuses vectors of the wrong dimension with INDEX_MISMATCH", async () => {
      const index = await contract.create({ dimensions: 3 });
      index.add(1, [1, 0, 0]);
      const wrongAdd = (() => {
        try {
          index.add(2, [1, 0]);
        } catch (error) {
          return error;
        }
      })();
      expect(isBriefingError(wrongAdd, "INDEX_MISMATCH")).toBe(true);
      expect(() => index.search([1, 0, 0, 0], 1)).toThrow(/4 dimensions/);
      expect(index.size).toBe(1);
    });

    it("refuses labels that are not non-negative integers", async () => {
      const index = await contract.create({ dimensions: 2 });
      expect(() => index.add(-1, [1, 0])).toThrow(/labels must be integers/);
      expect(() => index.add(1.5, [1, 0])).toThrow(/labels must be integers/);
    });

    if (contract.load !== undefined) {
      const load = contract.load;
      it("saves and loads the same vectors, labels and removals", async () => {
        const dir = await mkdtemp(path.join(tmpdir(), "vector-index-"));
        dirs.push(dir);
        const vectors = randomVectors(200, dims, 9);
        const index = await contract.create({ dimensions: dims });
        vectors.forEach((v, label) => {
          index.add(label + 1000, v);
        });
        index.remove(1000);
        const file = path.join(dir, "index.bin");
        await index.save(file);
        const loaded = await load(file, { dimensions: dims });
        expect(loaded.size).toBe(199);
        expect(loaded.has(1000)).toBe(false);
        expect(loaded.has(1199)).toBe(true);
        const query = randomVectors(1, dims, 77)[0]!;
        expect(loaded.search(query, 5)).toEqual(index.search(query, 5));
        loaded.add(5000, vectors[0]!);
        expect(loaded.search(vectors[0]!, 1)[0]!.label).toBe(5000);
      });

      it("reports a file of another dimension as INDEX_MISMATCH and a missing one as INDEX_MISSING", async () => {
        const dir = await mkdtemp(path.join(tmpdir(), "vector-index-"));
        dirs.push(dir);
        const index = await contract.create({ dimensions: 4 });
        index.add(1, [1, 2, 3, 4]);
        const file = path.join(dir, "four.bin");
        await index.save(file);
        await expect(load(file, { dimensions: 8 })).rejects.toMatchObject({ code: "INDEX_MISMATCH" });
        await expect(load(path.join(dir, "absent.bin"), { dimensions: 4 })).rejects.toMatchObject({
          code: "INDEX_MISSING",
        });
      });
    }
  });
}
