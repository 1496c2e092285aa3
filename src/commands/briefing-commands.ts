/**
 * The briefing commands of the shared command table: /briefing [day], /subscribe HH:MM [zone], /unsubscribe,
 * /subscriptions, and `/ask <n>` for more quotes of story n of the chat's last briefing. Kept out of table.ts so
 * the table stays a short list; every platform gets these from the same definitions.
 */
import { z } from "zod";
import { formatDay } from "../core/briefing.js";
import { DatePhraseError, isValidTimeZone } from "../core/date-phrase.js";
import { isBriefingError } from "../core/errors.js";
import { formatTimeOfDay, parseTimeOfDay } from "../service/scheduler.js";
import type { CommandContext, CommandDefinition, CommandReply } from "./table.js";

const chatKey = (context: CommandContext) => `${context.platform}:${context.chatId}`;

const define = <A extends Record<string, unknown>>(definition: CommandDefinition<A>) =>
  definition as unknown as CommandDefinition;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .optional()
    .transform((v) => (v === undefined || v === "" ? undefined : v));

const NOT_AVAILABLE: CommandReply = { kind: "text", text: "Daily briefings are not available on this bot." };
const NO_SUBSCRIPTIONS: CommandReply = {
  kind: "text",
  text: "Subscriptions are not available on this bot (it runs without its database).",
};
const NOT_ALLOWED: CommandReply = {
  kind: "text",
  text: "Only members with the Manage Server permission can change this channel's daily briefing.",
  notice: true,
};

/** `/subscribe` takes "07:30 Europe/Berlin" as one text (Telegram, terminal) or as two options (Discord). */
const subscribeArgs = z
  .object({
    time: z.string({ error: "time is required" }).trim().min(1, "time is required"),
    zone: optionalText(64),
  })
  .transform(({ time, zone }) => {
    const [first = "", ...rest] = time.split(/\s+/);
    return { time: first, zone: zone ?? (rest.length > 0 ? rest.join(" ") : undefined) };
  });

export const briefingCommands: readonly CommandDefinition[] = [
  define({
    name: "briefing",
    description:
      "The day's top stories with a verbatim quote each: today, yesterday, 2019-10-10, last friday",
    options: [
      {
        name: "day",
        description: "today (default), yesterday, 2019-10-10, last friday",
        required: false,
        maxLength: 60,
      },
    ],
    args: z.object({ day: optionalText(60) }),
    asksQuestion: true,
    run: async ({ day }, context) => {
      if (!context.service.brief) return NOT_AVAILABLE;
      const tz = context.subscriptions?.get(context)?.timeZone ?? context.timeZone;
      try {
        const briefing = await context.service.brief(day, { ...(tz ? { tz } : {}), chat: chatKey(context) });
        return { kind: "briefing", briefing };
      } catch (error) {
        if (error instanceof DatePhraseError) return { kind: "text", text: error.message };
        throw error;
      }
    },
  }),
  define({
    name: "subscribe",
    description: "Get the daily briefing here every day at HH:MM, e.g. 07:30 Europe/Berlin",
    options: [
      { name: "time", description: "Local time HH:MM (24 h), e.g. 07:30", required: true, maxLength: 80 },
      {
        name: "zone",
        description: "IANA time zone, e.g. Europe/Berlin (default: the bot's)",
        required: false,
        maxLength: 64,
      },
    ],
    args: subscribeArgs,
    asksQuestion: false,
    run: async ({ time, zone }, context) => {
      if (!context.subscriptions) return NO_SUBSCRIPTIONS;
      if (context.canManage === false) return NOT_ALLOWED;
      const minutes = parseTimeOfDay(time);
      if (minutes === null) {
        return {
          kind: "text",
          text: `"${time}" is not a time. Use HH:MM (24 h), e.g. /subscribe 07:30 Europe/Berlin`,
        };
      }
      const timeZone = zone ?? context.timeZone ?? "UTC";
      if (!isValidTimeZone(timeZone)) {
        return {
          kind: "text",
          text: `"${timeZone}" is not a time zone I know. Use an IANA name such as Europe/Berlin or America/New_York.`,
        };
      }
      const sub = context.subscriptions.subscribe(
        {
          platform: context.platform,
          chatId: context.chatId,
          time: formatTimeOfDay(minutes),
          timeZone,
          createdBy: context.userId,
        },
        new Date(),
      );
      return {
        kind: "text",
        text: `Subscribed: the daily briefing will arrive here every day at ${sub.time} (${sub.timeZone}). /unsubscribe stops it.`,
      };
    },
  }),
  define({
    name: "unsubscribe",
    description: "Stop the daily briefing in this chat",
    options: [],
    args: z.object({}),
    asksQuestion: false,
    run: async (_args, context) => {
      if (!context.subscriptions) return NO_SUBSCRIPTIONS;
      if (context.canManage === false) return NOT_ALLOWED;
      const removed = context.subscriptions.unsubscribe(context);
      return {
        kind: "text",
        text: removed
          ? "Unsubscribed: no more daily briefings here."
          : "This chat has no daily briefing to stop.",
      };
    },
  }),
  define({
    name: "subscriptions",
    description: "Show this chat's daily briefing time",
    options: [],
    args: z.object({}),
    asksQuestion: false,
    run: async (_args, context) => {
      if (!context.subscriptions) return NO_SUBSCRIPTIONS;
      const sub = context.subscriptions.get(context);
      return {
        kind: "text",
        text: sub
          ? `Daily briefing here every day at ${sub.time} (${sub.timeZone}). /unsubscribe stops it.`
          : "No daily briefing in this chat. Start one with /subscribe 07:30 Europe/Berlin",
      };
    },
  }),
];

/**
 * `/ask 2` right after a briefing means "more quotes of story 2": returns that reply, or null when the question is
 * not a bare story number (or the service has no briefings), so /ask answers it as a question.
 */
export async function storyDetailsReply(
  question: string,
  context: CommandContext,
): Promise<CommandReply | null> {
  const m = /^#?(\d{1,2})$/.exec(question.trim());
  if (!m || !context.service.storyDetails) return null;
  const n = Number(m[1]);
  const tz = context.timeZone;
  try {
    const details = await context.service.storyDetails(n, {
      chat: chatKey(context),
      limit: 3,
      ...(tz ? { tz } : {}),
    });
    const lead = `Story ${n} of ${formatDay(details.date)}: ${details.lead}`;
    return { kind: "answer", question, answer: { refused: false, lead, quotes: details.quotes } };
  } catch (error) {
    if (isBriefingError(error, "NOT_FOUND")) return { kind: "text", text: error.message };
    throw error;
  }
}
