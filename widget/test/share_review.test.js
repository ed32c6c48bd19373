import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrokerError } from "../src/frame/api.js";
import { noteDomId, notePayload, noteProblem } from "../src/frame/reconcile/notes.js";
import { reconcileEffects } from "../src/frame/reconcile/effects.js";
import { reviewEffects } from "../src/frame/review/effects.js";
import {
  appsCovered,
  attestationProblem,
  canShare,
  coverageGaps,
  profitAndLossTotals,
  receiptFile,
} from "../src/frame/review/state.js";
import { initialState, reduce } from "../src/frame/state.js";
import { STEP } from "../src/frame/steps.js";
import { fakeIo } from "./effects_fakes.js";

const BOOKS = { key: "ledgerly", name: "Ledgerly", category: "accounting", auth_type: "oauth2" };
const BANK = { key: "northbank", name: "Northbank", category: "banking", auth_type: "credentials" };
const fix = (code, count = null) => ({ code, count, message: "words" });
const UNMET = {
  met: false,
  requirements: [
    { name: "books_months", needed: 12, have: 12, met: true, fix: null },
    { name: "bank_months", needed: 3, have: 0, met: false, fix: fix("connect_bank") },
    { name: "mapped_percent", needed: 95, have: 90, met: false, fix: fix("map_accounts", 4) },
    { name: "reliable_through", needed: true, have: null, met: false, fix: fix("set_reliable_through") },
  ],
};
const MET = { met: true, requirements: [] };
const STATEMENTS = {
  start: "2025-11-01",
  end: "2026-10-31",
  currency: "USD",
  profit_and_loss: [
    {
      lines: [
        { code: "pl", depth: 0, leaf: false, amount: null },
        { code: "revenue", depth: 1, leaf: true, amount: 100 },
      ],
    },
    {
      lines: [
        { code: "pl", depth: 0, leaf: false, amount: null },
        { code: "revenue", depth: 1, leaf: true, amount: 250 },
      ],
    },
  ],
  balance_sheets: [],
  ratios: [],
};

/** The state on the review step for a token holding `scopes`, with books (and a bank) connected. */
function atReview(scopes, apps = [BOOKS, BANK]) {
  const connections = apps.map((a) => ({ integration: a.key, status: "healthy", sync_progress: 100 }));
  let state = reduce(initialState(), { type: "loaded", session: { scopes, connections }, apps });
  state = { ...state, step: STEP.REVIEW };
  return state;
}

function reviewBroker(overrides = {}) {
  const asked = [];
  const answer =
    (name, value) =>
    async (...args) => {
      asked.push([name, ...args]);
      return typeof value === "function" ? value(...args) : value;
    };
  return {
    asked,
    coverage: answer("coverage", MET),
    consentTerms: answer("consentTerms", { purpose: "Credit", access_expires_at: null, lender_name: "Acme" }),
    statements: answer("statements", STATEMENTS),
    reconciliation: answer("reconciliation", { months: ["2026-09", "2026-10"], reliable_through: "2026-10-31" }),
    data: answer("data", [{ integration: "ledgerly", name: "Ledgerly", category: "accounting" }]),
    notes: answer("notes", { owner_notes: [], attestation: null }),
    attest: answer("attest", {}),
    ...overrides,
  };
}

const page = (values = {}) => ({
  locale: "en",
  fieldValue: (id) => values[id],
  focus: () => {},
  today: () => "2026-11-15",
  print: () => {},
  download: (name, text) => (page.downloaded = [name, text]),
});

describe("the review's coverage check", () => {
  it("lists each unmet requirement with its fix and the step that fixes it, when the token may go there", () => {
    assert.deepEqual(coverageGaps(UNMET, ["link", "map", "reconcile"]), [
      { name: "bank_months", code: "connect_bank", count: null, step: STEP.CATALOGUE },
      { name: "mapped_percent", code: "map_accounts", count: 4, step: STEP.MAP },
      { name: "reliable_through", code: "set_reliable_through", count: null, step: STEP.RECONCILE },
    ]);
    const linkAndMap = coverageGaps(UNMET, ["link", "map"]).map((g) => g.step);
    assert.deepEqual(linkAndMap, [STEP.CATALOGUE, STEP.MAP, null], "no reconcile scope: no button to reconcile");
  });
  it("lets the owner share only when every minimum is met", () => {
    assert.equal(canShare({ status: "ready", coverage: UNMET }), false);
    assert.equal(canShare({ status: "ready", coverage: MET }), true);
    assert.equal(canShare({ status: "sharing", coverage: MET }), false);
  });
  it("brings the owner back to the review, with the broker's coverage, when the share is refused", () => {
    const completing = { ...atReview(["link", "map"]), step: STEP.COMPLETING };
    const state = reduce(completing, { type: "share_refused", coverage: UNMET });
    assert.equal(state.step, STEP.REVIEW);
    assert.equal(state.review.coverage, UNMET);
    assert.deepEqual(state.review.error, { key: "review.refused" });
    assert.equal(reduce(atReview(["link"]), { type: "share_refused", coverage: UNMET }).review.coverage, null);
  });
});

describe("the review's preview", () => {
  it("sums the profit and loss over the months and says which months each app covers", () => {
    assert.deepEqual(
      profitAndLossTotals(STATEMENTS).map((l) => [l.code, l.amount]),
      [
        ["pl", null],
        ["revenue", 350],
      ],
    );
    const apps = appsCovered({
      statements: STATEMENTS,
      reconciliation: { months: ["2026-08", "2026-09", "2026-10"] },
      connections: [
        { integration: "ledgerly", name: "Ledgerly", category: "accounting" },
        { integration: "northbank", name: "Northbank", category: "banking" },
        { integration: "payday", name: "Payday", category: "payroll" },
      ],
    });
    assert.deepEqual(apps, [
      { name: "Ledgerly", category: "accounting", first: "2025-11", last: "2026-10", months: 2 },
      { name: "Northbank", category: "banking", first: "2026-08", last: "2026-10", months: 3 },
      { name: "Payday", category: "payroll", first: null, last: null, months: null },
    ]);
  });
  it("reads only what the token's scopes reach, and a mapping not saved yet leaves the statements out", async () => {
    const notSaved = async () => {
      throw new BrokerError(404, "mapping_not_saved", "No mapping.");
    };
    const broker = reviewBroker({ statements: notSaved });
    const io = fakeIo(atReview(["link", "map"]), broker);
    await reviewEffects(io, page()).load();
    assert.deepEqual(broker.asked.map((a) => a[0]).sort(), ["consentTerms", "coverage", "data"]);
    assert.equal(io.state.review.status, "ready");
    assert.equal(io.state.review.preview.statements, null);
    assert.equal(io.state.review.preview.terms.purpose, "Credit");
  });
});

describe("sharing", () => {
  it("needs the owner's name and a date not in the future, then attests before completing", async () => {
    const broker = reviewBroker();
    const io = fakeIo(atReview(["link", "map", "reconcile"]), broker);
    const effects = reviewEffects(io, page({ "attest-name": " ", "attest-date": "10/31/2026" }));
    await effects.load();
    assert.equal(io.state.review.completeThrough, "2026-10-31", "the reliable-through date to start from");
    await effects.actions.reviewShare();
    assert.deepEqual(io.state.review.error, { field: "attest-name", key: "review.nameRequired" });
    const later = reviewEffects(io, page({ "attest-name": "Robin Birch", "attest-date": "12/31/2099" }));
    await later.actions.reviewShare();
    assert.deepEqual(io.state.review.error, { field: "attest-date", key: "review.dateFuture" });
    assert.ok(!broker.asked.some((a) => a[0] === "attest"));
    await reviewEffects(io, page({ "attest-name": "Robin Birch", "attest-date": "10/31/2026" })).actions.reviewShare();
    assert.deepEqual(broker.asked.find((a) => a[0] === "attest")[1], {
      name: "Robin Birch",
      complete_through: "2026-10-31",
      language: "en",
    });
    assert.equal(io.state.step, STEP.COMPLETING);
    assert.deepEqual(io.entered, [STEP.COMPLETING]);
  });
  it("keeps a field's error when the step's data arrives after the owner pressed Share", () => {
    let state = reduce(atReview(["link", "map", "reconcile"]), { type: "review_failed", code: "broker_error" });
    state = reduce(state, { type: "review_invalid", field: "attest-name", key: "review.nameRequired" });
    const data = { coverage: MET, statements: STATEMENTS, reconciliation: { reliable_through: "2026-10-31" } };
    state = reduce(state, { type: "review_loaded", data });
    assert.deepEqual(state.review.error, { field: "attest-name", key: "review.nameRequired" });
    state = reduce(state, { type: "review_failed", code: "broker_error" });
    assert.equal(reduce(state, { type: "review_loaded", data }).review.error, null, "a load's own error goes");
  });
  it("shares without an attestation when the token cannot reconcile", async () => {
    const broker = reviewBroker();
    const io = fakeIo(atReview(["link", "map"], [BOOKS]), broker);
    await reviewEffects(io, page()).actions.reviewShare();
    assert.ok(!broker.asked.some((a) => a[0] === "attest"));
    assert.equal(io.state.step, STEP.COMPLETING);
  });
  it("says why a refused attestation was refused and stays", async () => {
    const broker = reviewBroker({
      attest: async () => {
        throw new BrokerError(422, "validation_failed", "No.");
      },
    });
    const io = fakeIo(atReview(["link", "map", "reconcile"]), broker);
    await reviewEffects(io, page({ "attest-name": "Robin", "attest-date": "2026-10-31" })).actions.reviewShare();
    assert.equal(io.state.step, STEP.REVIEW);
    assert.deepEqual(io.state.review.error, { key: "review.shareFailed", code: "validation_failed" });
  });
  it("offers the receipt as a JSON file of its id and signed receipt, never the page link", () => {
    const consent = { id: "cns_1", receipt: "a.b.c", receipt_url: "https://b/widget/v1/receipt#secret" };
    assert.deepEqual(JSON.parse(receiptFile(consent)), { id: "cns_1", receipt: "a.b.c" });
    assert.deepEqual(attestationProblem({ name: "A", completeThrough: "2026-13-01" }, "2026-12-01"), {
      field: "attest-date",
      key: "review.dateFormat",
    });
  });
});

describe("the owner's notes", () => {
  it("need a reason of the list, and words with other", () => {
    assert.deepEqual(noteProblem({ reason: "", text: "" }), { field: "note-reason", key: "notes.reasonRequired" });
    assert.deepEqual(noteProblem({ reason: "other", text: "  " }), { field: "note-text", key: "notes.textRequired" });
    assert.equal(noteProblem({ reason: "timing", text: "" }), null);
    assert.deepEqual(notePayload("difference:bacc_1:2026-10", { reason: "other", text: " cash sale " }), {
      notes: [{ subject_kind: "difference", subject_id: "bacc_1:2026-10", reason: "other", text: "cash sale" }],
    });
  });
  it("are read with the first month, written, saved and shown back", async () => {
    const saved = [];
    const note = { subject_kind: "bank_line", subject_id: "btx_1", reason: "timing", text: null };
    const broker = {
      reconciliation: async () => ({ months: ["2026-10"], month: "2026-10", accounts: [] }),
      notes: async () => ({ owner_notes: [note], attestation: null }),
      saveNotes: async (body) => {
        saved.push(body);
        return { changed: 1, notes: [{ ...body.notes[0], text: body.notes[0].text ?? null }] };
      },
    };
    const state = { ...atReview(["link", "reconcile"]), step: STEP.RECONCILE };
    const io = fakeIo(state, broker);
    const focused = [];
    const effects = reconcileEffects(io, { ...page(), focus: (id) => focused.push(id) });
    await effects.load();
    assert.equal(io.state.recon.notes["bank_line:btx_1"].reason, "timing");
    // A transfer between two of the owner's accounts is one ledger entry listed under both: the form opens under one.
    effects.actions.noteEdit("ledger_line:jl_9", "bacc_2");
    assert.equal(io.state.recon.note.place, "bacc_2");
    await effects.actions.noteSave({ reason: "other", text: "" });
    assert.deepEqual(io.state.recon.note.error, { field: "note-text", key: "notes.textRequired" });
    assert.equal(saved.length, 0);
    await effects.actions.noteSave({ reason: "other", text: "Paid from my own card" });
    assert.equal(io.state.recon.note, null);
    assert.equal(io.state.recon.notes["ledger_line:jl_9"].text, "Paid from my own card");
    assert.equal(io.state.recon.notes["bank_line:btx_1"].reason, "timing", "the others stay");
    assert.deepEqual(io.said, ["notes.saved"]);
    assert.deepEqual(focused.slice(-1), [noteDomId("ledger_line:jl_9", "bacc_2")], "back to the button it came from");
    assert.notEqual(noteDomId("ledger_line:jl_9", "bacc_1"), noteDomId("ledger_line:jl_9", "bacc_2"));
  });
});
