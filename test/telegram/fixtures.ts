/**
 * Hostile and oversized articles for the Telegram rendering tests: markup characters, a closing
 * `</blockquote>`, Markdown markers and URLs in titles, quotes and questions; and an answer far longer than one
 * Telegram message. Quotes are built with `quoteFrom`, so they are verbatim in their article.
 */
import type { Answer, Article } from "../../src/core/types.js";
import { quoteFrom } from "./fake-news-service.js";

export const HOSTILE_QUESTION =
  'What did <b>Tom</b> & "Jerry" say? </blockquote><a href="https://evil.example">x</a> *bold* _it_ https://evil.example/?a=1&b=2';

export const hostileArticle: Article = {
  id: "hostile-1",
  title: 'Tom & Jerry <b>not bold</b> </blockquote> *stars* _under_ "quoted"',
  date: "2024-02-29",
  source: "R&D <Weekly>",
  url: 'https://news.example/a?x=1&y="2"<script>',
  license: null,
  text:
    "Cartoon relations worsened on Thursday. " +
    'Tom said "use <b>bold</b> & *stars* _underscores_ </blockquote> and visit https://evil.example/x?a=1&b=2 now" ' +
    'before leaving. Jerry replied "<i>never</i> &amp; </a> ok".',
};

export const HOSTILE_QUOTES = [
  "use <b>bold</b> & *stars* _underscores_ </blockquote> and visit https://evil.example/x?a=1&b=2 now",
  "<i>never</i> &amp; </a> ok",
] as const;

export function hostileAnswer(question: string): Answer {
  return {
    refused: false,
    lead: `About "${question}": Tom & Jerry traded words <in> the article.`,
    quotes: [
      quoteFrom(hostileArticle, HOSTILE_QUOTES[0], { speaker: "Tom <Cat>", role: "Chief *Mouser*" }),
      quoteFrom(hostileArticle, HOSTILE_QUOTES[1], { speaker: "Jerry & Co", role: null }),
    ],
  };
}

/** A javascript: URL must never become a link. */
export const scriptUrlArticle: Article = {
  ...hostileArticle,
  id: "hostile-2",
  url: "javascript:alert(1)",
};

function longSentence(n: number): string {
  return (
    `Speaker ${n} said "` +
    Array.from(
      { length: 14 },
      (_, i) => `point ${n}.${i} covers the budget, the schedule and the people involved`,
    ).join(", ") +
    '."'
  );
}

/** Twelve articles, each with one ~1,000-character quote, so an answer of all of them needs several messages. */
export const longArticles: Article[] = Array.from({ length: 12 }, (_, n) => ({
  id: `long-${n}`,
  title: `A rather long headline number ${n} about budgets, schedules & the people involved in them`,
  date: `2023-05-${String(n + 10).padStart(2, "0")}`,
  source: "Wikinews",
  url: `https://en.wikinews.org/wiki/Long_article_${n}?from=test&n=${n}`,
  license: null,
  text: `Intro paragraph ${n}.\n\n${longSentence(n)}\n\nClosing line.`,
}));

export function longAnswer(): Answer {
  return {
    refused: false,
    lead: "Twelve people spoke at length about budgets & schedules.",
    quotes: longArticles.map((article, n) => {
      const sentence = longSentence(n);
      const text = sentence.slice(sentence.indexOf('"') + 1, -1);
      return quoteFrom(article, text, { speaker: `Speaker ${n}`, role: "Official" });
    }),
  };
}
