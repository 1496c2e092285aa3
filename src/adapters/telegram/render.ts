/**
 * Renders the platform-neutral `CommandReply` as Telegram HTML messages, split to fit Telegram's limit.
 * Every piece of text from a user, an article or the service goes through `escapeHtml`, and links are built
 * only from http(s) URLs, so nothing in a question or an article can break a message or add formatting.
 */
import type { CommandReply } from "../../commands/table.js";
import {
  type Briefing,
  emptyDayLine,
  formatDay,
  moreLine,
  newSinceLines,
  STORY_HINT,
  storyQuote,
} from "../../core/briefing.js";
import type { AnswerQuote, CorpusSummary } from "../../core/types.js";

/** Telegram's limit for one message. We measure the HTML source, which is never shorter than the text. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

/** Appended to refusals, so someone who asked about something the bot does not hold knows where to look. */
export const SOURCES_HINT = "Try /sources to see which articles I hold.";

/** A run of inline text; a link or bold run is never split across messages. */
export interface Segment {
  readonly text: string;
  readonly bold?: boolean;
  readonly href?: string;
}

/** A paragraph or a blockquote: the unit messages are split between. */
export interface Block {
  readonly quote: boolean;
  readonly segments: readonly Segment[];
}

const BLOCK_SEPARATOR = "\n\n";

/** Escapes the three characters Telegram HTML treats specially, plus `"` for attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Returns a normalised http(s) URL safe for an `href`, or null (other schemes are shown as plain text). */
export function safeHref(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function segmentHtml(segment: Segment): string {
  let html = escapeHtml(segment.text);
  if (segment.bold) html = `<b>${html}</b>`;
  if (segment.href !== undefined) html = `<a href="${escapeHtml(segment.href)}">${html}</a>`;
  return html;
}

function wrap(block: Pick<Block, "quote">, inner: string): string {
  return block.quote ? `<blockquote>${inner}</blockquote>` : inner;
}

export function blockHtml(block: Block): string {
  return wrap(block, block.segments.map(segmentHtml).join(""));
}

/** Formats `YYYY-MM-DD` as "11 Jun 2025"; anything else is shown as given. */
export function formatDate(date: string | null): string | null {
  if (date === null) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return date;
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return date;
  return new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  }).format(parsed);
}

/** One quote as a blockquote: the words, the speaker, then the linked title, outlet and date. */
export function quoteBlock(quote: AnswerQuote): Block {
  const segments: Segment[] = [{ text: quote.direct ? `“${quote.text}”` : quote.text }];
  if (quote.speaker !== null) {
    segments.push({ text: "\n— " }, { text: quote.speaker, bold: true });
    if (quote.role !== null) segments.push({ text: `, ${quote.role}` });
  } else if (quote.role !== null) {
    segments.push({ text: `\n— ${quote.role}` });
  }
  const { article } = quote;
  const href = safeHref(article.url);
  segments.push({ text: "\n" });
  segments.push(href === null ? { text: article.title } : { text: article.title, href });
  const details = [article.source, formatDate(article.date)].filter((d): d is string => Boolean(d));
  if (details.length > 0) segments.push({ text: ` · ${details.join(" · ")}` });
  if (href === null && article.url) segments.push({ text: ` (${article.url})` });
  return { quote: true, segments };
}

const paragraph = (...segments: Segment[]): Block => ({ quote: false, segments });

function withSourcesHint(text: string): string {
  return text.includes("/sources") ? text : `${text} ${SOURCES_HINT}`;
}

function sourcesBlocks(summary: CorpusSummary): Block[] {
  if (summary.articles === 0) return [paragraph({ text: "I hold no articles yet." })];
  const first = formatDate(summary.firstDate);
  const last = formatDate(summary.lastDate);
  const range = first && last ? (first === last ? ` from ${first}` : ` dated ${first} to ${last}`) : "";
  const articles = `${summary.articles} article${summary.articles === 1 ? "" : "s"}`;
  const blocks = [
    paragraph(
      { text: "I hold " },
      { text: articles, bold: true },
      { text: `${range}, with ${summary.quotes} quotes in ${summary.passages} passages.` },
    ),
  ];
  if (summary.outlets.length > 0) {
    const outlets = summary.outlets.map((o) => `${o.name} (${o.articles})`).join(", ");
    blocks.push(paragraph({ text: `Outlets: ${outlets}.` }));
  }
  blocks.push(paragraph({ text: "Ask me a question about them, or try /quotes with a person's name." }));
  return blocks;
}

/** A daily briefing: heading and coverage, then per story its lead and its quote (a blockquote with citation). */
function briefingBlocks(briefing: Briefing): Block[] {
  const blocks: Block[] = [
    paragraph(
      { text: `Briefing for ${formatDay(briefing.date)}`, bold: true },
      { text: `\n${briefing.coverage}` },
    ),
  ];
  if (briefing.stories.length === 0) blocks.push(paragraph({ text: emptyDayLine(briefing) }));
  for (const story of briefing.stories) {
    const others = story.articles.length - 1;
    const lead = `${story.lead}${others > 0 ? ` (+${others} more report${others === 1 ? "" : "s"})` : ""}`;
    blocks.push(
      paragraph({ text: `${story.n}. `, bold: true }, { text: lead }),
      quoteBlock(storyQuote(story)),
    );
  }
  const more = moreLine(briefing);
  if (more !== null) blocks.push(paragraph({ text: more }));
  const fresh = newSinceLines(briefing);
  if (fresh.length > 0) blocks.push(paragraph({ text: fresh.join("\n") }));
  if (briefing.stories.length > 0) blocks.push(paragraph({ text: STORY_HINT }));
  return blocks;
}

/** The blocks of a reply, in order. Exported for tests and for adapters that render differently. */
export function replyBlocks(reply: CommandReply): Block[] {
  switch (reply.kind) {
    case "answer": {
      const { answer } = reply;
      if (answer.refused || answer.quotes.length === 0) {
        return [paragraph({ text: withSourcesHint(answer.lead) })];
      }
      return [paragraph({ text: answer.lead }), ...answer.quotes.map(quoteBlock)];
    }
    case "quotes": {
      if (reply.speaker === null || reply.quotes.length === 0) {
        return [paragraph({ text: withSourcesHint(`I found no quotes from “${reply.query}”.`) })];
      }
      const header: Segment[] = [{ text: "Quotes from " }, { text: reply.speaker, bold: true }];
      if (reply.role !== null) header.push({ text: `, ${reply.role}` });
      header.push({ text: ", newest first:" });
      return [paragraph(...header), ...reply.quotes.map(quoteBlock)];
    }
    case "sources":
      return sourcesBlocks(reply.summary);
    case "briefing":
      return briefingBlocks(reply.briefing);
    case "text": {
      const blocks = [paragraph({ text: reply.text })];
      if (reply.examples && reply.examples.length > 0) {
        blocks.push(paragraph({ text: `Try asking:\n${reply.examples.map((e) => `• ${e}`).join("\n")}` }));
      }
      return blocks;
    }
  }
}

/** Splits text into pieces whose escaped HTML (plus `overhead`) fits `budget`, preferring whitespace. */
function splitText(text: string, budget: number): string[] {
  const pieces: string[] = [];
  let current = "";
  let currentLength = 0;
  for (const token of text.split(/(\s+)/)) {
    const tokenLength = escapeHtml(token).length;
    if (currentLength + tokenLength <= budget) {
      current += token;
      currentLength += tokenLength;
      continue;
    }
    if (current.trim() !== "") pieces.push(current.trimEnd());
    current = "";
    currentLength = 0;
    // Whitespace at a break is dropped: it would only show as a leading space.
    if (/^\s+$/.test(token)) continue;
    // A single word longer than the budget: cut it by code point.
    for (const char of Array.from(token)) {
      const charLength = escapeHtml(char).length;
      if (currentLength + charLength > budget && current !== "") {
        pieces.push(current);
        current = "";
        currentLength = 0;
      }
      current += char;
      currentLength += charLength;
    }
  }
  if (current !== "") pieces.push(current);
  return pieces;
}

/** Last resort for a block longer than a whole message: split it between segments, and a long plain run at spaces. */
function splitOversizedBlock(block: Block, limit: number): Block[] {
  const budget = limit - wrap(block, "").length;
  const segments: Segment[] = [];
  for (const segment of block.segments) {
    if (segmentHtml(segment).length <= budget) {
      segments.push(segment);
      continue;
    }
    // A run that cannot fit even alone: drop the link (never cut inside one) and split the text.
    const wrapper = segmentHtml({ text: "", ...(segment.bold ? { bold: true } : {}) }).length;
    for (const text of splitText(segment.text, budget - wrapper)) {
      segments.push(segment.bold ? { text, bold: true } : { text });
    }
  }
  const blocks: Block[] = [];
  let current: Segment[] = [];
  let length = 0;
  for (const segment of segments) {
    const html = segmentHtml(segment).length;
    if (current.length > 0 && length + html > budget) {
      blocks.push({ quote: block.quote, segments: current });
      current = [];
      length = 0;
    }
    current.push(segment);
    length += html;
  }
  if (current.length > 0) blocks.push({ quote: block.quote, segments: current });
  return blocks;
}

/**
 * Packs blocks into as few messages as fit `limit`, splitting only between blocks (so never inside a quote
 * or a link). A single block longer than a message is itself split, between inline runs.
 */
export function packMessages(blocks: readonly Block[], limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  const messages: string[] = [];
  let current = "";
  for (const block of blocks) {
    const whole = blockHtml(block);
    const parts = whole.length <= limit ? [whole] : splitOversizedBlock(block, limit).map(blockHtml);
    for (const html of parts) {
      if (current === "") current = html;
      else if (current.length + BLOCK_SEPARATOR.length + html.length <= limit) {
        current += BLOCK_SEPARATOR + html;
      } else {
        messages.push(current);
        current = html;
      }
    }
  }
  if (current !== "") messages.push(current);
  return messages;
}

/** Renders a command reply as one or more Telegram HTML messages, each within the message limit. */
export function renderReply(reply: CommandReply, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  return packMessages(replyBlocks(reply), limit);
}

/** Renders a short plain notice (refusals, apologies, usage hints) as escaped HTML messages. */
export function renderNotice(text: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  return packMessages([paragraph({ text })], limit);
}
