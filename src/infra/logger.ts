/**
 * A small leveled logger writing one line per event to stderr (stdout stays clean for answers and JSON).
 */
import type { Logger } from "../core/ports.js";

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof levels;

export function createLogger(
  level: LogLevel = "info",
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const min = levels[level];
  const log = (at: LogLevel) => (message: string, context?: Record<string, unknown>) => {
    if (levels[at] < min) return;
    const extra = context && Object.keys(context).length > 0 ? ` ${JSON.stringify(context)}` : "";
    write(`[${at}] ${message}${extra}`);
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
