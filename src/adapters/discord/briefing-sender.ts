/**
 * Delivers scheduled daily briefings to Discord channels through the bot's REST client (sharing its rate-limit
 * queue). Maps Discord's answers onto the scheduler's contract: Unknown Channel (10003), Missing Access (50001) and
 * Cannot send messages to this user (50007, a DM whose user blocked the bot) mean the chat is gone; any other error *response* to the first message means nothing was posted (safe to
 * retry); a failure without a response, or after a part was posted, may have delivered something (never retried).
 */
import { DiscordAPIError, HTTPError, type REST, Routes } from "discord.js";
import type { Briefing } from "../../core/briefing.js";
import type { ChatKey } from "../../infra/subscription-store.js";
import { type BriefingSender, DeliveryError } from "../../service/scheduler.js";
import { type DiscordLimits, discordLimits, renderReply } from "./render.js";

/** Discord error codes that mean the bot can never post in that channel again. */
export const goneCodes: ReadonlySet<number | string> = new Set([10003, 50001, 50007]);

export function createDiscordBriefingSender(
  rest: REST,
  limits: DiscordLimits = discordLimits,
): BriefingSender {
  return {
    async send(target: ChatKey, briefing: Briefing) {
      const rendered = renderReply({ kind: "briefing", briefing }, limits);
      const messages =
        rendered.kind === "public" ? rendered.messages : [{ content: rendered.text, embeds: [] }];
      for (const [index, message] of messages.entries()) {
        try {
          await rest.post(Routes.channelMessages(target.chatId), {
            body: {
              content: message.content ?? "",
              embeds: message.embeds,
              // Raw API body (snake_case): no @everyone, role or user pings.
              allowed_mentions: { parse: [] },
            },
          });
        } catch (error) {
          if (error instanceof DiscordAPIError && goneCodes.has(error.code)) return "gone";
          const answered = error instanceof DiscordAPIError || error instanceof HTTPError;
          throw new DeliveryError(
            `Discord channel message failed: ${error instanceof Error ? error.message : String(error)}`,
            answered && index === 0 ? false : "unknown",
            { cause: error },
          );
        }
      }
      return "sent";
    },
  };
}
