/**
 * Renders platform-neutral command replies as Discord messages (embeds), escaping markdown and splitting
 * between quotes so that every Discord limit holds. Pure: no discord.js client, easy to unit-test.
 */
import type { APIEmbed } from "discord.js";
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
import type { Answer, AnswerQuote, ArticleRef } from "../../core/types.js";

/**
 * Discord's documented message limits. `embedTotal` applies to the sum of every embed's title, description,
 * footer, author and fields in one message (Discord counts per message, which also bounds each embed).
 */
export const discordLimits = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footer: 2048,
  embedTotal: 6000,
  embedsPerMessage: 10,
} as const satisfies Record<string, number>;

export type DiscordLimits = { readonly [K in keyof typeof discordLimits]: number };

/** Colour and footer shared by every embed the bot sends, so answers look the same everywhere. */
export const embedStyle = {
  color: 0x2f6fdb,
  footer: "Verbatim quotes from the cited articles",
} as const;

/** One Discord message worth of output: plain content and/or embeds. Mentions are never parsed. */
export interface DiscordMessage {
  readonly content?: string;
  readonly embeds: readonly APIEmbed[];
}

/** What a reply becomes: public messages, or one short private notice (refusals, not-found). */
export type RenderedReply =
  | { readonly kind: "public"; readonly messages: readonly DiscordMessage[] }
  | { readonly kind: "notice"; readonly text: string };

const ZERO_WIDTH_SPACE = "\u200b";

/**
 * Escapes Discord markdown so that text from users and articles shows literally: emphasis, code, spoilers,
 * masked links, mentions and line-start syntax (headings, quotes, lists). Backslash escapes render invisibly;
 * `@everyone`/`@here` get a zero-width space so they never look like a mass mention.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\*_~`|[\]()<>]/g, "\\$&")
    .replace(/^(\s*)([#>+-])/gm, "$1\\$2")
    .replace(/^(\s*\d+)\./gm, "$1\\.")
    .replace(/@(everyone|here)/gi, `@${ZERO_WIDTH_SPACE}$1`);
}

/** Cuts `text` to `max` characters at a word boundary when possible, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1));
  const space = cut.lastIndexOf(" ");
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

function escapeUrl(url: string): string {
  return url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** "[Title](url) · Outlet · 2020-03-03": the citation line under every quote. */
export function renderCitation(article: ArticleRef): string {
  const title = escapeMarkdown(article.title);
  const link =
    article.url !== null && /^https?:\/\//i.test(article.url)
      ? `[${title}](${escapeUrl(article.url)})`
      : `**${title}**`;
  return [link, article.source && escapeMarkdown(article.source), article.date].filter(Boolean).join(" · ");
}

/** A quote block: the verbatim text (whitespace collapsed), who said it, and the linked citation. */
export function renderQuote(quote: AnswerQuote): string {
  const text = escapeMarkdown(quote.text.replace(/\s+/g, " ").trim());
  const who =
    quote.speaker === null
      ? "from the article"
      : `**${escapeMarkdown(quote.speaker)}**${quote.role ? `, ${escapeMarkdown(quote.role)}` : ""}`;
  return `> “${text}”\n> — ${who}\n> ${renderCitation(quote.article)}`;
}

function embedSize(embed: APIEmbed): number {
  const fields = (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    fields
  );
}

/**
 * Packs blocks (a lead, quote blocks, lines) into embeds and messages without ever splitting a block:
 * a block moves whole to the next embed or message. Only a block too large for an empty embed (which the
 * service's ~800-character passages never produce) is cut, with an ellipsis.
 */
export function packBlocks(
  blocks: readonly string[],
  options: { readonly title?: string; readonly separator?: string; readonly limits?: DiscordLimits } = {},
): DiscordMessage[] {
  const limits = options.limits ?? discordLimits;
  const separator = options.separator ?? "\n\n";
  const footer = truncate(embedStyle.footer, limits.footer);
  const title = options.title === undefined ? "" : truncate(options.title, limits.embedTitle);
  const room = Math.min(limits.embedDescription, limits.embedTotal - footer.length - title.length);
  const messages: APIEmbed[][] = [];
  let closed: APIEmbed[] = [];
  let current: APIEmbed = { color: embedStyle.color, ...(title ? { title } : {}), description: "" };

  const total = () => footer.length + closed.reduce((n, e) => n + embedSize(e), 0) + embedSize(current);
  const closeCurrent = () => {
    closed.push(current);
    current = { color: embedStyle.color, description: "" };
  };

  for (const raw of blocks) {
    const block = truncate(raw, room);
    const description = current.description ?? "";
    const candidate = description === "" ? block : `${description}${separator}${block}`;
    if (
      candidate.length <= limits.embedDescription &&
      total() + candidate.length - description.length <= limits.embedTotal
    ) {
      current.description = candidate;
      continue;
    }
    if (description !== "") closeCurrent();
    if (closed.length >= limits.embedsPerMessage || total() + block.length > limits.embedTotal) {
      messages.push(closed);
      closed = [];
    }
    current.description = block;
  }
  if (current.description !== "" || closed.length === 0) closed.push(current);
  messages.push(closed);

  return messages.map((list) => ({
    embeds: list.map(({ description, ...e }, i) => ({
      ...e,
      ...(description ? { description } : {}),
      ...(i === list.length - 1 ? { footer: { text: footer } } : {}),
    })),
  }));
}

/** Sum of the characters Discord counts against the 6,000 limit, for a whole message. */
export function messageSize(message: DiscordMessage): number {
  return message.embeds.reduce((n, e) => n + embedSize(e), 0);
}

function renderAnswer(question: string, answer: Answer, limits: DiscordLimits): DiscordMessage[] {
  const blocks = [escapeMarkdown(answer.lead), ...answer.quotes.map(renderQuote)];
  return packBlocks(blocks, { title: escapeMarkdown(question), limits });
}

/** Daily briefing as one embed set: coverage, then per story its number, lead and cited quote (briefings feature). */
function renderBriefing(briefing: Briefing, limits: DiscordLimits): DiscordMessage[] {
  const blocks = [escapeMarkdown(briefing.coverage)];
  if (briefing.stories.length === 0) blocks.push(escapeMarkdown(emptyDayLine(briefing)));
  for (const story of briefing.stories) {
    blocks.push(`**${story.n}. ${escapeMarkdown(story.lead)}**\n${renderQuote(storyQuote(story))}`);
  }
  const tail = [moreLine(briefing), ...newSinceLines(briefing)].filter((l): l is string => !!l);
  if (tail.length > 0) blocks.push(escapeMarkdown(tail.join("\n")));
  if (briefing.stories.length > 0) blocks.push(escapeMarkdown(STORY_HINT));
  return packBlocks(blocks, { title: `Briefing · ${formatDay(briefing.date)}`, limits });
}

/** Turns a command reply into Discord messages, or a private notice for refusals and empty results. */
export function renderReply(reply: CommandReply, limits: DiscordLimits = discordLimits): RenderedReply {
  switch (reply.kind) {
    case "answer":
      if (reply.answer.refused) return { kind: "notice", text: truncate(reply.answer.lead, limits.content) };
      return { kind: "public", messages: renderAnswer(reply.question, reply.answer, limits) };
    case "quotes": {
      if (reply.quotes.length === 0) {
        return {
          kind: "notice",
          text: truncate(`I have no quotes from “${escapeMarkdown(reply.query)}”.`, limits.content),
        };
      }
      const who = reply.speaker ?? reply.query;
      const title = `Quotes: ${who}${reply.role ? `, ${reply.role}` : ""}`;
      return {
        kind: "public",
        messages: packBlocks(reply.quotes.map(renderQuote), { title: escapeMarkdown(title), limits }),
      };
    }
    case "sources": {
      const s = reply.summary;
      const range = s.firstDate && s.lastDate ? `, from ${s.firstDate} to ${s.lastDate}` : "";
      const head = `**${s.articles}** articles, ${s.passages} passages, ${s.quotes} quotes${range}.\n\n**Outlets**`;
      const lines = s.outlets.map((o) => `• ${escapeMarkdown(o.name)}: ${o.articles}`);
      return {
        kind: "public",
        messages: packBlocks([head, ...lines], { title: "What I know", separator: "\n", limits }),
      };
    }
    case "briefing":
      return { kind: "public", messages: renderBriefing(reply.briefing, limits) };
    case "text": {
      if (reply.notice) return { kind: "notice", text: truncate(escapeMarkdown(reply.text), limits.content) };
      const examples = reply.examples ?? [];
      const blocks = [
        escapeMarkdown(reply.text),
        ...(examples.length > 0
          ? [`**Try asking**\n${examples.map((e) => `• ${escapeMarkdown(e)}`).join("\n")}`]
          : []),
      ];
      return { kind: "public", messages: packBlocks(blocks, { limits }) };
    }
  }
}
