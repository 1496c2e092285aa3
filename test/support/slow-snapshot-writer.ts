/**
 * Child process for the kill-mid-write test: starts a snapshot save into the root given as argv[2], writes half a
 * file, prints "WRITING", then stalls until the parent SIGKILLs it.
 */
import { open } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { saveSnapshot } from "../../src/infra/snapshot-store.js";

const root = process.argv[2];
if (root === undefined) throw new Error("usage: slow-snapshot-writer <root>");

await saveSnapshot(root, { generation: "killed" }, async (dir) => {
  const handle = await open(path.join(dir, "passages.json"), "w");
  await handle.write(`{"passages": ["half of a new snapshot`);
  await handle.sync();
  process.stdout.write("WRITING\n");
  await sleep(60_000);
  await handle.write(`"]}`);
  await handle.close();
});
process.stdout.write("FINISHED\n");
