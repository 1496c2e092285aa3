// The exact (brute-force) index against the shared VectorIndex contract, plus its own file checks.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createExactIndex, loadExactIndex } from "../../src/infra/exact-index.js";
import { runVectorIndexContract } from "../support/vector-index-contract.js";

runVectorIndexContract({
  name: "exact",
  create: (options) => createExactIndex(options),
  load: (file, options) => loadExactIndex(file, options),
});

describe("exact index file", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  const saved = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "exact-index-"));
    dirs.push(dir);
    const index = createExactIndex({ dimensions: 3 });
    index.add(1, [1, 0, 0]);
    index.add(2, [0, 1, 0]);
    const file = path.join(dir, "exact.bin");
    await index.save(file);
    return file;
  };

  it("reports a truncated file as INDEX_CORRUPT", async () => {
    const file = await saved();
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 5));
    await expect(loadExactIndex(file, { dimensions: 3 })).rejects.toMatchObject({
      code: "INDEX_CORRUPT",
      message: expect.stringMatching(/size/),
    });
  });

  it("reports a flipped byte as INDEX_CORRUPT", async () => {
    const file = await saved();
    const bytes = await readFile(file);
    bytes[bytes.length - 3]! ^= 0xff;
    await writeFile(file, bytes);
    await expect(loadExactIndex(file, { dimensions: 3 })).rejects.toMatchObject({
      code: "INDEX_CORRUPT",
      message: expect.stringMatching(/checksum/),
    });
  });
});
