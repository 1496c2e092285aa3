/**
 * Test helpers that read Discord output the way a user sees it: limits checked independently of the renderer,
 * and markdown escapes removed to recover the visible text.
 */
import type { APIEmbed } from "discord.js";

/** Discord's documented limits, restated here so the tests do not trust the renderer's own constants. */
const limits = {
  content: 2000,
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footer: 2048,
  total: 6000,
  embeds: 10,
};

/** Every way a message body can break Discord's limits, as readable strings; empty when valid. */
export function limitViolations(message: { content?: unknown; embeds?: unknown }): string[] {
  const problems: string[] = [];
  const content = typeof message.content === "string" ? message.content : "";
  const embeds = (Array.isArray(message.embeds) ? message.embeds : []) as APIEmbed[];
  if (content.length > limits.content) problems.push(`content ${content.length}`);
  if (embeds.length > limits.embeds) problems.push(`${embeds.length} embeds`);
  let total = 0;
  for (const [i, e] of embeds.entries()) {
    const fields = e.fields ?? [];
    if ((e.title?.length ?? 0) > limits.title) problems.push(`embed ${i} title`);
    if ((e.description?.length ?? 0) > limits.description) problems.push(`embed ${i} description`);
    if ((e.footer?.text.length ?? 0) > limits.footer) problems.push(`embed ${i} footer`);
    if (fields.length > limits.fields) problems.push(`embed ${i} has ${fields.length} fields`);
    for (const f of fields) {
      if (f.name.length > limits.fieldName || f.value.length > limits.fieldValue)
        problems.push(`embed ${i} field`);
    }
    total +=
      (e.title?.length ?? 0) +
      (e.description?.length ?? 0) +
      (e.footer?.text.length ?? 0) +
      (e.author?.name.length ?? 0) +
      fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  }
  if (total > limits.total) problems.push(`embeds total ${total}`);
  return problems;
}

/** The text a user reads: markdown backslash escapes and zero-width spaces removed. */
export function visible(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, "$1").replace(/\u200b/g, "");
}

/** All embed descriptions of the given message bodies, joined. */
export function descriptions(messages: readonly { embeds: readonly Record<string, unknown>[] }[]): string {
  return messages
    .flatMap((m) => m.embeds.map((e) => (typeof e.description === "string" ? e.description : "")))
    .join("\n\n");
}
