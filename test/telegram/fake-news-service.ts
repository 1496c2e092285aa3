/**
 * A hand-written `NewsService` fake for the Telegram adapter tests. It answers from the real seed article
 * (corpus/seed-iraq-embassy.md) with real `Answer` objects whose quotes are located and verified in the
 * article text, lets a test script an answer for a question, and can fail on demand. Every call is recorded.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseCorpusFile } from "../../src/core/corpus-format.js";
import type { Answer, AnswerQuote, Article, CorpusSummary } from "../../src/core/types.js";
import { toArticleRef } from "../../src/core/types.js";
import { locateQuote, verifyQuote } from "../../src/core/verify.js";
import type { NewsService, SpeakerQuotes } from "../../src/service/news-service.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The seed article, parsed from the bundled corpus exactly as the product reads it. */
export function loadSeedArticle(): Article {
  const file = path.join(root, "corpus/seed-iraq-embassy.md");
  const { articles, problems } = parseCorpusFile(file, readFileSync(file, "utf8"));
  const article = articles[0];
  if (!article || problems.length > 0)
    throw new Error(`seed article unreadable: ${JSON.stringify(problems)}`);
  return article;
}

export const KELLY_QUOTE =
  "the State Department regularly reviews U.S. employees stationed abroad, and this decision came from recent reviews";

/** Builds an answer quote from text that must be verbatim in `article`; throws if it is not. */
export function quoteFrom(
  article: Article,
  text: string,
  attribution: { speaker?: string | null; role?: string | null; direct?: boolean } = {},
): AnswerQuote {
  const at = locateQuote(article.text, text);
  if (at === null) throw new Error(`quote not in article ${article.id}: ${text.slice(0, 60)}`);
  const verified = verifyQuote(article, { text, ...at });
  if (!verified.ok) throw new Error(verified.reason);
  return {
    text: article.text.slice(at.start, at.end),
    speaker: attribution.speaker ?? null,
    role: attribution.role ?? null,
    article: toArticleRef(article),
    start: at.start,
    end: at.end,
    direct: attribution.direct ?? true,
  };
}

export interface FakeNewsService extends NewsService {
  readonly calls: Array<{ readonly method: string; readonly args: readonly unknown[] }>;
  /** The next `ask` or `quotes` call throws `error`. */
  failNext(error?: Error): void;
  /** Answers `question` (exact text) with `answer` instead of the default behaviour. */
  script(question: string, answer: Answer): void;
}

export const REFUSAL_LEAD = "I couldn't find anything about that in the articles I hold.";

export function createFakeNewsService(options: { article?: Article } = {}): FakeNewsService {
  const article = options.article ?? loadSeedArticle();
  const kelly = quoteFrom(article, KELLY_QUOTE, { speaker: "Annie Kelly", role: "White House Spokesperson" });
  const calls: Array<{ method: string; args: readonly unknown[] }> = [];
  const scripted = new Map<string, Answer>();
  let failure: Error | undefined;
  const maybeFail = () => {
    const error = failure;
    failure = undefined;
    if (error) throw error;
  };

  return {
    calls,
    failNext(error = new Error("the fake service failed on purpose")) {
      failure = error;
    },
    script(question, answer) {
      scripted.set(question, answer);
    },
    async ask(question, askOptions) {
      calls.push({ method: "ask", args: [question, askOptions] });
      maybeFail();
      const answer = scripted.get(question);
      if (answer) return answer;
      if (/embassy|iraq|white house|kelly/i.test(question)) {
        return {
          refused: false,
          lead: "The White House said the decision to pull staff followed routine reviews.",
          quotes: [kelly],
        };
      }
      return { refused: true, lead: REFUSAL_LEAD, quotes: [], reason: "no-evidence" };
    },
    async quotes(query, quoteOptions): Promise<SpeakerQuotes> {
      calls.push({ method: "quotes", args: [query, quoteOptions] });
      maybeFail();
      if (/kelly|spokes/i.test(query)) {
        return { speaker: "Annie Kelly", role: "White House Spokesperson", quotes: [kelly] };
      }
      return { speaker: null, role: null, quotes: [] };
    },
    async speakers(prefix, limit) {
      calls.push({ method: "speakers", args: [prefix, limit] });
      return "annie kelly".includes(prefix.toLowerCase())
        ? [{ name: "Annie Kelly", role: "White House Spokesperson", quotes: 1 }]
        : [];
    },
    async sources(): Promise<CorpusSummary> {
      calls.push({ method: "sources", args: [] });
      return {
        articles: 1,
        passages: 3,
        quotes: 6,
        firstDate: article.date,
        lastDate: article.date,
        outlets: article.source ? [{ name: article.source, articles: 1 }] : [],
      };
    },
    async examples(count = 3) {
      calls.push({ method: "examples", args: [count] });
      return [
        "What did the White House say about pulling embassy staff out of Iraq?",
        "What did Aziz Nasirzadeh say about the United States?",
        "How many U.S. troops are stationed in Iraq?",
      ].slice(0, count);
    },
  };
}
