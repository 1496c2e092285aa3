/**
 * The command-line interface: `npm run cli -- <command>`. Every command has `--help`.
 */
import { Command, CommanderError } from "commander";
import { isBriefingError } from "../core/errors.js";
import { registerAsk } from "./commands/ask.js";
import { registerBriefing } from "./commands/briefing.js";
import { registerChat } from "./commands/chat.js";
import { registerDiscordRegister } from "./commands/discord-register.js";
import { registerEval } from "./commands/eval.js";
import { registerIngest } from "./commands/ingest.js";

export function createProgram(): Command {
  const program = new Command()
    .name("briefing-bot")
    .description("Answers questions about the news with verbatim, cited quotes from the corpus.")
    .option("--data-dir <dir>", "where indexes and caches live (env DATA_DIR; default .data)")
    .option("-v, --verbose", "debug logging")
    .showHelpAfterError()
    .exitOverride();
  registerIngest(program);
  registerAsk(program);
  registerBriefing(program);
  registerChat(program);
  registerEval(program);
  registerDiscordRegister(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
  });
  try {
    await createProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isBriefingError(error)) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
