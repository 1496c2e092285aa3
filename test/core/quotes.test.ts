// Quote and speaker extraction: the seed article's statements, real Wikinews quotes (test/fixtures), and the
// speaker matcher the answer layer uses for "What did X say…" questions.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { extractQuotes, normalizeSpeaker, speakerMatches } from "../../src/core/quotes.js";
import type { Article, QuoteRecord } from "../../src/core/types.js";

const here = new URL(".", import.meta.url);

function seedArticle(): Article {
  const raw = readFileSync(new URL("../../corpus/seed-iraq-embassy.md", here), "utf8");
  const text = raw.replace(/^---\n[\s\S]*?\n---\n/, "");
  return {
    id: "seed-iraq-embassy",
    title: "seed",
    date: "2025-06-12",
    source: "Reuters",
    url: null,
    license: null,
    text,
  };
}

const fixtures = new Map<string, Article>(
  readFileSync(new URL("../fixtures/wikinews-quotes.jsonl", here), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Article)
    .map((a) => [a.id, a]),
);

function wikinews(idPrefix: string): Article {
  const article = [...fixtures.values()].find((a) => a.id.startsWith(idPrefix));
  if (!article) throw new Error(`fixture ${idPrefix} missing`);
  return article;
}

function article(text: string, id = "t"): Article {
  return { id, title: id, date: null, source: null, url: null, license: null, text };
}

/** The record whose quoted text contains `fragment`. */
function quoteWith(records: readonly QuoteRecord[], fragment: string): QuoteRecord {
  const found = records.find((r) => r.text.includes(fragment));
  if (!found) throw new Error(`no quote containing ${JSON.stringify(fragment)}`);
  return found;
}

function expectOffsets(a: Article, records: readonly QuoteRecord[]): void {
  for (const r of records) {
    expect(a.text.slice(r.start, r.end)).toBe(r.text);
    expect(r.sentence.start).toBeLessThanOrEqual(r.start);
    expect(r.sentence.end).toBeGreaterThanOrEqual(r.end);
    expect(r.articleId).toBe(a.id);
  }
}

describe("extractQuotes on the seed article", () => {
  const seed = seedArticle();
  const quotes = extractQuotes(seed);

  it("finds the seven quoted passages, each verbatim at its offsets", () => {
    expect(quotes).toHaveLength(7);
    expectOffsets(seed, quotes);
    expect(quotes.map((q) => q.id)).toEqual(quotes.map((_, i) => `seed-iraq-embassy~${i}`));
  });

  it("attributes the two 'Reuters reported … citing officials' quotes to Reuters", () => {
    const first = quoteWith(quotes, "the State Department is planning a systematic withdrawal");
    const second = quoteWith(quotes, "withdrawal will proceed through normal routes");
    expect([first.speaker, first.role]).toEqual(["Reuters", null]);
    expect([second.speaker, second.role]).toEqual(["Reuters", null]);
  });

  it("gives Annie Kelly her role from the words before her name", () => {
    const kelly = quoteWith(quotes, "regularly reviews U.S. employees stationed abroad");
    expect(kelly.text).toBe(
      "the State Department regularly reviews U.S. employees stationed abroad, and this decision came from recent reviews.",
    );
    expect([kelly.speaker, kelly.role]).toEqual(["Annie Kelly", "White House Spokesperson"]);
    expect(seed.text.slice(kelly.sentence.start, kelly.sentence.end)).toMatch(
      /^White House Spokesperson Annie Kelly/,
    );
  });

  it("attributes 'Reuters analyzed that' to Reuters", () => {
    expect(quoteWith(quotes, "the withdrawal measures were taken").speaker).toBe("Reuters");
  });

  it("resolves 'He also noted' to President Donald Trump, named in the previous sentences", () => {
    const trump = quoteWith(quotes, "the confidence that Iran will agree");
    expect([trump.speaker, trump.role]).toEqual(["Donald Trump", "President"]);
  });

  it("gives both of Aziz Nasirzadeh's quotes to him, with his role", () => {
    const damage = quoteWith(quotes, "the damage to the other side");
    const withdraw = quoteWith(quotes, "the United States should withdraw from the region");
    for (const q of [damage, withdraw]) {
      expect([q.speaker, q.role]).toEqual(["Aziz Nasirzadeh", "Iranian Defense Minister"]);
    }
    // One sentence holds both.
    expect(damage.sentence).toEqual(withdraw.sentence);
  });
});

describe("extractQuotes on Wikinews articles", () => {
  it("keeps offsets exact in every fixture article", () => {
    for (const a of fixtures.values()) expectOffsets(a, extractQuotes(a));
  });

  it('reads an inverted attribution with a role: "…", said selection committee member Ulf Danielsson', () => {
    const q = quoteWith(
      extractQuotes(wikinews("wn-2019-10-10-swedish-academy")),
      "tell us something essential",
    );
    expect([q.speaker, q.role]).toEqual(["Ulf Danielsson", "selection committee member"]);
    // The next quote in the paragraph continues the same speaker.
    const next = quoteWith(
      extractQuotes(wikinews("wn-2019-10-10-swedish-academy")),
      "tracing the history back",
    );
    expect(next.speaker).toBe("Ulf Danielsson");
  });

  it("reads a role after the name between commas: said Vasco Cordeiro, the regional president,", () => {
    const q = quoteWith(
      extractQuotes(wikinews("wn-2019-10-02-hurricane-lorenzo")),
      "The situation will worsen",
    );
    expect([q.speaker, q.role]).toEqual(["Vasco Cordeiro", "regional president"]);
  });

  it("leaves a quote with no attribution in its text unattributed", () => {
    const q = quoteWith(
      extractQuotes(wikinews("wn-2019-10-02-hurricane-lorenzo")),
      "Storm Lorenzo will produce",
    );
    expect([q.speaker, q.role]).toEqual([null, null]);
  });

  it('reads "According to eyewitness Vinnie DeVita," and a named organisation as speaker', () => {
    const quotes = extractQuotes(wikinews("wn-2019-01-05-florida-highway"));
    const devita = quoteWith(quotes, "it exploded");
    expect([devita.speaker, devita.role]).toEqual(["Vinnie DeVita", "eyewitness"]);
    expect(quoteWith(quotes, "required all hands on deck").speaker).toBe("Alachua Sheriff's Office");
  });

  it('resolves "he said" to the person the previous sentence is about (Erdoğan)', () => {
    const quotes = extractQuotes(wikinews("wn-2020-01-11-cairo-summit"));
    const q = quoteWith(quotes, "No project excluding our country");
    expect([q.speaker, q.role]).toEqual(["Erdoğan", "Turkish president"]);
    // "They concluded that … "infringes upon …"": a group, not a person: no speaker.
    expect(quoteWith(quotes, "infringes upon the sovereign rights").speaker).toBeNull();
  });

  it('expands a surname to the full name given earlier: "…," Baird said → John Baird', () => {
    const q = quoteWith(extractQuotes(wikinews("wn-2008-08-15-sensitive-canadian")), "I'm told two things");
    expect(q.speaker).toBe("John Baird");
  });

  it("sees past a dash aside and finds the name after 'of': House of Commons Speaker John Bercow", () => {
    const q = quoteWith(extractQuotes(wikinews("wn-2019-08-29-queen-elizabeth")), "However it is dressed up");
    expect([q.speaker, q.role]).toEqual(["John Bercow", "House of Commons Speaker"]);
  });

  it('resolves a role-only subject ("the Prime Minister apologised") to the person introduced with it', () => {
    const q = quoteWith(
      extractQuotes(wikinews("wn-2020-12-21-prime-minister-of-slovakia")),
      "having an idiot",
    );
    expect([q.speaker, q.role]).toEqual(["Igor Matovič", "Prime Minister"]);
  });

  it("reads curly quotes and a long lowercase role before the name", () => {
    const a = wikinews("wn-2020-06-05-face-coverings");
    const q = quoteWith(extractQuotes(a), "We have been working closely with the government");
    expect(a.text[q.start - 1]).toBe("\u201C");
    expect(a.text[q.end]).toBe("\u201D");
    expect([q.speaker, q.role]).toEqual([
      "Mick Whelan",
      "Train drivers' trade union Aslef general secretary",
    ]);
  });

  it("reads a list of role parts that ends in the name: said X, Y's chancellor, Name", () => {
    const a = article(
      '"He was a giant," said University of California, San Diego\'s chancellor, Pradeep Khosla.',
    );
    const [q] = extractQuotes(a);
    expect([q?.speaker, q?.role]).toEqual(["Pradeep Khosla", "San Diego's chancellor"]);
  });

  it("leaves an opening adverbial out of the role", () => {
    const a = article(
      'In the letter to GitHub, EFF\'s attorney Mitchell Stoltz said "This file contains tests of youtube-dl."',
    );
    const [q] = extractQuotes(a);
    expect([q?.speaker, q?.role]).toEqual(["Mitchell Stoltz", "EFF's attorney"]);
  });

  it("reads a name followed by an affiliation with a bracketed acronym", () => {
    const q = quoteWith(
      extractQuotes(wikinews("wn-2019-10-17-hundreds-arrested")),
      "Dark web child sex offenders",
    );
    expect(q.speaker).toBe("Nikki Holland");
    expect(q.role).toContain("National Crime Agency");
  });

  it('reads "The mayor of Paris, Anne Hidalgo, wrote on Twitter:"', () => {
    const q = quoteWith(
      extractQuotes(wikinews("wn-2019-10-05-four-stabbed")),
      "Paris is mourning its family",
    );
    expect([q.speaker, q.role]).toEqual(["Anne Hidalgo", "mayor of Paris"]);
  });

  it('reads a quote before its attribution ("…," Zapata told French news channel BFM TV) and bare follow-ups', () => {
    const quotes = extractQuotes(wikinews("wn-2019-08-06-french-inventor-franky-zapata"));
    expect(quoteWith(quotes, "stick my heels into the boat").speaker).toBe("Franky Zapata");
    // After "…, Zapata said, adding it required much endurance …", the bare quote is his.
    expect(quoteWith(quotes, "isometric exercise").speaker).toBe("Franky Zapata");
  });

  it('continues a speaker into "He said" after a short attributed phrase', () => {
    const quotes = extractQuotes(wikinews("wn-2019-01-14-arrest-made"));
    expect(quoteWith(quotes, "an act of inexplicable barbarity").speaker).toBe("Joachim Brudziński");
    const q = quoteWith(quotes, "I can\u2019t find the words");
    expect([q.speaker, q.role]).toEqual(["Joachim Brudziński", "Interior Minister"]);
  });

  it("turns 'Name: …' interview paragraphs into quotes, with Wikinews as the interviewer", () => {
    const a = wikinews("wn-2006-05-28-interview-with-librivox");
    const quotes = extractQuotes(a);
    const question = quoteWith(quotes, "Why did you decide to take the acoustic fate");
    expect([question.speaker, question.role]).toEqual(["Wikinews", "interviewer"]);
    const answer = quoteWith(quotes, "LibriVox was my first experience recording audiobooks");
    expect(answer.speaker).toBe("Hugh McGuire");
    expect(a.text.slice(answer.start - "Hugh McGuire: ".length, answer.start)).toBe("Hugh McGuire: ");
    // Book-list lines in the middle of an answer are not turns.
    expect(quotes.some((q) => q.speaker === "Austen")).toBe(false);
  });
});

describe("extractQuotes edge cases", () => {
  it("skips unattributed scare quotes of one to three words but keeps attributed ones", () => {
    const a = article(
      'Mayor Jane Roe called the plan "a disaster". Critics called her a "corrupt oaf" online. She said it was "fine".',
    );
    const quotes = extractQuotes(a);
    // "called"/"said" attribute the mayor's words; the critics are not named, so their phrase is dropped.
    expect(quotes.map((q) => [q.text, q.speaker])).toEqual([
      ["a disaster", "Jane Roe"],
      ["fine", "Jane Roe"],
    ]);
    const plain = extractQuotes(article('The film "Jaws" opened in 1975 to "huge" crowds.'));
    expect(plain).toEqual([]);
  });

  it("continues a quote across paragraphs when the next paragraph reopens it", () => {
    const a = article(
      'Mayor Jane Roe said: "We will rebuild the bridge. It will take a year.\n\n"We owe it to the town," she added.',
    );
    const quotes = extractQuotes(a);
    expect(quotes.map((q) => q.text)).toEqual([
      "We will rebuild the bridge. It will take a year.",
      "We owe it to the town,",
    ]);
    expect(quotes.map((q) => q.speaker)).toEqual(["Jane Roe", "Jane Roe"]);
    expectOffsets(a, quotes);
  });

  it("takes the speaker from either paragraph of a continued quote", () => {
    const a = article('"The first part runs on.\n\n"And ends here," said Dr. Ana Ruiz, a chemist.');
    const quotes = extractQuotes(a);
    expect(quotes.map((q) => [q.speaker, q.role])).toEqual([
      ["Ana Ruiz", "Dr."],
      ["Ana Ruiz", "Dr."],
    ]);
  });

  it("uses gender when resolving she", () => {
    const a = article(
      'Senator Mary Major met Governor John Smith on Monday. "We agreed on the budget," John Smith said. She added that "the deal is done."',
    );
    const q = quoteWith(extractQuotes(a), "the deal is done");
    expect(q.speaker).toBe("Mary Major");
  });

  it("never guesses a speaker from a lowercase subject", () => {
    const quotes = extractQuotes(article('The ministry said "talks will resume next week."'));
    expect(quotes).toHaveLength(1);
    expect(quotes[0]!.speaker).toBeNull();
  });

  it("reads single curly quotes as quotes but not apostrophes", () => {
    const a = article(
      "The coach\u2019s view: \u2018We played our best game of the season,\u2019 said coach Ali Khan.",
    );
    const quotes = extractQuotes(a);
    expect(quotes.map((q) => [q.text, q.speaker])).toEqual([
      ["We played our best game of the season,", "Ali Khan"],
    ]);
  });

  it("survives empty and quote-only text", () => {
    expect(extractQuotes(article(""))).toEqual([]);
    expect(extractQuotes(article('"'))).toEqual([]);
    expect(extractQuotes(article('"""'))).toEqual([]);
  });
});

describe("normalizeSpeaker", () => {
  it("folds case, accents and possessives", () => {
    expect(normalizeSpeaker("Erdoğan")).toBe("erdogan");
    expect(normalizeSpeaker("Joachim Brudziński")).toBe("joachim brudzinski");
    expect(normalizeSpeaker("Iran's Defence Minister")).toBe("iran defence minister");
  });
});

describe("speakerMatches", () => {
  const kelly = { speaker: "Annie Kelly", role: "White House Spokesperson" };
  const nasirzadeh = { speaker: "Aziz Nasirzadeh", role: "Iranian Defense Minister" };
  const how = { speaker: "Martin How", role: "study co-author and Royal Society University Research Fellow" };
  const hidalgo = { speaker: "Anne Hidalgo", role: "mayor of Paris" };
  const erdogan = { speaker: "Erdoğan", role: "Turkish president" };

  it("scores a full name 1 and a surname 0.9", () => {
    expect(speakerMatches(kelly, "What did Annie Kelly say?")).toBe(1);
    expect(speakerMatches(kelly, "What did Kelly say about Iraq?")).toBeCloseTo(0.9, 1);
    expect(speakerMatches(erdogan, "What did Erdogan say about the Eastern Mediterranean?")).toBe(1);
  });

  it("matches roles across spelling variants", () => {
    expect(
      speakerMatches(kelly, "What did the White House say about pulling embassy staff out of Iraq?"),
    ).toBeGreaterThan(0.4);
    expect(speakerMatches(nasirzadeh, "What did Iran's defence minister threaten?")).toBeGreaterThan(0.5);
    expect(speakerMatches(hidalgo, "What did the mayor of Paris say after the attack?")).toBeGreaterThan(0.5);
  });

  it("does not take a common word for a surname", () => {
    expect(speakerMatches(how, "How did the flies react to the stripes?")).toBe(0);
    expect(speakerMatches(how, "What did Bristol's Martin How find?")).toBe(1);
  });

  it("prefers the named speaker over an unrelated one, and gives 0 to unattributed quotes", () => {
    const q = "What did Iran's defence minister threaten?";
    expect(speakerMatches(nasirzadeh, q)).toBeGreaterThan(speakerMatches(kelly, q));
    expect(speakerMatches({ speaker: null, role: null }, q)).toBe(0);
  });
});
