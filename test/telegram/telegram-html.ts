/**
 * A strict parser for Telegram's `parse_mode: "HTML"`, used by the fake Bot API server: it turns a message into
 * what the user sees (plain text plus entities) and rejects malformed markup the way Telegram does
 * ("can't parse entities"). Stricter than Telegram in one way: a bare `&` or `>` is an error, so any escaping
 * slip in the bot fails a test instead of slipping through.
 */

export interface MessageEntity {
  readonly type: string;
  /** UTF-16 offset into the text, as Telegram counts. */
  readonly offset: number;
  readonly length: number;
  readonly url?: string;
}

export type ParsedHtml =
  | { readonly ok: true; readonly text: string; readonly entities: MessageEntity[] }
  | { readonly ok: false; readonly description: string };

const tagTypes: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  span: "spoiler",
  a: "text_link",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  "tg-emoji": "custom_emoji",
};

const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

function decodeEntity(source: string, at: number): { char: string; next: number } | null {
  const match = /^&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/i.exec(source.slice(at, at + 12));
  if (!match) return null;
  const body = match[1]!;
  let char: string | undefined;
  if (body.startsWith("#x") || body.startsWith("#X"))
    char = String.fromCodePoint(Number.parseInt(body.slice(2), 16));
  else if (body.startsWith("#")) char = String.fromCodePoint(Number.parseInt(body.slice(1), 10));
  else char = named[body.toLowerCase()];
  return char === undefined ? null : { char, next: at + match[0].length };
}

function decodeAll(value: string): string | null {
  let out = "";
  for (let i = 0; i < value.length; ) {
    if (value[i] === "&") {
      const decoded = decodeEntity(value, i);
      if (!decoded) return null;
      out += decoded.char;
      i = decoded.next;
    } else {
      out += value[i];
      i++;
    }
  }
  return out;
}

interface Open {
  readonly name: string;
  readonly type: string;
  readonly offset: number;
  readonly url?: string;
}

/** Parses Telegram HTML into text and entities, or returns Telegram's error description. */
export function parseTelegramHtml(html: string): ParsedHtml {
  const fail = (why: string): ParsedHtml => ({
    ok: false,
    description: `Bad Request: can't parse entities: ${why}`,
  });
  let text = "";
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i]!;
    if (ch === "&") {
      const decoded = decodeEntity(html, i);
      if (!decoded) return fail(`unsupported entity at byte offset ${i}`);
      text += decoded.char;
      i = decoded.next;
      continue;
    }
    if (ch === ">") return fail(`unexpected ">" at byte offset ${i}`);
    if (ch !== "<") {
      text += ch;
      i++;
      continue;
    }
    const end = html.indexOf(">", i);
    if (end < 0) return fail(`unclosed start tag at byte offset ${i}`);
    const raw = html.slice(i + 1, end);
    i = end + 1;
    if (raw.startsWith("/")) {
      const name = raw.slice(1).trim().toLowerCase();
      const open = stack.pop();
      if (!open || open.name !== name) return fail(`unmatched end tag "${name}"`);
      const length = text.length - open.offset;
      if (length > 0) {
        entities.push({
          type: open.type,
          offset: open.offset,
          length,
          ...(open.url !== undefined ? { url: open.url } : {}),
        });
      }
      continue;
    }
    const tag = /^([a-z-]+)((?:\s+[a-z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*$/i.exec(raw);
    if (!tag) return fail(`unsupported start tag "${raw.slice(0, 20)}"`);
    const name = tag[1]!.toLowerCase();
    let type = tagTypes[name];
    if (type === undefined) return fail(`unsupported start tag "${name}"`);
    const attributes = new Map<string, string>();
    for (const attr of tag[2]!.matchAll(/([a-z-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/gi)) {
      const rawValue = attr[2] ?? "";
      const unquoted = /^["']/.test(rawValue) ? rawValue.slice(1, -1) : rawValue;
      const value = decodeAll(unquoted);
      if (value === null) return fail(`bad entity in attribute of "${name}"`);
      attributes.set(attr[1]!.toLowerCase(), value);
    }
    let url: string | undefined;
    if (name === "a") {
      url = attributes.get("href");
      if (url === undefined || url === "") return fail('"a" tag without href');
      try {
        new URL(url);
      } catch {
        return fail(`wrong HTTP URL "${url}"`);
      }
    }
    if (name === "span" && attributes.get("class") !== "tg-spoiler")
      return fail("span without tg-spoiler class");
    if (name === "blockquote") {
      if (stack.some((o) => o.name === "blockquote")) return fail("blockquotes can't be nested");
      if (attributes.has("expandable")) type = "expandable_blockquote";
    }
    stack.push({ name, type, offset: text.length, ...(url !== undefined ? { url } : {}) });
  }
  const unclosed = stack.pop();
  if (unclosed) return fail(`can't find end tag corresponding to start tag "${unclosed.name}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { ok: true, text, entities };
}

/** The substring an entity covers. */
export function entityText(text: string, entity: MessageEntity): string {
  return text.slice(entity.offset, entity.offset + entity.length);
}
