import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { reasonText } from "../src/frame/map/view.js";
import { translator } from "../src/frame/i18n.js";

const catalogue = (locale) => JSON.parse(readFileSync(new URL(`../src/i18n/${locale}.json`, import.meta.url), "utf8"));
const EN = catalogue("en");
const T = { en: translator(EN, EN), fr: translator(catalogue("fr"), EN) };
const BY_CODE = new Map(
  [
    { code: "revenue", name: "Revenue", name_fr: "Chiffre d'affaires" },
    { code: "rent_occupancy", name: "Rent and occupancy", name_fr: "Loyer et occupation" },
    { code: "cash", name: "Cash", name_fr: "" },
  ].map((leaf) => [leaf.code, leaf]),
);
const text = (locale, reason_code, reason_params, reason = "the broker's sentence") =>
  reasonText({ reason, reason_code, reason_params }, BY_CODE, T[locale], locale);
// French keeps guillemets and semicolons on the line of their words (no-break spaces); the cases use plain spaces.
const nbsp = (french) => french.replace(/« /g, "«\u00a0").replace(/ »/g, "\u00a0»").replace(/ ;/g, "\u00a0;");

// One case per reason code the broker sends (broker/mapping/reasons.py), in English and in French.
const CASES = [
  [
    "learned",
    { category: "rent_occupancy" },
    "confirmed as “Rent and occupancy” for another company of this lender",
    "il a été confirmé comme « Loyer et occupation » pour une autre entreprise de ce prêteur",
  ],
  [
    "learned_disagrees",
    { category: "rent_occupancy", signal: "classification", value: "current_asset" },
    "confirmed as “Rent and occupancy” for another company of this lender, but its classification current asset disagrees",
    "il a été confirmé comme « Loyer et occupation » pour une autre entreprise de ce prêteur, mais la classification « actif à court terme » ne concorde pas",
  ],
  [
    "keyword",
    { signal: "classification", value: "revenue", phrase: "sales" },
    "classification revenue and name contains “sales”",
    "la classification « revenus » et le nom contient « sales »",
  ],
  [
    "keyword",
    { signal: "code", value: "6100", range: "6", phrase: "loyer" },
    "code 6100 in the 6xxx range (expenses) and name contains “loyer”",
    "le code 6100 dans la tranche 6xxx (charges) et le nom contient « loyer »",
  ],
  [
    "code_range",
    { signal: "code", value: "411000", range: "4", scheme: "pcg" },
    "code 411000 in the 4xxx range (third parties)",
    "le code 411000 dans la tranche 4xxx (comptes de tiers)",
  ],
  [
    "keyword_only",
    { phrase: "loyer" },
    "name contains “loyer” (no type or classification)",
    "le nom contient « loyer » (ni type ni classification)",
  ],
  [
    "chart_name",
    { phrase: "travel", category: "travel" },
    "name contains the category name “travel”",
    "le nom contient le nom de catégorie « travel »",
  ],
  ["subtype", { signal: "subtype", value: "Bank" }, "subtype “Bank”", "le sous-type « Bank »"],
  [
    "classification",
    { signal: "classification", value: "fixed_asset" },
    "classification fixed asset",
    "la classification « immobilisations »",
  ],
  ["type", { signal: "type", value: "expense" }, "type expense", "le type « charges »"],
  [
    "code_range",
    { signal: "code", value: "5100", range: "5" },
    "code 5100 in the 5xxx range (cost of sales)",
    "le code 5100 dans la tranche 5xxx (coût des ventes)",
  ],
  [
    "first_on_side",
    { signal: "type", value: "asset", side: "asset" },
    "type asset; first asset category of the chart",
    "le type « actif » ; première catégorie d'actif du plan",
  ],
  [
    "none",
    {},
    "no usable signal in the name, subtype, type, classification or code",
    "aucun indice utilisable dans le nom, le sous-type, le type, la classification ou le code",
  ],
];

describe("the reason of a suggestion", () => {
  for (const [code, params, en, fr] of CASES) {
    it(`${code} ${JSON.stringify(params)} reads in English and in French`, () => {
      assert.equal(text("en", code, params), en);
      assert.equal(text("fr", code, params), nbsp(fr));
    });
  }
  it("names a category without a French name by its English name", () => {
    assert.equal(
      text("fr", "learned", { category: "cash" }),
      nbsp("il a été confirmé comme « Cash » pour une autre entreprise de ce prêteur"),
    );
  });
  it("shows a classification the catalogue does not know as the broker sent it", () => {
    assert.equal(
      text("fr", "classification", { signal: "classification", value: "mystery" }),
      nbsp("la classification « mystery »"),
    );
  });
  const unknown = [
    ["a code this frame does not know", "newer_signal", { phrase: "x" }],
    ["no code (an older broker)", undefined, undefined],
    ["a signal this frame does not know", "keyword", { signal: "industry", value: "retail", phrase: "x" }],
    ["a code that is an inherited property name", "constructor", {}],
  ];
  for (const [what, code, params] of unknown) {
    it(`falls back to the broker's English sentence for ${what}`, () => {
      assert.equal(text("fr", code, params, "because of X"), "because of X");
    });
  }
});
