/**
 * A hand-written NewsService fake for the Discord tests that do not need retrieval: it answers from a table of
 * canned questions, but every quote it returns is located in real Wikinews article text (fixture below) and
 * verified with the core's `verifyQuote`, so what the bot renders is what a real answer looks like.
 * It records every call; `failOn` makes `ask` throw, to exercise the adapter's error boundary.
 */
import { readFileSync } from "node:fs";
import {
  type Answer,
  type AnswerQuote,
  type Article,
  type CorpusSummary,
  type SpeakerSummary,
  toArticleRef,
} from "../../src/core/types.js";
import { locateQuote, verifyQuote } from "../../src/core/verify.js";
import type { AskOptions, NewsService, SpeakerQuotes } from "../../src/service/news-service.js";

/** Three Wikinews articles (CC BY 2.5, Wikinews contributors; each keeps its url). */
export const fixtureArticles: readonly Article[] = (
  JSON.parse(readFileSync(new URL("./fixtures/wikinews-articles.json", import.meta.url), "utf8")) as {
    articles: Article[];
  }
).articles;

export const articleIds = {
  comicon: "wn-2019-03-29-toronto-comicon-2019-welcomes-fans-with-celebritie",
  document: "wn-2008-08-15-sensitive-canadian-document-found-on-rainy-streets",
  iran: "wn-2020-03-03-iranian-government-official-mohammad-mir-mohammadi",
} as const;

export function article(id: string): Article {
  const found = fixtureArticles.find((a) => a.id === id);
  if (found === undefined) throw new Error(`fixture article ${id} missing`);
  return found;
}

/** Builds an AnswerQuote for `text` as found (verbatim) in the article; throws if it is not there. */
export function quoteFrom(
  articleId: string,
  text: string,
  speaker: string | null = null,
  role: string | null = null,
): AnswerQuote {
  const source = article(articleId);
  const at = locateQuote(source.text, text);
  if (at === null) throw new Error(`"${text.slice(0, 40)}…" is not in ${articleId}`);
  const verified = verifyQuote(source, { text, ...at });
  if (!verified.ok) throw new Error(verified.reason);
  return {
    text: source.text.slice(at.start, at.end),
    speaker,
    role,
    article: toArticleRef(source),
    ...at,
    direct: speaker !== null,
  };
}

const speakerQuotes: readonly AnswerQuote[] = [
  quoteFrom(
    articleIds.document,
    "We take document security seriously",
    "Sujata Raisinghani",
    "Environment Canada spokeswoman",
  ),
  quoteFrom(
    articleIds.document,
    "I'm told two things: that it's neither classified nor secret and that it's stuff that could be available under access to information",
    "John Baird",
    "Environment Minister",
  ),
  quoteFrom(
    articleIds.document,
    "This government is so consumed with control of information and secrecy yet they don't seem to be able to get the fundamentals right",
    "Paul Dewar",
    "Ottawa New Democrat MP",
  ),
  quoteFrom(
    articleIds.iran,
    "The definite latest numbers we have are 523 new infections and 12 new deaths so the total number of those infected until now is 1501 and the number of deaths is 66",
    "Ali Reza Raisi",
    "Health Ministry",
  ),
  quoteFrom(
    articleIds.comicon,
    "Jerry [O'Connell] and I are talking to NBC at the moment. The basic problem is that no one knows who owns the rights",
    "John Rhys-Davies",
    "actor",
  ),
  quoteFrom(articleIds.comicon, "It was a good day", "Emma Caufield", "actor"),
];

export const refusal: Answer = {
  refused: true,
  lead: "I couldn't find that in my articles, so I won't guess.",
  quotes: [],
  reason: "no-evidence",
};

export type FakeCall =
  | { readonly method: "ask"; readonly question: string }
  | { readonly method: "quotes"; readonly query: string }
  | { readonly method: "speakers"; readonly prefix: string }
  | { readonly method: "sources" }
  | { readonly method: "examples" };

export interface FakeNewsService extends NewsService {
  readonly calls: FakeCall[];
  /** Canned answers by exact question; any other question is refused. */
  readonly answers: Map<string, Answer>;
  /** Questions for which `ask` throws, as a broken service would. */
  readonly failOn: Set<string>;
}

export function createFakeNewsService(): FakeNewsService {
  const calls: FakeCall[] = [];
  const answers = new Map<string, Answer>();
  const failOn = new Set<string>();
  const speakers = (): SpeakerSummary[] => {
    const byName = new Map<string, SpeakerSummary>();
    for (const q of speakerQuotes) {
      if (q.speaker === null) continue;
      const seen = byName.get(q.speaker);
      byName.set(q.speaker, { name: q.speaker, role: q.role, quotes: (seen?.quotes ?? 0) + 1 });
    }
    return [...byName.values()];
  };
  return {
    calls,
    answers,
    failOn,
    async ask(question: string, _options?: AskOptions): Promise<Answer> {
      calls.push({ method: "ask", question });
      if (failOn.has(question)) throw new Error("fake service failure (database is on fire)");
      return answers.get(question) ?? refusal;
    },
    async quotes(query: string): Promise<SpeakerQuotes> {
      calls.push({ method: "quotes", query });
      const wanted = query.toLowerCase();
      const match = speakerQuotes.find(
        (q) => q.speaker?.toLowerCase().includes(wanted) || q.role?.toLowerCase().includes(wanted),
      );
      if (match === undefined) return { speaker: null, role: null, quotes: [] };
      return {
        speaker: match.speaker,
        role: match.role,
        quotes: speakerQuotes.filter((q) => q.speaker === match.speaker),
      };
    },
    async speakers(prefix: string, limit = 25): Promise<SpeakerSummary[]> {
      calls.push({ method: "speakers", prefix });
      const wanted = prefix.toLowerCase();
      return speakers()
        .filter((s) => s.name.toLowerCase().includes(wanted) || s.role?.toLowerCase().includes(wanted))
        .slice(0, limit);
    },
    async sources(): Promise<CorpusSummary> {
      calls.push({ method: "sources" });
      const dates = fixtureArticles
        .map((a) => a.date)
        .filter((d): d is string => d !== null)
        .sort();
      return {
        articles: fixtureArticles.length,
        passages: fixtureArticles.reduce((n, a) => n + a.text.split(/\n\n+/).length, 0),
        quotes: speakerQuotes.length,
        firstDate: dates[0] ?? null,
        lastDate: dates.at(-1) ?? null,
        outlets: [{ name: "Wikinews", articles: fixtureArticles.length }],
      };
    },
    async examples(count = 3): Promise<string[]> {
      calls.push({ method: "examples" });
      return [
        "What did Environment Canada say about document security?",
        "What numbers did Iran's health ministry give?",
        "Is a Sliders reboot being considered?",
      ].slice(0, count);
    },
  };
}
