/**
 * Plain-text rendering of command replies for the terminal chat and the `ask` command.
 */
import type { CommandReply } from "../../commands/table.js";
import { renderBriefingText } from "../../core/briefing.js";
import type { Answer, AnswerQuote } from "../../core/types.js";

export function citation(q: AnswerQuote): string {
  const parts = [q.article.title, q.article.source, q.article.date].filter((p): p is string => !!p);
  return `${parts.join(", ")}${q.article.url ? ` <${q.article.url}>` : ""}`;
}

export function renderQuote(q: AnswerQuote, n?: number): string {
  const who = q.speaker ? ` — ${q.speaker}${q.role ? `, ${q.role}` : ""}` : "";
  const prefix = n === undefined ? "" : `${n}. `;
  return `${prefix}“${q.text}”${who}\n   ${citation(q)}`;
}

export function renderAnswer(answer: Answer): string {
  if (answer.refused) return answer.lead;
  return [answer.lead, ...answer.quotes.map((q, i) => renderQuote(q, i + 1))].join("\n");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function renderReply(reply: CommandReply): string {
  switch (reply.kind) {
    case "answer":
      return renderAnswer(reply.answer);
    case "quotes":
      if (reply.quotes.length === 0)
        return `I have no quotes from "${reply.query}". Try /sources to see what I hold.`;
      return [
        `Quotes from ${reply.speaker}${reply.role ? ` (${reply.role})` : ""}, newest first:`,
        ...reply.quotes.map((q, i) => renderQuote(q, i + 1)),
      ].join("\n");
    case "sources": {
      const s = reply.summary;
      const range = s.firstDate ? `${s.firstDate} to ${s.lastDate}` : "no dates";
      const outlets = s.outlets.map((o) => `${o.name} (${o.articles})`).join(", ");
      return `${plural(s.articles, "article")} (${plural(s.passages, "passage")}, ${plural(s.quotes, "quote")}), ${range}.\nOutlets: ${outlets || "none"}`;
    }
    case "briefing":
      return renderBriefingText(reply.briefing);
    case "text":
      return reply.examples && reply.examples.length > 0
        ? `${reply.text}\n\nTry:\n${reply.examples.map((e) => `  ${e}`).join("\n")}`
        : reply.text;
  }
}
