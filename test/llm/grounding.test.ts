// Unit tests of groundDraft: only text verbatim in the cited passage is shown, rendered from the article.
import { describe, expect, it } from "vitest";
import { groundDraft } from "../../src/core/grounding.js";
import type { ModelDraft } from "../../src/core/ports.js";
import { llmFixture } from "./fixtures.js";

const f = llmFixture();
const kelly = f.passageWith("Annie Kelly");
const first = f.passageWith("considering withdrawing");
const kellyText = "the State Department regularly reviews U.S. employees stationed abroad";

function draft(partial: Partial<ModelDraft>): ModelDraft {
  return {
    answer: "The US is reviewing its staff in Iraq.",
    claims: [{ text: "The US is reviewing its staff in Iraq.", passageIds: [kelly.id] }],
    quotes: [{ passageId: kelly.id, text: kellyText }],
    ...partial,
  };
}

describe("groundDraft", () => {
  it("shows a faithful quote as the article's text at verified offsets, with the indexed speaker", () => {
    const { grounded, dropped } = groundDraft(draft({}), f.evidence, f.articles, f.quotes);
    expect(dropped).toEqual([]);
    expect(grounded?.lead).toBe("The US is reviewing its staff in Iraq.");
    const [quote] = grounded?.quotes ?? [];
    expect(quote?.text).toBe(kellyText);
    expect(f.seed.text.slice(quote!.start, quote!.end)).toBe(quote!.text);
    expect(quote).toMatchObject({
      speaker: "Annie Kelly",
      role: "White House Spokesperson",
      direct: true,
      article: { id: f.seed.id, title: f.seed.title, source: "Reuters", date: "2025-06-12" },
    });
  });

  it("renders from the article, not the model's string, when only whitespace and quote style differ", () => {
    const sloppy = "the  State Department\nregularly reviews U.S. employees stationed abroad";
    const { grounded } = groundDraft(
      draft({ quotes: [{ passageId: kelly.id, text: sloppy }] }),
      f.evidence,
      f.articles,
    );
    expect(grounded?.quotes[0]?.text).toBe(kellyText);
    expect(grounded?.quotes[0]?.speaker).toBeNull();
  });

  it("drops an invented quote and, with no claim left, returns nothing", () => {
    const invented = "the State Department will close the embassy in Baghdad tomorrow";
    const { grounded, dropped } = groundDraft(
      draft({ quotes: [{ passageId: kelly.id, text: invented }] }),
      f.evidence,
      f.articles,
    );
    expect(grounded).toBeNull();
    expect(dropped).toContainEqual(
      expect.objectContaining({ kind: "quote", text: invented, reason: "not verbatim in the cited passage" }),
    );
    expect(dropped).toContainEqual(expect.objectContaining({ kind: "claim" }));
  });

  it("drops a real quote that cites the wrong passage", () => {
    const { grounded, dropped } = groundDraft(
      draft({ quotes: [{ passageId: first.id, text: kellyText }] }),
      f.evidence,
      f.articles,
    );
    expect(grounded).toBeNull();
    expect(dropped[0]?.reason).toBe(`not in the cited passage (found in ${kelly.id})`);
  });

  it("drops a quote with one word altered", () => {
    const altered = kellyText.replace("regularly", "rarely");
    const { grounded, dropped } = groundDraft(
      draft({ quotes: [{ passageId: kelly.id, text: altered }] }),
      f.evidence,
      f.articles,
    );
    expect(grounded).toBeNull();
    expect(dropped[0]).toMatchObject({ kind: "quote", text: altered });
  });

  it("drops a passage id that was never given", () => {
    const { grounded, dropped } = groundDraft(
      draft({ quotes: [{ passageId: "other-article#0", text: kellyText }] }),
      f.evidence,
      f.articles,
    );
    expect(grounded).toBeNull();
    expect(dropped[0]?.reason).toBe("cites a passage id that was not given");
  });

  it("keeps verified quotes, drops the unsupported claim, and builds the lead from the surviving claims", () => {
    const { grounded, dropped } = groundDraft(
      {
        answer: "The US is pulling staff and Iran surrendered.",
        claims: [
          { text: "The US is considering pulling some embassy staff.", passageIds: [first.id] },
          { text: "Iran surrendered.", passageIds: [f.passageWith("nuclear negotiations").id] },
        ],
        quotes: [
          {
            passageId: first.id,
            text: "it is considering withdrawing some of its embassy staff in Iraq",
          },
          { passageId: f.passageWith("nuclear negotiations").id, text: "Iran has surrendered to the US" },
        ],
      },
      f.evidence,
      f.articles,
    );
    expect(grounded?.lead).toBe("The US is considering pulling some embassy staff.");
    expect(grounded?.quotes.map((q) => q.text)).toEqual([
      "it is considering withdrawing some of its embassy staff in Iraq",
    ]);
    expect(dropped.map((d) => d.kind).sort()).toEqual(["claim", "quote"]);
  });

  it("rejects a lead that puts quotation marks around unverified text", () => {
    const { grounded, dropped } = groundDraft(
      draft({ answer: 'Kelly said the embassy "was closed for good".' }),
      f.evidence,
      f.articles,
    );
    expect(grounded).toBeNull();
    expect(dropped).toContainEqual(
      expect.objectContaining({ kind: "lead", reason: "lead quotes unverified text: was closed for good" }),
    );
  });

  it("re-renders quoted words in the lead from the article when they are verbatim there", () => {
    const { grounded } = groundDraft(
      draft({ answer: "Kelly said staff are “regularly  reviewed”—no: ‘regularly reviews U.S. employees’." }),
      f.evidence,
      f.articles,
    );
    // "regularly  reviewed" is not in the article, so the whole lead is rejected.
    expect(grounded).toBeNull();
    const ok = groundDraft(
      draft({ answer: "Kelly said the department ‘regularly reviews U.S.  employees’ abroad." }),
      f.evidence,
      f.articles,
    );
    expect(ok.grounded?.lead).toBe("Kelly said the department ‘regularly reviews U.S. employees’ abroad.");
  });

  it("rejects a lead with unbalanced quotation marks or a link", () => {
    for (const answer of ['Kelly said "the embassy is fine.', "See https://example.com for more."]) {
      const { grounded, dropped } = groundDraft(draft({ answer }), f.evidence, f.articles);
      expect(grounded).toBeNull();
      expect(dropped.at(-1)?.kind).toBe("lead");
    }
  });

  it("keeps apostrophes in a lead", () => {
    const { grounded } = groundDraft(
      draft({ answer: "Iraq's government and the embassy's staff are under review." }),
      f.evidence,
      f.articles,
    );
    expect(grounded?.lead).toBe("Iraq's government and the embassy's staff are under review.");
  });

  it("strips the article's quotation marks around an excerpt and keeps at most three quotes", () => {
    const reuters = f.passageWith("Reuters analyzed");
    const quoted =
      '"the withdrawal measures were taken as tensions in the Middle East escalated 18 months after the outbreak of war in Gaza."';
    const { grounded, dropped } = groundDraft(
      {
        answer: "Tensions rose.",
        claims: [{ text: "Tensions rose.", passageIds: [reuters.id, kelly.id, first.id] }],
        quotes: [
          { passageId: reuters.id, text: quoted },
          { passageId: kelly.id, text: kellyText },
          { passageId: first.id, text: "considering withdrawing some of its embassy staff" },
          { passageId: first.id, text: "The United States has confirmed" },
        ],
      },
      f.evidence,
      f.articles,
    );
    expect(grounded?.quotes[0]?.text).toBe(quoted.slice(1, -1));
    expect(grounded?.quotes).toHaveLength(3);
    expect(dropped).toEqual([expect.objectContaining({ reason: "more than 3 quotes" })]);
  });

  it("drops a quote of fewer than three words", () => {
    const { grounded, dropped } = groundDraft(
      draft({ quotes: [{ passageId: kelly.id, text: "Annie Kelly" }] }),
      f.evidence,
      f.articles,
    );
    expect(grounded).toBeNull();
    expect(dropped[0]?.reason).toBe("fewer than 3 words");
  });
});
