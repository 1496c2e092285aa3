// The real CLI and `npm start` as child processes (node --import tsx), offline, over the bundled seed corpus with a
// temp data dir and the shared GloVe cache: what a person at a terminal sees for ask (argument and piped stdin),
// --help on every command, ingest with a malformed file, eval --json, and the terminal chat fed by a pipe.
import { spawn } from "node:child_process";
import { copyFile, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, SEED_QUESTION, SEED_QUOTE, seedCorpus, sharedCacheDir } from "../support/seed-service.js";

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let dataDir: string;
const cleanup: string[] = [];

/**
 * Runs `node --import tsx <script> …args` from the repo root. Stdin is closed unless `input` is given, in which
 * case it is written and then ended (EOF). Empty values keep a developer's `.env` from adding bots or a model.
 */
function run(
  script: string,
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? tmpdir(),
        CI: "true",
        DATA_DIR: dataDir,
        EMBEDDINGS_CACHE_DIR: sharedCacheDir,
        CORPUS_DIR: seedCorpus,
        TELEGRAM_BOT_TOKEN: "",
        DISCORD_TOKEN: "",
        OPENAI_API_KEY: "",
        OPENAI_BASE_URL: "",
        EMBEDDINGS_PROVIDER: "offline",
        ...options.env,
      },
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

const cli = (args: readonly string[], options?: { input?: string; env?: Record<string, string> }) =>
  run("src/cli/main.ts", args, options);

function jsonLines(stdout: string): unknown[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as unknown);
}

const seedAnswer = {
  refused: false,
  quotes: [
    {
      text: SEED_QUOTE,
      speaker: "Annie Kelly",
      role: "White House Spokesperson",
      article: {
        id: "seed-iraq-embassy",
        title: "US considering withdrawing some embassy staff from Iraq",
        date: "2025-06-12",
        url: null,
      },
      start: expect.any(Number),
      end: expect.any(Number),
    },
  ],
};

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `briefing-cli-${prefix}-`));
  cleanup.push(dir);
  return dir;
}

beforeAll(async () => {
  dataDir = await tempDir("data");
  // Build the seed index once, so the other commands in this file measure answers, not first-run indexing.
  const built = await cli(["ingest"]);
  expect(built.code, built.stderr).toBe(0);
});

afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe.concurrent("ask", () => {
  it("ask --json '<seed question>' prints the answer as one JSON object: Annie Kelly's quote, cited", async () => {
    const result = await cli(["ask", "--json", SEED_QUESTION]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject(seedAnswer);
    const answer = lines[0] as { lead: string; quotes: { start: number; end: number }[] };
    expect(answer.lead).toContain("Annie Kelly");
    expect(answer.quotes[0]!.end - answer.quotes[0]!.start).toBe(SEED_QUOTE.length);
  });

  it("ask --json with questions piped on stdin prints one JSON line per question, in order", async () => {
    const result = await cli(["ask", "--json"], {
      input: `${SEED_QUESTION}\n\nWho won the 2022 World Cup final?\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject(seedAnswer);
    expect(lines[1]).toMatchObject({
      refused: true,
      lead: "I couldn't find that in the articles I have.",
      quotes: [],
    });
  });

  it("ask without --json prints the quote with its speaker and citation", async () => {
    const result = await cli(["ask", SEED_QUESTION]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`“${SEED_QUOTE}”`);
    expect(result.stdout).toContain("Annie Kelly, White House Spokesperson");
    expect(result.stdout).toContain(
      "US considering withdrawing some embassy staff from Iraq, Reuters, 2025-06-12",
    );
  });

  it("ask --to before the seed's date refuses; a malformed date is a usage error", async () => {
    const refused = await cli(["ask", "--json", "--to", "2025-06-11", SEED_QUESTION]);
    expect(refused.code, refused.stderr).toBe(0);
    expect(jsonLines(refused.stdout)[0]).toMatchObject({ refused: true, quotes: [] });
    const bad = await cli(["ask", "--from", "June 12", SEED_QUESTION]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("expected a date as YYYY-MM-DD");
  });
});

describe.concurrent("--help", () => {
  it("the program's --help lists every command and the --data-dir option", async () => {
    const result = await cli(["--help"]);
    expect(result.code).toBe(0);
    for (const word of ["ingest", "ask", "chat", "eval", "--data-dir"]) expect(result.stdout).toContain(word);
  });

  it.each([
    ["ingest", ["paths"]],
    ["ask", ["--json", "--from", "--to", "question"]],
    ["chat", ["chat in the terminal"]],
    ["eval", ["--questions", "--corpus", "--json"]],
  ] as const)("%s --help exits 0 and describes its options", async (command, words) => {
    const result = await cli([command, "--help"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Usage: briefing-bot ${command}`);
    for (const word of words) expect(result.stdout.toLowerCase()).toContain(word.toLowerCase());
  });
});

describe("ingest", () => {
  it("skips a malformed file with one line naming it, ingests the rest, and prints a summary", async () => {
    const corpus = await tempDir("corpus");
    const otherData = await tempDir("data-option");
    await copyFile(path.join(seedCorpus, "seed-iraq-embassy.md"), path.join(corpus, "seed-iraq-embassy.md"));
    await writeFile(path.join(corpus, "broken.md"), "---\ntitle: [unclosed\n---\nSome text.\n");
    const result = await cli(["--data-dir", otherData, "ingest", corpus]);
    expect(result.code, result.stderr).toBe(0);
    const skipped = result.stderr.split("\n").filter((l) => l.startsWith("skipped "));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toContain(path.join(corpus, "broken.md"));
    expect(skipped[0]).toMatch(/front matter is not valid YAML/);
    expect(result.stdout).toMatch(
      /^1 articles, 11 passages, \d+ quotes indexed \(1 added, .*\); 1 skipped\n$/,
    );
    // --data-dir wins over DATA_DIR.
    expect(await readdir(otherData)).toContain("index");

    const again = await cli(["--data-dir", otherData, "ingest", corpus]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("(index up to date); 1 skipped");
  });
});

describe("eval", () => {
  it("eval --json prints one JSON object with every metric, per retriever too", async () => {
    const result = await cli([
      "eval",
      "--questions",
      path.join("test", "fixtures", "eval-seed-questions.jsonl"),
      "--corpus",
      "corpus",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(1);
    const report = lines[0] as Record<string, unknown>;
    const retrieverKeys = ["recall_at_1", "recall_at_5", "mrr", "passage_hit_at_1", "passage_hit_at_5"];
    for (const key of [
      "questions",
      "answerable",
      ...retrieverKeys,
      "quote_hit",
      "speaker_accuracy",
      "refusal_rate_unanswerable",
      "false_refusal_rate",
      "verbatim_rate",
      "by_retriever",
    ]) {
      expect(report, key).toHaveProperty(key);
    }
    expect(report).toMatchObject({
      questions: 3,
      answerable: 2,
      recall_at_1: 1,
      verbatim_rate: 1,
      refusal_rate_unanswerable: 1,
      false_refusal_rate: 0,
      speaker_accuracy: 1,
    });
    const byRetriever = report.by_retriever as Record<string, Record<string, number>>;
    expect(Object.keys(byRetriever).sort()).toEqual(["bm25", "default", "dense", "hybrid"]);
    for (const metrics of Object.values(byRetriever)) {
      expect(Object.keys(metrics).sort()).toEqual([...retrieverKeys].sort());
      for (const value of Object.values(metrics)) expect(value >= 0 && value <= 1).toBe(true);
    }
    expect(byRetriever.default).toMatchObject({ recall_at_1: report.recall_at_1, mrr: report.mrr });
    // The eval corpus is indexed in its own folder under the data dir.
    expect(await readdir(dataDir)).toContain("eval");
  });
});

describe("npm start without bot tokens", () => {
  it("answers two questions piped on stdin in the terminal chat and exits 0 at EOF", async () => {
    const result = await run("src/main.ts", [], {
      input: `${SEED_QUESTION}\nHow many U.S. troops are stationed in Iraq?\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    const kelly = result.stdout.indexOf(`“${SEED_QUOTE}”`);
    const troops = result.stdout.indexOf(
      "“With 2,500 U.S. troops stationed, pro-Iranian armed groups connected to Iraqi security forces are also active”",
    );
    expect(kelly).toBeGreaterThanOrEqual(0);
    expect(troops).toBeGreaterThan(kelly);
    expect(result.stdout).not.toContain("Sorry, something went wrong");
  });
});
