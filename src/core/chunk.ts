/**
 * Splits an article into passages that respect paragraphs and sentences: a paragraph when it fits in
 * ~800 characters, otherwise runs of whole sentences. Every passage and sentence keeps its offsets in the article.
 */
import { splitParagraphs, splitSentences } from "./sentences.js";
import type { Article, Passage, Span } from "./types.js";

export const MAX_PASSAGE_CHARS = 800;

export function chunkArticle(article: Pick<Article, "id" | "text">, maxChars = MAX_PASSAGE_CHARS): Passage[] {
  const passages: Passage[] = [];
  const push = (sentences: Span[]) => {
    const first = sentences[0];
    const last = sentences[sentences.length - 1];
    if (!first || !last) return;
    const index = passages.length;
    passages.push({
      id: `${article.id}#${index}`,
      articleId: article.id,
      index,
      start: first.start,
      end: last.end,
      text: article.text.slice(first.start, last.end),
      sentences,
    });
  };
  for (const paragraph of splitParagraphs(article.text)) {
    const sentences = splitSentences(article.text, paragraph.start, paragraph.end);
    if (paragraph.end - paragraph.start <= maxChars) {
      push(sentences);
      continue;
    }
    // Greedy runs of whole sentences, balanced so the last run is not a lonely fragment.
    const total = paragraph.end - paragraph.start;
    const runs = Math.ceil(total / maxChars);
    const target = total / runs;
    let run: Span[] = [];
    let runStart = paragraph.start;
    for (const sentence of sentences) {
      const wouldBe = sentence.end - runStart;
      if (run.length > 0 && (wouldBe > maxChars || sentence.start - runStart >= target)) {
        push(run);
        run = [];
        runStart = sentence.start;
      }
      run.push(sentence);
    }
    push(run);
  }
  return passages;
}
