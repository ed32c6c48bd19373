import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { pageError, pageLocale, postPublic, tokenFromHash } from "../src/pages/page.js";
import { receiptFields, receiptFile, revokedSentences, statusSentence } from "../src/pages/receipt_state.js";
import { translator } from "../src/frame/i18n.js";

const words = (locale) =>
  translator(JSON.parse(readFileSync(new URL(`../src/i18n/pages/${locale}.json`, import.meta.url), "utf8")));
const CONTENT = {
  id: "cr_1",
  status: "in_force",
  can_revoke: true,
  lender_name: "Acme Capital",
  company_name: "Maple & Rye",
  apps: [{ name: "Ledgerly", category: "accounting" }],
  categories: ["accounting", "banking"],
  period: { start: "2025-10-01", end: "2026-09-30" },
  purpose: null,
  issued_at: "2026-10-01T09:00:00Z",
  expires_at: "2027-10-01T09:00:00Z",
  access_expires_at: null,
  revoked_at: null,
  attestation: { name: "Maria Rye", complete_through: "2026-09-30" },
  receipt: "eyJ.a.b",
  claims: { jti: "cr_1", apps: [{ key: "ledgerly", name: "Ledgerly", category: "accounting" }] },
};

describe("the broker's own pages", () => {
  it("read the token from the fragment only, and refuse what is not one", () => {
    assert.equal(tokenFromHash("#abc.DEF-_1"), "abc.DEF-_1");
    assert.equal(tokenFromHash(""), "");
    assert.equal(tokenFromHash("#<script>"), "");
    assert.equal(tokenFromHash("#%E0%A4%A"), "");
  });
  it("speak ?lang= first, then the browser's languages", () => {
    assert.equal(pageLocale("?lang=fr", ["en-US"]), "fr");
    assert.equal(pageLocale("", ["fr-CA", "en"]), "fr");
    assert.equal(pageLocale("?lang=de", ["de-DE"]), "en");
  });
  it("say each error in words, with a generic sentence for codes they do not know", () => {
    const t = words("en");
    assert.match(pageError(t, "receipt", "rate_limited"), /Try again in a minute/);
    assert.equal(pageError(t, "receipt", "teapot"), t("receipt.error.generic"));
    assert.match(pageError(words("fr"), "accountant", "invitation_used"), /déjà été utilisée/);
  });
  it("turn a 429 and a lost answer into codes the page has words for", async () => {
    const answer = (status, body) => async () => new Response(JSON.stringify(body), { status });
    await assert.rejects(postPublic("/x", {}, answer(429, {})), { code: "rate_limited", status: 429 });
    await assert.rejects(postPublic("/x", {}, answer(409, { error: { code: "invitation_used" } })), {
      code: "invitation_used",
    });
    await assert.rejects(
      postPublic("/x", {}, async () => Promise.reject(new TypeError("offline"))),
      {
        code: "network_error",
      },
    );
    assert.deepEqual(await postPublic("/x", {}, answer(200, { ok: 1 })), { ok: 1 });
  });
});

describe("the receipt page", () => {
  it("states every part of the receipt in the reader's language", () => {
    const fields = Object.fromEntries(receiptFields(words("fr"), CONTENT, "fr"));
    assert.equal(fields["receipt.field.apps"], "Ledgerly (Comptabilité)");
    assert.equal(fields["receipt.field.categories"], "Comptabilité, Banque");
    assert.equal(fields["receipt.field.period"], "Du 1 octobre 2025 au 30 septembre 2026");
    assert.equal(fields["receipt.field.purpose"], "Non indiquée");
    assert.match(fields["receipt.field.attestation"], /^Maria Rye a déclaré .* 30 septembre 2026\.$/);
    assert.equal(fields["receipt.field.id"], "cr_1");
  });
  it("says the status, with the date of a revocation", () => {
    const t = words("en");
    assert.match(statusSentence(t, CONTENT, "en"), /^In force: Acme Capital/);
    const revoked = { ...CONTENT, status: "revoked", revoked_at: "2026-10-02T10:00:00Z" };
    assert.match(statusSentence(t, revoked, "en"), /^Revoked on October 2, 2026/);
  });
  it("downloads the signed receipt and its claims as JSON", () => {
    const file = receiptFile(CONTENT);
    assert.equal(file.name, "consent-receipt-cr_1.json");
    assert.deepEqual(JSON.parse(file.text), { receipt: "eyJ.a.b", claims: CONTENT.claims });
  });
  it("names the apps a revocation disconnected, and those it could not", () => {
    const said = revokedSentences(words("en"), { ...CONTENT, disconnected: ["ledgerly"], disconnect_failed: ["x"] });
    assert.equal(said.length, 3);
    assert.match(said[1], /Ledgerly/);
    assert.match(said[2], /^These apps could not be disconnected: x\./);
  });
});
