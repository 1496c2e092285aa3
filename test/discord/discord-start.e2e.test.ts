// End-to-end: `npm start` (the real entry point, as a child process) with DISCORD_TOKEN and
// DISCORD_APPLICATION_ID logs in to the loopback fake Discord, answers /ask over the seed corpus, and shuts down
// cleanly on SIGTERM (gateway closed with 1000, exit code 0).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot, SEED_QUESTION, SEED_QUOTE, seedCorpus, sharedCacheDir } from "../support/seed-service.js";
import { descriptions, visible } from "./discord-checks.js";
import { type FakeDiscord, startFakeDiscord } from "./fake-discord.js";

describe("npm start with Discord configured", () => {
  let fake: FakeDiscord | undefined;
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await fake?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("logs in, answers /ask, and stops cleanly on SIGTERM", async () => {
    fake = await startFakeDiscord();
    dataDir = await mkdtemp(path.join(tmpdir(), "discord-start-"));
    const proc = spawn(
      path.join(repoRoot, "node_modules", ".bin", "tsx"),
      [path.join(repoRoot, "src", "main.ts")],
      {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH,
          DATA_DIR: dataDir,
          EMBEDDINGS_CACHE_DIR: sharedCacheDir,
          CORPUS_DIR: seedCorpus,
          DISCORD_TOKEN: fake.token,
          DISCORD_APPLICATION_ID: fake.applicationId,
          DISCORD_API_ROOT: fake.apiRoot,
          // Empty values keep a developer's .env from adding other bots or a model (loadEnvFile never overrides).
          DISCORD_GUILD_ID: "",
          DISCORD_ALLOWED_GUILDS: "",
          TELEGRAM_BOT_TOKEN: "",
          OPENAI_API_KEY: "",
          OPENAI_BASE_URL: "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = proc;
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));

    await fake.waitFor(() => fake?.identifies.length, 120_000);
    await expect.poll(() => stderr, { timeout: 30_000 }).toContain("Discord bot online");

    const view = fake.slashCommand("ask", { question: SEED_QUESTION });
    const original = await fake.waitFor(() => view.original?.embeds.length && view.original, 30_000);
    expect(view.callbacks.map((c) => c.type)).toEqual([5]);
    expect(visible(descriptions([original]))).toContain(`“${SEED_QUOTE}”`);

    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(fake.closeCodes).toEqual([1000]);
    expect(stderr).toContain("SIGTERM received, shutting down");
    expect(stderr).toContain("Discord bot stopped");
  });
});
