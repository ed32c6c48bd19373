import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { pickLocale, translator } from "../src/frame/i18n.js";
import { accentPalette, contrast } from "../src/frame/theme.js";

const catalogue = (locale) => JSON.parse(readFileSync(new URL(`../src/i18n/${locale}.json`, import.meta.url), "utf8"));

describe("locale", () => {
  const cases = [
    ["fr", ["en-US"], "fr"],
    [null, ["fr-CA", "en"], "fr"],
    [null, ["de-DE", "en-GB"], "en"],
    [null, [], "en"],
    ["xx", ["fr"], "fr"],
  ];
  for (const [option, languages, expected] of cases) {
    it(`${option} with ${languages} -> ${expected}`, () => assert.equal(pickLocale(option, languages), expected));
  }
});

describe("catalogues", () => {
  it("have the same keys and the same placeholders in English and French", () => {
    const en = catalogue("en");
    const fr = catalogue("fr");
    assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
    const holes = (s) => (s.match(/\{\w+\}/g) || []).sort();
    for (const key of Object.keys(en)) assert.deepEqual(holes(fr[key]), holes(en[key]), key);
  });
  it("translate with placeholders and fall back to English", () => {
    const t = translator({ hello: "Bonjour {name}" }, { bye: "Bye {name}" });
    assert.equal(t("hello", { name: "Ana" }), "Bonjour Ana");
    assert.equal(t("bye", { name: "Ana" }), "Bye Ana");
    assert.equal(t("missing"), "missing");
  });
});

describe("accent palette", () => {
  for (const accent of ["#0b5fff", "#ffd500", "#00ff00", "#111111", undefined, "nope"]) {
    it(`${accent} gives text and buttons with AA contrast`, () => {
      const palette = accentPalette(accent);
      assert.ok(contrast(palette.accent, palette.onAccent) >= 4.5, JSON.stringify(palette));
      assert.ok(contrast(palette.accentText, "#ffffff") >= 4.5, JSON.stringify(palette));
    });
  }
});
