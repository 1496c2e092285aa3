import { describe, expect, it } from "vitest";
import { analyzeQuestion, findDate, isSmallTalk } from "../../src/core/question.js";

describe("analyzeQuestion", () => {
  it("recognises requests for someone's words and drops the framing words from the topic", () => {
    const a = analyzeQuestion("What did the White House say about pulling embassy staff out of Iraq?");
    expect(a.wantsQuote).toBe(true);
    expect(a.kind).toBe("quote");
    expect(a.terms).toEqual(expect.arrayContaining(["whit", "hous", "pull", "embassy", "staff", "iraq"]));
    expect(a.terms).not.toContain("say");
  });

  it("tells number, time and place questions apart", () => {
    expect(analyzeQuestion("How many stores are included in the deal?").kind).toBe("number");
    expect(analyzeQuestion("When did the census last ask about citizenship?").kind).toBe("when");
    expect(analyzeQuestion("Where was Humberto located?").kind).toBe("where");
    expect(analyzeQuestion("Who won the final?").kind).toBe("who");
  });

  it("reads dates in several formats", () => {
    expect(findDate("per the report of December 26, 2020?")).toBe("2020-12-26");
    expect(findDate("according to the news of 2 October 2019")).toBe("2019-10-02");
    expect(findDate("reported on 2019-10-07?")).toBe("2019-10-07");
    expect(findDate("in early March 2020")).toBeNull();
    expect(analyzeQuestion("What happened in March 2020?").years).toEqual([2020]);
  });
});

describe("isSmallTalk", () => {
  it("tells greetings and thanks from questions that start with one", () => {
    for (const t of ["hello", "Hi there!", "thanks", "Thank you.", "good morning", "how are you?"]) {
      expect(isSmallTalk(t)).toBe(true);
    }
    for (const t of [
      "Hello, what did Trump say about the election?",
      "Who won the election?",
      "Thanks to whom?",
    ]) {
      expect(isSmallTalk(t)).toBe(false);
    }
  });
});
