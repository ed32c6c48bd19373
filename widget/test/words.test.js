import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { SHOWN_CODES, codeSentence, formatDay, parseDay, translator } from "../src/frame/i18n.js";
import { initialState, reduce } from "../src/frame/state.js";
import { STEP } from "../src/frame/steps.js";

const catalogue = (locale) => JSON.parse(readFileSync(new URL(`../src/i18n/${locale}.json`, import.meta.url), "utf8"));
const CATALOGUES = { en: catalogue("en"), fr: catalogue("fr") };

describe("what the owner reads", () => {
  it("has every key in English and in French", () => {
    assert.deepEqual(Object.keys(CATALOGUES.fr).sort(), Object.keys(CATALOGUES.en).sort());
  });
  for (const [locale, words] of Object.entries(CATALOGUES)) {
    it(`has a ${locale} sentence for every code the frame can show, and never shows the code`, () => {
      const t = translator(words);
      for (const code of SHOWN_CODES) {
        assert.ok(words[`error.${code}`], `error.${code} is missing in ${locale}`);
        const text = codeSentence(t, code, { app: "Northbank", lender: "Acme Capital" });
        assert.ok(!(code.includes("_") && text.includes(code)) && !/[{}()]/.test(text), `${locale} ${code}: ${text}`);
      }
      assert.equal(codeSentence(t, "a_code_nobody_knows"), words["error.generic"]);
      assert.ok(!Object.values(words).some((text) => text.includes("{code}")), "no sentence shows a raw code");
    });
  }
});

const BANK = { key: "northbank", name: "Northbank", category: "banking", auth_type: "credentials" };
const BOOKS = { key: "ledgerly", name: "Ledgerly", category: "accounting", auth_type: "oauth2" };

function signingIn(app) {
  const state = reduce(initialState(), { type: "loaded", session: { scopes: ["link"] }, apps: [BANK, BOOKS] });
  return reduce(reduce(state, { type: "select", key: app.key }), {
    type: "attempt_started",
    attempt: { attempt_id: "att_1" },
  });
}

describe("wrong answers warn before the app locks or resets", () => {
  const t = translator(CATALOGUES.en);
  const cases = [
    ["invalid_code", 2, "mfa.wrongLeft", "That code is not right. You have 2 tries left."],
    ["invalid_code", 1, "mfa.wrongLeft.one", "after another wrong code, you will need to sign in again"],
    ["invalid_code", undefined, "mfa.wrong", "That code is not right."],
    ["invalid_credentials", 1, "credentials.invalidLeft.one", "after one more wrong try, {app} locks the account"],
  ];
  for (const [status, left, key, text] of cases) {
    it(`${status} with ${left} left says ${key}`, () => {
      const state = reduce(signingIn(BANK), {
        type: "attempt_result",
        attempt_id: "att_1",
        status,
        attempts_left: left,
      });
      assert.equal(state.formError.key, key);
      assert.equal(state.formError.count, left);
      assert.ok(t(key, { count: left, app: "{app}" }).includes(text), t(key, { count: left }));
    });
  }
});

describe("a closed sign-in window", () => {
  it("is noticed on the popup step only, once, and forgotten when it opens again", () => {
    const popup = signingIn(BOOKS);
    assert.equal(popup.step, STEP.POPUP);
    const closed = reduce(popup, { type: "popup_closed" });
    assert.equal(closed.popupClosed, true);
    assert.equal(reduce(closed, { type: "popup_closed" }), closed);
    assert.ok(!reduce(signingIn(BANK), { type: "popup_closed" }).popupClosed);
    assert.equal(reduce(closed, { type: "popup_opened" }).popupClosed, false);
  });
});

describe("the reliable-through date in the owner's format", () => {
  const cases = [
    ["en", "2026-09-30", "09/30/2026"],
    ["fr", "2026-09-30", "30/09/2026"],
  ];
  for (const [locale, day, shown] of cases) {
    it(`${locale}: ${day} reads ${shown}, and back`, () => {
      assert.equal(formatDay(day, locale), shown);
      assert.equal(parseDay(shown, locale), day);
      assert.equal(parseDay(day, locale), day, "ISO is always understood");
    });
  }
  it("leaves what it cannot read as typed, for the check to explain", () => {
    assert.equal(parseDay("31/02/2026", "fr"), "31/02/2026");
    assert.equal(parseDay("30/09/2026", "en"), "30/09/2026");
    assert.equal(parseDay("tomorrow", "en"), "tomorrow");
    assert.equal(formatDay("tomorrow", "en"), "tomorrow");
  });
});

describe("the pages the broker renders itself", () => {
  it("have every word in English and in French", () => {
    const page = (locale) =>
      JSON.parse(readFileSync(new URL(`../src/i18n/pages/${locale}.json`, import.meta.url), "utf8"));
    assert.deepEqual(Object.keys(page("fr")).sort(), Object.keys(page("en")).sort());
    assert.ok(Object.keys(page("en")).includes("callback.manual"));
  });
});
