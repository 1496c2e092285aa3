/**
 * Day phrases for `/briefing [day]`: `today`, `yesterday`, ISO dates, `last friday`, `12 March 2020`, resolved
 * to a local calendar day in an IANA time zone at the instant a `Clock` gives. Also the small time-zone helpers
 * the scheduler shares (local date and wall time of an instant), built on `Intl` so no wall clock is read here.
 */
import * as chrono from "chrono-node";
import { BriefingError } from "./errors.js";
import type { Clock } from "./ports.js";

/** The local wall-clock fields of an instant in a time zone. */
export interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `timeZone` is an IANA zone name this runtime knows (e.g. `Europe/Berlin`, `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === "") return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of `instant` in `timeZone`. Throws `BAD_INPUT` for an unknown zone. */
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  if (!isValidTimeZone(timeZone)) {
    throw new BriefingError(
      "BAD_INPUT",
      `Unknown time zone "${timeZone}". Use an IANA name like Europe/Berlin.`,
      {
        context: { timeZone },
      },
    );
  }
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? 0,
    month: fields.month ?? 0,
    day: fields.day ?? 0,
    hour: (fields.hour ?? 0) % 24,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

/** The zone's offset from UTC in minutes at `instant` (Berlin in winter: 60). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `YYYY-MM-DD` of `instant` in `timeZone`: the chat's "today". */
export function localDate(instant: Date, timeZone: string): string {
  const p = zonedParts(instant, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** Minutes since local midnight of `instant` in `timeZone`. */
export function localMinuteOfDay(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  return p.hour * 60 + p.minute;
}

/** Adds `days` to an ISO date (`YYYY-MM-DD`), calendar arithmetic in UTC so no zone can shift it. */
export function addDays(isoDate: string, days: number): string {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** A resolved day phrase. */
export interface ResolvedDay {
  /** `YYYY-MM-DD` in the requested zone. */
  readonly date: string;
  /** The zone the phrase was resolved in. */
  readonly timeZone: string;
  /** The phrase as understood (`today` when none was given). */
  readonly phrase: string;
}

/** Thrown (code `BAD_INPUT`) for a phrase that is not a day; the message is safe to show a user. */
export class DatePhraseError extends BriefingError {
  override readonly name = "DatePhraseError";
}

const EXAMPLES = "Try today, yesterday, 2019-10-10, last friday or 12 March 2020.";
const FILLER = /^(?:on|for|the|of|briefing|day|,|\.|\s)*$/i;

/**
 * Resolves a day phrase to a calendar day in `timeZone`, relative to `clock.now()`.
 * Relative phrases ("yesterday", "last friday") depend on the zone: at 00:30 Saturday in Berlin it is still
 * Friday in New York. The whole phrase must be a date (nothing left over but filler such as "on"), so
 * "yesterday's weather" or "banana" is rejected instead of silently read as some day.
 */
export function resolveDayPhrase(
  phrase: string | undefined,
  options: { readonly clock: Clock; readonly timeZone: string },
): ResolvedDay {
  const { clock, timeZone } = options;
  if (!isValidTimeZone(timeZone)) {
    throw new DatePhraseError(
      "BAD_INPUT",
      `Unknown time zone "${timeZone}". Use an IANA name like Europe/Berlin.`,
      {
        context: { timeZone },
      },
    );
  }
  const text = (phrase ?? "").trim().replace(/\s+/g, " ");
  const now = clock.now();
  if (text === "" || /^today$/i.test(text)) {
    return { date: localDate(now, timeZone), timeZone, phrase: "today" };
  }
  if (text.length > 60) {
    throw new DatePhraseError("BAD_INPUT", `That is too long for a day. ${EXAMPLES}`, {
      context: { phrase },
    });
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    if (!isIsoDate(text)) {
      throw new DatePhraseError("BAD_INPUT", `${text} is not a calendar date. ${EXAMPLES}`, {
        context: { phrase },
      });
    }
    return { date: text, timeZone, phrase: text };
  }
  const reference = { instant: now, timezone: zoneOffsetMinutes(now, timeZone) };
  const results = chrono.parse(text, reference, { forwardDate: false });
  const first = results[0];
  const leftover = first ? text.slice(0, first.index) + text.slice(first.index + first.text.length) : text;
  const year = first?.start.get("year");
  const month = first?.start.get("month");
  const day = first?.start.get("day");
  if (!first || results.length > 1 || !FILLER.test(leftover) || !year || !month || !day) {
    throw new DatePhraseError("BAD_INPUT", `I could not read "${text}" as a day. ${EXAMPLES}`, {
      context: { phrase },
    });
  }
  return { date: `${pad(year, 4)}-${pad(month)}-${pad(day)}`, timeZone, phrase: text };
}
