/**
 * Delivers scheduled daily briefings to Telegram chats through the bot's `Api` (so it shares the bot's retry and
 * throttling). Maps Telegram's answers onto the scheduler's contract: 403 (blocked, kicked) and "chat not found"
 * mean the chat is gone; any other error *response* means nothing was posted (safe to retry); a network failure
 * after the request left means the message may have arrived (never retried).
 */
import { type Api, GrammyError, HttpError } from "grammy";
import type { Briefing } from "../../core/briefing.js";
import type { ChatKey } from "../../infra/subscription-store.js";
import { type BriefingSender, DeliveryError } from "../../service/scheduler.js";
import { renderReply } from "./render.js";

/** True for Telegram errors that mean the bot can never post in that chat again. */
export function isChatGone(error: GrammyError): boolean {
  return (
    error.error_code === 403 ||
    (error.error_code === 400 &&
      /chat not found|group chat was (?:deleted|upgraded)/i.test(error.description))
  );
}

export function createTelegramBriefingSender(api: Api): BriefingSender {
  return {
    async send(target: ChatKey, briefing: Briefing) {
      const messages = renderReply({ kind: "briefing", briefing });
      for (const [index, html] of messages.entries()) {
        try {
          await api.sendMessage(target.chatId, html, {
            parse_mode: "HTML",
            link_preview_options: { is_disabled: true },
          });
        } catch (error) {
          if (error instanceof GrammyError && isChatGone(error)) return "gone";
          // Only a rejected *first* part proves the chat got nothing; later parts follow a delivered one.
          const delivered = error instanceof GrammyError && index === 0 ? false : "unknown";
          const reason =
            error instanceof GrammyError || error instanceof HttpError ? error.message : String(error);
          throw new DeliveryError(`Telegram sendMessage failed: ${reason}`, delivered, { cause: error });
        }
      }
      return "sent";
    },
  };
}
