/**
 * `briefing [day]`: the daily briefing of a day phrase (today, yesterday, 2019-10-10, "last friday") as text, or
 * as JSON with `--json` (`{date, stories: [{n, lead, quote|sentence, speaker, role, article, start, end}], coverage, …}`).
 */
import { type Command, InvalidArgumentError } from "commander";
import { renderBriefingText } from "../../core/briefing.js";
import { isValidTimeZone } from "../../core/date-phrase.js";
import { BriefingError } from "../../core/errors.js";
import { cliContext, openServiceForCli } from "../context.js";

export function registerBriefing(program: Command): void {
  program
    .command("briefing")
    .description("The day's top stories, each with one verbatim, cited quote (default: today)")
    .argument("[day...]", "today, yesterday, 2019-10-10, last friday, 12 March 2020")
    .option("--json", "print the briefing as JSON")
    .option(
      "--tz <zone>",
      "IANA time zone the day is resolved in (default BRIEFING_TZ, else UTC)",
      (value) => {
        if (!isValidTimeZone(value)) throw new InvalidArgumentError(`unknown time zone "${value}"`);
        return value;
      },
    )
    .action(async (day: string[], opts: { json?: boolean; tz?: string }, command: Command) => {
      const context = cliContext(command);
      const service = await openServiceForCli(context);
      try {
        if (!service.brief) throw new BriefingError("INTERNAL", "This service has no briefings.");
        const phrase = day.join(" ").trim();
        const briefing = await service.brief(
          phrase === "" ? undefined : phrase,
          opts.tz ? { tz: opts.tz } : {},
        );
        process.stdout.write(
          opts.json ? `${JSON.stringify(briefing, null, 2)}\n` : `${renderBriefingText(briefing)}\n`,
        );
      } finally {
        await service.close();
      }
    });
}
