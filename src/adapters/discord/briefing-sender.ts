/**
 * Delivers scheduled daily briefings to Discord channels over REST (discord.js `REST`, so its rate-limit queue and
 * base URL apply). Unknown Channel (10003), Missing Access (50001) and "Cannot send messages to this user" (50007)
 * mean the channel is gone; any other API error response means nothing was posted (safe to retry); a network
 * failure after the request left means the message may have arrived (never retried).
 */
import { DiscordAPIError, type REST, Routes } from "discord.js";
import type { Briefing } from "../../core/briefing.js";
import type { ChatKey } from "../../infra/subscription-store.js";
import { type BriefingSender, DeliveryError } from "../../service/scheduler.js";
import { noMentions } from "./create-discord-bot.js";
import { renderReply } from "./render.js";

/** Discord JSON error codes after which the bot can never post in the channel again. */
export const GONE_CODES: ReadonlySet<number> = new Set([10003, 50001, 50007]);

export function createDiscordBriefingSender(rest: REST): BriefingSender {
  return {
    async send(target: ChatKey, briefing: Briefing) {
      const rendered = renderReply({ kind: "briefing", briefing });
      const messages =
        rendered.kind === "public" ? rendered.messages : [{ content: rendered.text, embeds: [] }];
      for (const [index, message] of messages.entries()) {
        try {
          await rest.post(Routes.channelMessages(target.chatId), {
            body: { content: message.content ?? "", embeds: message.embeds, allowed_mentions: noMentions },
          });
        } catch (error) {
          if (
            error instanceof DiscordAPIError &&
            typeof error.code === "number" &&
            GONE_CODES.has(error.code)
          ) {
            return "gone";
          }
          const delivered = error instanceof DiscordAPIError && index === 0 ? false : "unknown";
          const reason = error instanceof Error ? error.message : String(error);
          throw new DeliveryError(`Discord message failed: ${reason}`, delivered, { cause: error });
        }
      }
      return "sent";
    },
  };
}
