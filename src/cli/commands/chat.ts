/**
 * `chat`: the terminal chat over the corpus.
 */
import type { Command } from "commander";
import { runTerminalChat } from "../../adapters/terminal/chat.js";
import { cliContext, openServiceForCli } from "../context.js";

export function registerChat(program: Command): void {
  program
    .command("chat")
    .description("Chat in the terminal: type a question, get quotes; /help lists commands")
    .action(async (_opts: unknown, command: Command) => {
      const context = cliContext(command);
      const service = await openServiceForCli(context);
      await runTerminalChat(service, { logger: context.logger });
      await service.close();
    });
}
