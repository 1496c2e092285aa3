// Snapshot store on a real temp directory: roundtrip, a writer SIGKILLed mid-write, and damaged files.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openSnapshot, saveSnapshot } from "../../src/infra/snapshot-store.js";

const writerScript = fileURLToPath(new URL("../support/slow-snapshot-writer.ts", import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "snapshot-store-"));
  dirs.push(dir);
  return dir;
}

async function saveGeneration(root: string, generation: number) {
  return saveSnapshot(root, { generation, embedderId: "glove-6b-100d-sif@2" }, async (dir) => {
    await writeFile(path.join(dir, "passages.json"), JSON.stringify({ generation, passages: ["a", "b"] }));
    await mkdir(path.join(dir, "vectors"));
    await writeFile(path.join(dir, "vectors", "hnsw.bin"), Buffer.alloc(4096, generation));
  });
}

/** Runs the slow writer in a child process and SIGKILLs it once it has started writing. */
async function killWriterMidWrite(root: string): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", writerScript, root], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on("exit", (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("WRITING")) resolve();
    });
    child.on("exit", () => reject(new Error(`writer exited before writing: ${stderr}`)));
  });
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
}

describe("snapshot store", () => {
  it("returns null when nothing was saved", async () => {
    expect(await openSnapshot(await freshRoot())).toBeNull();
  });

  it("opens what was saved, with metadata and a checksum for every file", async () => {
    const root = await freshRoot();
    const saved = await saveGeneration(root, 1);
    const opened = await openSnapshot(root);
    expect(opened?.dir).toBe(saved.dir);
    expect(opened?.manifest.meta).toEqual({ generation: 1, embedderId: "glove-6b-100d-sif@2" });
    expect(opened?.manifest.files.map((f) => [f.path, f.bytes])).toEqual([
      ["passages.json", Buffer.byteLength('{"generation":1,"passages":["a","b"]}')],
      ["vectors/hnsw.bin", 4096],
    ]);
    expect(JSON.parse(await readFile(path.join(opened!.dir, "passages.json"), "utf8"))).toEqual({
      generation: 1,
      passages: ["a", "b"],
    });
  });

  it("switches to the newest snapshot and removes old ones beyond the previous", async () => {
    const root = await freshRoot();
    const first = await saveGeneration(root, 1);
    const second = await saveGeneration(root, 2);
    const third = await saveGeneration(root, 3);
    expect((await openSnapshot(root))?.manifest.meta.generation).toBe(3);
    const left = await readdir(path.join(root, "snapshots"));
    expect(left.sort()).toEqual([second.id, third.id].sort());
    expect(left).not.toContain(first.id);
  });

  it("keeps the previous snapshot current when a writer is killed mid-write, and cleans up after it", async () => {
    const root = await freshRoot();
    await saveGeneration(root, 1);
    await killWriterMidWrite(root);

    const afterKill = await openSnapshot(root);
    expect(afterKill?.manifest.meta.generation).toBe(1);
    expect(JSON.parse(await readFile(path.join(afterKill!.dir, "passages.json"), "utf8")).generation).toBe(1);
    const leftovers = (await readdir(path.join(root, "snapshots"))).filter((n) => n.startsWith(".tmp-"));
    expect(leftovers).toHaveLength(1);

    // The dead writer's lock and temp dir do not block or outlive the next save.
    await saveGeneration(root, 2);
    expect((await openSnapshot(root))?.manifest.meta.generation).toBe(2);
    expect((await readdir(path.join(root, "snapshots"))).filter((n) => n.startsWith("."))).toEqual([]);
    expect(await readdir(root)).not.toContain(".write.lock");
  });

  it("reports a truncated file as INDEX_CORRUPT", async () => {
    const root = await freshRoot();
    const saved = await saveGeneration(root, 1);
    await truncate(path.join(saved.dir, "vectors", "hnsw.bin"), 1000);
    await expect(openSnapshot(root)).rejects.toMatchObject({
      code: "INDEX_CORRUPT",
      message: expect.stringMatching(/vectors\/hnsw\.bin .* 1000 bytes, expected 4096 \(truncated\?\)/),
    });
  });

  it("reports a flipped byte as INDEX_CORRUPT", async () => {
    const root = await freshRoot();
    const saved = await saveGeneration(root, 1);
    const file = path.join(saved.dir, "passages.json");
    const bytes = await readFile(file);
    bytes[5]! ^= 0x01;
    await writeFile(file, bytes);
    await expect(openSnapshot(root)).rejects.toMatchObject({
      code: "INDEX_CORRUPT",
      message: expect.stringMatching(/passages\.json .* fails its checksum/),
    });
  });

  it("checks sums in a worker alongside the reader: an intact file resolves, the altered one rejects", async () => {
    const root = await freshRoot();
    const saved = await saveGeneration(root, 1);
    const intact = await openSnapshot(root, { checksums: "alongside", first: ["vectors/hnsw.bin"] });
    await expect(intact!.verified("vectors/hnsw.bin")).resolves.toBeUndefined();
    await expect(intact!.verified()).resolves.toBeUndefined();

    const file = path.join(saved.dir, "passages.json");
    const bytes = await readFile(file);
    bytes[5]! ^= 0x01;
    await writeFile(file, bytes);
    const opened = await openSnapshot(root, { checksums: "alongside" });
    expect(opened?.id).toBe(saved.id);
    await expect(opened!.verified("vectors/hnsw.bin")).resolves.toBeUndefined();
    await expect(opened!.verified("passages.json")).rejects.toMatchObject({
      code: "INDEX_CORRUPT",
      message: expect.stringMatching(/passages\.json .* fails its checksum/),
    });
    await expect(opened!.verified()).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
  });

  it("reports a missing file or manifest as INDEX_CORRUPT", async () => {
    const root = await freshRoot();
    const saved = await saveGeneration(root, 1);
    await rm(path.join(saved.dir, "passages.json"));
    await expect(openSnapshot(root)).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    await rm(path.join(saved.dir, "manifest.json"));
    await expect(openSnapshot(root)).rejects.toMatchObject({
      code: "INDEX_CORRUPT",
      message: expect.stringMatching(/manifest\.json/),
    });
  });

  it("leaves no snapshot behind when the write callback fails", async () => {
    const root = await freshRoot();
    await saveGeneration(root, 1);
    await expect(
      saveSnapshot(root, {}, async () => {
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect((await openSnapshot(root))?.manifest.meta.generation).toBe(1);
    expect((await readdir(path.join(root, "snapshots"))).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("serialises concurrent saves so the last one wins and every snapshot stays whole", async () => {
    const root = await freshRoot();
    await Promise.all([1, 2, 3, 4].map((g) => saveGeneration(root, g)));
    const opened = await openSnapshot(root);
    expect([1, 2, 3, 4]).toContain(opened?.manifest.meta.generation);
  });
});
