// Day phrases resolved in different IANA zones against a fixed clock (no wall-clock dependence).
import { describe, expect, it } from "vitest";
import {
  addDays,
  DatePhraseError,
  localDate,
  localMinuteOfDay,
  resolveDayPhrase,
  zoneOffsetMinutes,
} from "../../src/core/date-phrase.js";
import type { Clock } from "../../src/core/ports.js";

const fixed = (iso: string): Clock => ({ now: () => new Date(iso) });
// Friday 13 March 2020, 23:30 UTC: already Saturday in Berlin and Tokyo, still Friday in New York.
const clock = fixed("2020-03-13T23:30:00Z");
const resolve = (phrase: string | undefined, timeZone: string) =>
  resolveDayPhrase(phrase, { clock, timeZone }).date;

describe("resolveDayPhrase", () => {
  it("defaults to today in the chat's zone", () => {
    expect(resolve(undefined, "UTC")).toBe("2020-03-13");
    expect(resolve("", "Europe/Berlin")).toBe("2020-03-14");
    expect(resolve("today", "America/New_York")).toBe("2020-03-13");
    expect(resolve("Today", "Asia/Tokyo")).toBe("2020-03-14");
  });

  it("resolves yesterday and weekday phrases relative to the local day", () => {
    expect(resolve("yesterday", "UTC")).toBe("2020-03-12");
    expect(resolve("yesterday", "Europe/Berlin")).toBe("2020-03-13");
    expect(resolve("last friday", "UTC")).toBe("2020-03-06");
    expect(resolve("last friday", "Europe/Berlin")).toBe("2020-03-13");
    expect(resolve("3 days ago", "America/Los_Angeles")).toBe("2020-03-10");
  });

  it("reads ISO dates and written dates the same in every zone", () => {
    for (const zone of ["UTC", "Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago"]) {
      expect(resolve("2019-10-10", zone)).toBe("2019-10-10");
      expect(resolve("12 March 2020", zone)).toBe("2020-03-12");
      expect(resolve("on March 12, 2020", zone)).toBe("2020-03-12");
    }
  });

  it("rejects phrases that are not a day, with a message that shows examples", () => {
    expect(() => resolve("banana", "UTC")).toThrow(DatePhraseError);
    expect(() => resolve("banana", "UTC")).toThrow(/could not read "banana" as a day\. Try today, yesterday/);
    expect(() => resolve("yesterday's weather in Paris", "UTC")).toThrow(/could not read/);
    expect(() => resolve("2020-02-30", "UTC")).toThrow(/not a calendar date/);
    expect(() => resolve("today", "Mars/Olympus")).toThrow(/Unknown time zone "Mars\/Olympus"/);
  });
});

describe("zone helpers", () => {
  it("follow daylight saving time", () => {
    expect(zoneOffsetMinutes(new Date("2020-01-15T12:00:00Z"), "Europe/Berlin")).toBe(60);
    expect(zoneOffsetMinutes(new Date("2020-07-15T12:00:00Z"), "Europe/Berlin")).toBe(120);
    expect(zoneOffsetMinutes(new Date("2020-07-15T12:00:00Z"), "America/New_York")).toBe(-240);
    expect(zoneOffsetMinutes(new Date("2020-07-15T12:00:00Z"), "Asia/Kolkata")).toBe(330);
  });

  it("give the local date and minute of day", () => {
    const at = new Date("2020-03-29T05:45:00Z"); // Berlin switched to CEST at 01:00 UTC that day
    expect(localDate(at, "Europe/Berlin")).toBe("2020-03-29");
    expect(localMinuteOfDay(at, "Europe/Berlin")).toBe(7 * 60 + 45);
    expect(localMinuteOfDay(at, "America/New_York")).toBe(1 * 60 + 45);
    expect(addDays("2020-02-28", 1)).toBe("2020-02-29");
    expect(addDays("2020-03-01", -1)).toBe("2020-02-29");
  });
});
