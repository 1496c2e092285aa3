// End-to-end: `npm run cli -- discord:register` (the real CLI process) registers the table's slash commands with
// the loopback fake Discord, guild-scoped when DISCORD_GUILD_ID is set, and explains a rejected token.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { buildSlashCommands } from "../../src/adapters/discord/register-commands.js";
import { repoRoot } from "../support/seed-service.js";
import { defaultGuild, type FakeDiscord, startFakeDiscord } from "./fake-discord.js";

const run = promisify(execFile);
const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
const cli = path.join(repoRoot, "src", "cli", "main.ts");

function register(env: Record<string, string>) {
  return run(tsx, [cli, "discord:register"], {
    cwd: repoRoot,
    // Empty values keep a developer's .env from filling them in (loadEnvFile never overrides set variables).
    env: { PATH: process.env.PATH, DISCORD_GUILD_ID: "", DISCORD_ALLOWED_GUILDS: "", ...env },
  });
}

describe("discord:register CLI", () => {
  let fake: FakeDiscord | undefined;
  afterEach(async () => {
    await fake?.close();
  });

  it("registers the shared table in the guild and prints what it did", async () => {
    fake = await startFakeDiscord();
    const { stdout } = await register({
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_ROOT: fake.apiRoot,
      DISCORD_GUILD_ID: defaultGuild.id,
    });
    expect(stdout).toMatch(
      new RegExp(`^Registered /start, /help, /ask, .* in guild ${defaultGuild.id}\\.\\n$`),
    );
    const put = fake.requests.filter((r) => r.method === "PUT");
    expect(put).toHaveLength(1);
    expect(put[0]?.path).toBe(`/applications/${fake.applicationId}/guilds/${defaultGuild.id}/commands`);
    expect(put[0]?.body).toEqual(buildSlashCommands());
  });

  it("exits 1 with a fix-it message when Discord rejects the token", async () => {
    fake = await startFakeDiscord();
    const failure = await register({
      DISCORD_TOKEN: "wrong",
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_ROOT: fake.apiRoot,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/Discord rejected DISCORD_TOKEN.*401/);
    expect(fake.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["PUT", `/applications/${fake.applicationId}/commands`, 401],
    ]);
  });
});
