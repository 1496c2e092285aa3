/**
 * Kill-safe persistence of a directory of index files. Each save writes a complete snapshot directory
 * (`<root>/snapshots/<id>/`, with a `manifest.json` listing every file's size and sha256), fsyncs it, and only then
 * swaps the small `<root>/CURRENT` pointer with an atomic rename. A crash at any moment leaves either the old or the
 * new snapshot current, never a mix; a damaged file is caught on open by its checksum.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { z } from "zod";
import { BriefingError } from "../core/errors.js";

export const snapshotDefaults = {
  manifestFile: "manifest.json",
  pointerFile: "CURRENT",
  lockFile: ".write.lock",
  snapshotsDir: "snapshots",
  /** Previous snapshots kept besides the current one, so a reader that opened one a moment ago can finish. */
  keepPrevious: 1,
  /** How long a writer waits for another live writer of the same root. */
  lockTimeoutMs: 120_000,
} as const satisfies Record<string, string | number>;

const MANIFEST_VERSION = 1;

const manifestSchema = z.object({
  formatVersion: z.literal(MANIFEST_VERSION),
  id: z.string().min(1),
  createdAt: z.string(),
  meta: z.record(z.string(), z.unknown()),
  files: z.array(
    z.object({
      path: z.string().min(1),
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});

/** What `manifest.json` holds: caller metadata (embedder id, corpus fingerprint, …) and every file's size and hash. */
export type SnapshotManifest = z.infer<typeof manifestSchema>;

export interface SnapshotInfo {
  readonly id: string;
  /** Absolute directory holding the snapshot's files. */
  readonly dir: string;
  readonly manifest: SnapshotManifest;
}

/**
 * Writes a new snapshot and makes it current. `write(dir)` puts any files (subfolders allowed) into a fresh temp
 * directory; everything in it is checksummed. One writer per root at a time (a lock file whose dead owner is
 * detected); after the switch, older snapshots beyond `keepPrevious` and temp dirs of dead writers are removed.
 */
export async function saveSnapshot(
  root: string,
  meta: Readonly<Record<string, unknown>>,
  write: (dir: string) => Promise<void>,
): Promise<SnapshotInfo> {
  const snapshots = path.resolve(root, snapshotDefaults.snapshotsDir);
  await mkdir(snapshots, { recursive: true });
  const release = await acquireLock(path.resolve(root, snapshotDefaults.lockFile));
  try {
    const id = newId();
    const temp = path.join(snapshots, `.tmp-${id}`);
    await mkdir(temp);
    let manifest: SnapshotManifest;
    try {
      await write(temp);
      const files = [];
      for (const file of await listFiles(temp)) {
        if (file === snapshotDefaults.manifestFile) {
          throw new BriefingError("BAD_INPUT", `A snapshot may not contain its own ${file}.`);
        }
        files.push({ path: file, ...(await hashAndSync(path.join(temp, file))) });
      }
      manifest = {
        formatVersion: MANIFEST_VERSION,
        id,
        createdAt: new Date().toISOString(),
        meta: { ...meta },
        files,
      };
      await writeDurably(
        path.join(temp, snapshotDefaults.manifestFile),
        `${JSON.stringify(manifest, null, 2)}\n`,
      );
      await syncTree(temp);
      await rename(temp, path.join(snapshots, id));
      await syncDir(snapshots);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
    const pointer = path.resolve(root, snapshotDefaults.pointerFile);
    const pointerTemp = `${pointer}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    await writeDurably(pointerTemp, `${id}\n`);
    await rename(pointerTemp, pointer);
    await syncDir(path.resolve(root));
    await cleanUp(root, snapshots, id);
    return { id, dir: path.join(snapshots, id), manifest };
  } finally {
    await release();
  }
}

export interface OpenSnapshotOptions {
  /**
   * "before" (the default) hashes every file before `openSnapshot` returns. "alongside" checks sizes now and hashes
   * in a worker thread while the caller reads the files (on a second core, the checksums cost no wall time): the
   * caller must await `verified(file)` before giving a file to native code and `verified()` before using anything.
   */
  readonly checksums?: "before" | "alongside";
  /** Files the worker hashes first ("alongside"), e.g. the one a native reader needs early. */
  readonly first?: readonly string[];
}

export interface OpenedSnapshot extends SnapshotInfo {
  /** Resolves once `file` (or, without one, every file) matched its checksum; rejects with `INDEX_CORRUPT`. */
  verified(file?: string): Promise<void>;
}

/**
 * Opens the current snapshot, checking every listed file's size and sha256 (see `checksums`). Returns null when
 * nothing was ever saved; throws `INDEX_CORRUPT` (callers rebuild) when the pointer, the manifest or any file is
 * missing, truncated or altered.
 */
export async function openSnapshot(
  root: string,
  options: OpenSnapshotOptions = {},
): Promise<OpenedSnapshot | null> {
  const pointer = path.resolve(root, snapshotDefaults.pointerFile);
  let id: string;
  try {
    id = (await readFile(pointer, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw corrupt(`cannot read ${pointer}`, error);
  }
  if (!/^[\w.-]+$/.test(id) || id.startsWith(".")) throw corrupt(`${pointer} holds no valid snapshot id`);
  const dir = path.resolve(root, snapshotDefaults.snapshotsDir, id);
  let raw: string;
  try {
    raw = await readFile(path.join(dir, snapshotDefaults.manifestFile), "utf8");
  } catch (error) {
    throw corrupt(`snapshot ${id} has no readable ${snapshotDefaults.manifestFile}`, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw corrupt(`the manifest of snapshot ${id} is not valid JSON`, error);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw corrupt(`the manifest of snapshot ${id} is malformed: ${parsed.error.message}`);
  const manifest = parsed.data;
  const files = manifest.files.map((file) => ({ ...file, full: path.resolve(dir, file.path) }));
  for (const file of files) {
    if (!file.full.startsWith(dir + path.sep))
      throw corrupt(`snapshot ${id} lists a file outside its folder`);
    let bytes: number;
    try {
      bytes = (await stat(file.full)).size;
    } catch (error) {
      throw corrupt(`${file.path} is missing from snapshot ${id}`, error);
    }
    if (bytes !== file.bytes) {
      throw corrupt(`${file.path} in snapshot ${id} has ${bytes} bytes, expected ${file.bytes} (truncated?)`);
    }
  }
  const mismatch = (file: string) => corrupt(`${file} in snapshot ${id} fails its checksum`);
  if (options.checksums !== "alongside") {
    for (const file of files) if ((await hashFile(file.full)) !== file.sha256) throw mismatch(file.path);
    return { id, dir, manifest, verified: async () => {} };
  }
  const first = options.first ?? [];
  files.sort((a, b) => Number(first.includes(b.path)) - Number(first.includes(a.path)));
  const checks = new Map(files.map((f) => [f.path, deferred()]));
  for (const check of checks.values()) check.promise.catch(() => {}); // awaited by the caller, or not needed
  const worker = new Worker(hashWorkerSource, {
    eval: true,
    workerData: files.map((f) => ({ path: f.path, full: f.full })),
  });
  worker.unref();
  worker.on("message", ({ path: file, sha256 }: { path: string; sha256: string | null }) => {
    const expected = files.find((f) => f.path === file)?.sha256;
    if (sha256 === expected) checks.get(file)?.resolve();
    else checks.get(file)?.reject(mismatch(file));
  });
  const fail = (error: unknown) => {
    for (const check of checks.values()) check.reject(corrupt(`cannot check snapshot ${id}`, error));
  };
  worker.on("error", fail);
  worker.on("exit", () => fail(new Error("the checksum worker stopped")));
  const all = Promise.all([...checks.values()].map((c) => c.promise)).then(() => {});
  all.catch(() => {});
  return {
    id,
    dir,
    manifest,
    verified: (file) => (file === undefined ? all : (checks.get(file)?.promise ?? all)),
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The checksum worker (CommonJS, run with `eval`): hashes each file in order and posts its sha256 (null if unreadable). */
const hashWorkerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { openSync, readSync, closeSync } = require("node:fs");
const buffer = Buffer.allocUnsafe(1 << 22);
for (const file of workerData) {
  let sha256 = null;
  try {
    const hash = createHash("sha256");
    const fd = openSync(file.full, "r");
    try {
      let n;
      while ((n = readSync(fd, buffer, 0, buffer.length, null)) > 0) hash.update(buffer.subarray(0, n));
    } finally {
      closeSync(fd);
    }
    sha256 = hash.digest("hex");
  } catch {}
  parentPort.postMessage({ path: file.path, sha256 });
}
`;

function corrupt(why: string, cause?: unknown): BriefingError {
  return new BriefingError("INDEX_CORRUPT", `Saved index is unusable: ${why}.`, {
    ...(cause === undefined ? {} : { cause }),
    context: { why },
  });
}

/** Sortable and unique: UTC time to the millisecond, pid, random suffix. */
function newId(): string {
  const time = new Date().toISOString().replaceAll(/[-:]/g, "").replace(".", "");
  return `${time}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** Relative paths (with `/`) of every regular file under `dir`. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
    else throw new BriefingError("BAD_INPUT", `Snapshot entry ${rel} is not a regular file.`);
  }
  return out;
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Hashes a file and fsyncs it, so its bytes are on disk before the manifest vouches for them. */
async function hashAndSync(file: string): Promise<{ bytes: number; sha256: string }> {
  const handle = await open(file, "r");
  try {
    await handle.sync();
    const { size } = await handle.stat();
    return { bytes: size, sha256: await hashFile(file) };
  } finally {
    await handle.close();
  }
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, "w");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a directory so a rename or new entry in it survives power loss; not supported on every platform. */
async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL") throw error;
  } finally {
    await handle?.close();
  }
}

async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await syncTree(path.join(dir, entry.name));
  }
  await syncDir(dir);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Exclusive writer lock: a file created with O_EXCL holding the owner's pid; a dead owner's lock is taken over. */
async function acquireLock(lock: string): Promise<() => Promise<void>> {
  const token = `${process.pid} ${randomBytes(6).toString("hex")}`;
  const deadline = Date.now() + snapshotDefaults.lockTimeoutMs;
  for (;;) {
    try {
      const handle = await open(lock, "wx");
      await handle.writeFile(token);
      await handle.close();
      return async () => {
        const holder = await readFile(lock, "utf8").catch(() => "");
        if (holder === token) await unlink(lock).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readFile(lock, "utf8").catch(() => "");
    const pid = Number.parseInt(holder, 10);
    if (holder !== "" && (!Number.isInteger(pid) || !isAlive(pid))) {
      // Dead writer: remove its lock unless someone else replaced it meanwhile.
      if ((await readFile(lock, "utf8").catch(() => "")) === holder) await unlink(lock).catch(() => {});
      continue;
    }
    if (Date.now() > deadline) {
      throw new BriefingError(
        "INTERNAL",
        `Another process (pid ${holder || "?"}) has been saving the index in ${path.dirname(lock)} for too long; ` +
          `if it is gone, delete ${lock}.`,
      );
    }
    await sleep(50);
  }
}

/** Removes snapshots older than the current one beyond `keepPrevious`, and temp dirs whose writer has died. */
async function cleanUp(root: string, snapshots: string, currentId: string): Promise<void> {
  const entries = await readdir(snapshots, { withFileTypes: true });
  const finished = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== currentId)
    .map((e) => e.name)
    .sort()
    .reverse();
  for (const name of finished.slice(snapshotDefaults.keepPrevious)) {
    await rm(path.join(snapshots, name), { recursive: true, force: true });
  }
  for (const entry of entries) {
    const match = /^\.tmp-\w+-(\d+)-\w+$/.exec(entry.name);
    if (match && !isAlive(Number(match[1]))) {
      await rm(path.join(snapshots, entry.name), { recursive: true, force: true });
    }
  }
  for (const name of await readdir(path.resolve(root))) {
    const match = new RegExp(`^${snapshotDefaults.pointerFile}\\.tmp-(\\d+)-\\w+$`).exec(name);
    if (match && !isAlive(Number(match[1]))) await rm(path.resolve(root, name), { force: true });
  }
}
