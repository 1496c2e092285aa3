// End to end: the real OpenAIEmbeddings (via createOpenAIEmbedder) over HTTP to the loopback fake, in both
// wire encodings, with dimensions learnt from the server and failures reported with a fix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config.js";
import { isBriefingError } from "../../src/core/errors.js";
import { createOpenAIEmbedder, openOpenAIEmbedder } from "../../src/infra/openai-embedder.js";
import { type FakeOpenAI, fakeEmbedding, startFakeOpenAI } from "./fake-openai.js";

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI({ dimensions: 48 });
});
afterAll(async () => {
  await fake.close();
});

const config = () =>
  parseConfig({
    OPENAI_BASE_URL: fake.baseURL,
    EMBEDDINGS_PROVIDER: "openai",
    EMBEDDINGS_MODEL: "fake-embed",
  });

describe("createOpenAIEmbedder", () => {
  it("asks for float vectors by default and returns the server's vectors", async () => {
    fake.embeddingsRequests.length = 0;
    const embedder = createOpenAIEmbedder(config());
    const texts = ["Embassy staff leave Baghdad", "Talks with Iran stall"];
    const vectors = await embedder.embedDocuments(texts);
    expect(fake.embeddingsRequests[0]).toMatchObject({
      encodingFormat: "float",
      model: "fake-embed",
      input: texts,
    });
    expect(vectors).toEqual(texts.map((t) => fakeEmbedding(t, 48)));
    expect(embedder.dimensions).toBe(48);
    expect(embedder.id).toBe(`openai:fake-embed@${new URL(fake.baseURL).host}`);
  });

  it("decodes base64 float32 vectors into plain number arrays", async () => {
    fake.embeddingsRequests.length = 0;
    const embedder = createOpenAIEmbedder(config(), { encodingFormat: "base64" });
    const vector = await embedder.embedQuery("Embassy staff leave Baghdad");
    expect(fake.embeddingsRequests[0]?.encodingFormat).toBe("base64");
    expect(Array.isArray(vector)).toBe(true);
    const expected = fakeEmbedding("Embassy staff leave Baghdad", 48);
    vector.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 6);
    });
  });

  it("learns its dimensions with one probe when opened", async () => {
    const embedder = await openOpenAIEmbedder(config());
    expect(embedder.dimensions).toBe(48);
    const unprobed = createOpenAIEmbedder(config());
    expect(() => unprobed.dimensions).toThrow(/probe/);
  });

  it("passes requested dimensions to the server and names them in the id", async () => {
    const embedder = createOpenAIEmbedder(config(), { dimensions: 16 });
    expect(embedder.dimensions).toBe(16);
    expect(embedder.id).toMatch(/#16d$/);
    expect(await embedder.embedQuery("short")).toHaveLength(16);
  });

  it("reports an unreachable server as EMBEDDER_UNAVAILABLE with a fix", async () => {
    const down = parseConfig({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1", EMBEDDINGS_PROVIDER: "openai" });
    const error = await openOpenAIEmbedder(down, { maxRetries: 0, timeoutMs: 2_000 }).catch(
      (e: unknown) => e,
    );
    expect(isBriefingError(error, "EMBEDDER_UNAVAILABLE")).toBe(true);
    expect(String((error as Error).message)).toContain("Check OPENAI_BASE_URL");
  });
});
