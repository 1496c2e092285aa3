// End to end through the real service: openNewsService with config pointing at the loopback fake, so ingest
// embeds with OpenAIEmbeddings, answers are worded by ChatOpenAI, and the index refuses to mix embedders.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config.js";
import { isBriefingError } from "../../src/core/errors.js";
import type { Answer, Article } from "../../src/core/types.js";
import { openOpenAIEmbedder } from "../../src/infra/openai-embedder.js";
import { loadCorpusIndex } from "../../src/service/corpus-index.js";
import { answerModelFromConfig } from "../../src/service/llm-answer.js";
import { openNewsService, type RunningNewsService } from "../../src/service/open-news-service.js";
import { recordingLogger } from "../support/recording-logger.js";
import { type FakeOpenAI, startFakeOpenAI } from "./fake-openai.js";
import { injection } from "./fixtures.js";

const kellyText = "the State Department regularly reviews U.S. employees stationed abroad";
const question = "What did the White House spokesperson say about the review of embassy staff?";

let fake: FakeOpenAI;
let dir: string;
const services: RunningNewsService[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI({ dimensions: 32 });
  dir = await mkdtemp(path.join(tmpdir(), "llm-service-"));
  await mkdir(path.join(dir, "corpus"));
  await copyFile(
    path.resolve(import.meta.dirname, "../../corpus/seed-iraq-embassy.md"),
    path.join(dir, "corpus", "seed-iraq-embassy.md"),
  );
  await writeFile(path.join(dir, "corpus", "injection.md"), markdown(injection));
});
afterAll(async () => {
  for (const s of services) await s.close();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function markdown(a: Article): string {
  return `---\nid: ${a.id}\ntitle: ${a.title}\ndate: ${a.date}\nsource: ${a.source}\n---\n${a.text}\n`;
}

function config(embeddingsModel: string) {
  return parseConfig({
    DATA_DIR: path.join(dir, "data"),
    CORPUS_DIR: path.join(dir, "corpus"),
    OPENAI_BASE_URL: fake.baseURL,
    CHAT_MODEL: "fake-chat",
    EMBEDDINGS_PROVIDER: "openai",
    EMBEDDINGS_MODEL: embeddingsModel,
    REQUEST_TIMEOUT_MS: "8000",
  });
}

async function open(embeddingsModel: string, extra: { answerModel?: null } = {}) {
  const logger = recordingLogger();
  const lines = logger.entries;
  const service = await openNewsService({ config: config(embeddingsModel), logger, ...extra });
  services.push(service);
  return { service, lines };
}

/** Every passage went to the fake's embeddings endpoint under `model` (the service may prefix the title). */
function expectAllEmbedded(passages: readonly { text: string }[], model: string) {
  const sent = fake.embeddingsRequests.filter((r) => r.model === model).flatMap((r) => r.input);
  for (const p of passages) {
    const text = p.text.replace(/\n/g, " ");
    expect(sent.some((s) => s.includes(text))).toBe(true);
  }
}

function expectVerbatim(service: RunningNewsService, answer: Answer) {
  const articles = service.corpus().articles;
  for (const q of answer.quotes) expect(articles.get(q.article.id)?.text.slice(q.start, q.end)).toBe(q.text);
}

describe("the service with an OpenAI-compatible server", () => {
  it("ingests with OpenAI embeddings and words a verified answer with the chat model", async () => {
    const { service, lines } = await open("embed-a");
    const passages = service.corpus().passages;
    expect(service.corpus().embedder.id).toBe(`openai:embed-a@${new URL(fake.baseURL).host}`);
    expect(service.lastIngest.embedded).toBe(passages.length);
    expectAllEmbedded(passages, "embed-a");
    expect(lines).toContainEqual(expect.objectContaining({ message: expect.stringContaining("chat model") }));

    const kelly = passages.find(
      (p) => p.articleId === "seed-iraq-embassy" && p.text.includes("Annie Kelly"),
    )!;
    const lead = "The White House said staff abroad are reviewed regularly.";
    fake.script({
      json: {
        answer: lead,
        claims: [{ text: lead, passageIds: [kelly.id] }],
        quotes: [{ passageId: kelly.id, text: kellyText }],
      },
    });
    const answer = await service.ask(question);
    const prompt = String(fake.chatRequests.at(-1)?.body.messages?.[1]?.content);
    expect(prompt).toContain(`<passage id="${kelly.id}"`);
    expect(answer.refused).toBe(false);
    expect(answer.lead).toBe(lead);
    expect(answer.quotes.map((q) => q.text)).toEqual([kellyText]);
    // Speaker and role come from the service's quote index, not from the model.
    expect(answer.quotes[0]).toMatchObject({ speaker: "Annie Kelly", role: "White House Spokesperson" });
    expect(answer.quotes[0]?.article).toMatchObject({
      title: "US considering withdrawing some embassy staff from Iraq",
      source: "Reuters",
      date: "2025-06-12",
    });
    expectVerbatim(service, answer);
  });

  it("falls back to exactly the offline answer when the model invents a quote", async () => {
    const { service } = await open("embed-a");
    const offline = await (await open("embed-a", { answerModel: null })).service.ask(question);
    const kelly = service
      .corpus()
      .passages.find((p) => p.articleId === "seed-iraq-embassy" && p.text.includes("Annie Kelly"))!;
    fake.script({
      json: {
        answer: "Kelly said the embassy will close.",
        claims: [{ text: "Kelly said the embassy will close.", passageIds: [kelly.id] }],
        quotes: [{ passageId: kelly.id, text: "the embassy in Baghdad will close next week" }],
      },
    });
    const answer = await service.ask(question);
    expect(fake.pending()).toBe(0);
    expect(answer).toEqual(offline);
    expect(answer.quotes.some((q) => q.text.includes("will close next week"))).toBe(false);
    expectVerbatim(service, answer);
  });

  it("refuses to mix embedders: another embeddings model rebuilds the index with its own vectors", async () => {
    const { service, lines } = await open("embed-b");
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "warn", message: expect.stringContaining("cannot be mixed") }),
    );
    const passages = service.corpus().passages;
    expect(service.lastIngest.reused).toBe(false);
    expect(service.lastIngest.embedded).toBe(passages.length);
    expectAllEmbedded(passages, "embed-b");

    const embedderA = await openOpenAIEmbedder(config("embed-a"));
    const error = await loadCorpusIndex(path.join(dir, "data", "index"), embedderA, recordingLogger()).catch(
      (e: unknown) => e,
    );
    expect(isBriefingError(error, "INDEX_MISMATCH")).toBe(true);

    const before = fake.embeddingsRequests.length;
    const again = await open("embed-b");
    expect(again.service.lastIngest.reused).toBe(true);
    // Only the dimensions probe: no passage is embedded again.
    expect(fake.embeddingsRequests.slice(before).flatMap((r) => r.input)).toEqual(["dimensions probe"]);
  });
});

describe("answerModelFromConfig", () => {
  it("logs offline mode once and builds no model without a key or base URL", async () => {
    const logger = recordingLogger();
    const lines = logger.entries;
    expect(await answerModelFromConfig(parseConfig({}), logger)).toBeUndefined();
    expect(lines).toEqual([{ level: "info", message: "offline mode: no OPENAI_API_KEY or OPENAI_BASE_URL" }]);
  });

  it("builds the chat model named by the config", async () => {
    const logger = recordingLogger();
    const model = await answerModelFromConfig(
      parseConfig({ OPENAI_API_KEY: "sk-x", CHAT_MODEL: "gpt-x" }),
      logger,
    );
    expect(model?.id).toBe("openai:gpt-x@api.openai.com");
  });
});
