// The HNSW index over the real hnswlib-node addon, against the shared VectorIndex contract.
import { mkdtemp, rm, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createHnswIndex, loadHnswIndex } from "../../src/infra/hnsw-index.js";
import { randomVectors, runVectorIndexContract } from "../support/vector-index-contract.js";

runVectorIndexContract({
  name: "hnsw",
  create: (options) => createHnswIndex(options),
  load: (file, options) => loadHnswIndex(file, options),
});

describe("hnsw index", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("doubles its capacity when full", async () => {
    const index = await createHnswIndex({ dimensions: 4, capacity: 2 });
    for (const [label, v] of randomVectors(5, 4, 1).entries()) index.add(label, v);
    expect(index.capacity).toBe(8);
    expect(index.size).toBe(5);
  });

  it("sets efSearch again after loading, since hnswlib does not store it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "hnsw-"));
    dirs.push(dir);
    const index = await createHnswIndex({ dimensions: 4, efSearch: 7 });
    index.add(1, [1, 0, 0, 0]);
    const file = path.join(dir, "hnsw.bin");
    await index.save(file);
    const loaded = await loadHnswIndex(file, { dimensions: 4, efSearch: 33 });
    expect(loaded.efSearch).toBe(33);
    expect(loaded.search([1, 0, 0, 0], 1)).toEqual([{ label: 1, score: expect.closeTo(1, 5) }]);
  });

  it("reloads removals and re-additions exactly, and reports a truncated file as INDEX_CORRUPT", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "hnsw-"));
    dirs.push(dir);
    const index = await createHnswIndex({ dimensions: 4 });
    for (const [label, v] of randomVectors(50, 4, 2).entries()) index.add(label, v);
    index.remove(10);
    index.remove(11);
    index.add(11, [0, 0, 0, 1]);
    const file = path.join(dir, "hnsw.bin");
    await index.save(file);
    const loaded = await loadHnswIndex(file, { dimensions: 4 });
    expect([loaded.size, loaded.has(10), loaded.has(11)]).toEqual([49, false, true]);
    expect(loaded.search([0, 0, 0, 1], 1)[0]!.label).toBe(11);

    await truncate(file, 2000);
    await expect(loadHnswIndex(file, { dimensions: 4 })).rejects.toMatchObject({
      code: "INDEX_CORRUPT",
      message: expect.stringMatching(/truncated/),
    });
  });

  it("accepts a Float32Array passed where a number[] is expected", async () => {
    const index = await createHnswIndex({ dimensions: 2 });
    index.add(3, Float32Array.from([0, 1]) as unknown as number[]);
    expect(index.search(Float32Array.from([0, 2]) as unknown as number[], 1)[0]!.label).toBe(3);
  });
});
