// Unit tests of slash-command generation from the shared command table.

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildSlashCommands, toSlashCommand } from "../../src/adapters/discord/register-commands.js";
import { type CommandDefinition, commandTable } from "../../src/commands/table.js";
import { isBriefingError } from "../../src/core/errors.js";

const command = (overrides: Partial<CommandDefinition>): CommandDefinition => ({
  name: "demo",
  description: "A demo command",
  options: [],
  args: z.object({}),
  asksQuestion: false,
  run: async () => ({ kind: "text", text: "demo" }),
  ...overrides,
});

describe("buildSlashCommands", () => {
  it("makes one chat-input command per table entry, usable in servers and in DMs with the bot", () => {
    const json = buildSlashCommands();
    expect(json.map((c) => c.name)).toEqual(commandTable.map((c) => c.name));
    for (const c of json) {
      expect(c).toMatchObject({ type: 1, contexts: [0, 1], integration_types: [0] });
      expect(c.description.length).toBeLessThanOrEqual(100);
    }
    expect(json.find((c) => c.name === "ask")?.options).toEqual([
      { type: 3, name: "question", description: "Your question", required: true, max_length: 1000 },
    ]);
  });

  it("puts required options before optional ones, as Discord requires", () => {
    const json = toSlashCommand(
      command({
        options: [
          { name: "zone", description: "optional", required: false },
          { name: "time", description: "required", required: true },
        ],
      }),
    );
    expect(json.options?.map((o) => o.name)).toEqual(["time", "zone"]);
  });

  it("rejects names and descriptions Discord would refuse, naming the command", () => {
    const badName = () => toSlashCommand(command({ name: "Ask Me" }));
    expect(badName).toThrow(/"Ask Me" is not a valid Discord command name/);
    const longDescription = () => toSlashCommand(command({ description: "x".repeat(101) }));
    expect(longDescription).toThrow(/Description of \/demo must be 1-100 characters/);
    try {
      badName();
    } catch (error) {
      expect(isBriefingError(error, "INTERNAL")).toBe(true);
    }
  });
});
