import { describe, expect, it } from "vitest";
import { locateQuote, verifyQuote } from "../../src/core/verify.js";

const article = {
  text: "Kelly said that “the State Department regularly reviews\nU.S. employees,” and left.",
};

describe("verifyQuote", () => {
  it("accepts the article text at its offsets, modulo whitespace and quote-mark style", () => {
    const start = article.text.indexOf("the State");
    const end = article.text.indexOf("employees") + "employees".length;
    expect(
      verifyQuote(article, { text: "the State Department regularly reviews U.S. employees", start, end }),
    ).toEqual({ ok: true });
  });

  it("rejects one changed word, wrong offsets and empty text", () => {
    const start = article.text.indexOf("the State");
    const end = article.text.indexOf("employees") + "employees".length;
    expect(
      verifyQuote(article, { text: "the State Department rarely reviews U.S. employees", start, end }).ok,
    ).toBe(false);
    expect(
      verifyQuote(article, {
        text: "the State Department regularly reviews U.S. employees",
        start: start + 1,
        end,
      }).ok,
    ).toBe(false);
    expect(verifyQuote(article, { text: " ", start, end }).ok).toBe(false);
    expect(verifyQuote(article, { text: "x", start: -1, end: 2 }).ok).toBe(false);
    expect(verifyQuote(article, { text: "x", start: 0, end: 10_000 }).ok).toBe(false);
  });
});

describe("locateQuote", () => {
  it("finds text across line breaks and curly quotes and returns offsets that verify", () => {
    const found = locateQuote(article.text, 'regularly reviews U.S. employees," and');
    expect(found).not.toBeNull();
    expect(verifyQuote(article, { text: 'regularly reviews U.S. employees," and', ...found! })).toEqual({
      ok: true,
    });
    expect(locateQuote(article.text, "not in the article")).toBeNull();
  });
});
