import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBroker } from "../src/frame/api.js";
import { mapEffects } from "../src/frame/map/effects.js";
import { reconcileEffects } from "../src/frame/reconcile/effects.js";
import { initialState, reduce } from "../src/frame/state.js";
import { STEP } from "../src/frame/steps.js";
import { expiredToken, fakeIo } from "./effects_fakes.js";

const BOOKS = { key: "ledgerly", name: "Ledgerly", category: "accounting", auth_type: "oauth2" };
const BANK = { key: "northbank", name: "Northbank", category: "banking", auth_type: "credentials" };
const suggestion = (category) => ({ category, confidence: 0.9, reason: "r", needs_review: false });
const MAPPING = {
  accounts: [
    { id: "a1", code: "1010", name: "Checking", category: null, suggestion: suggestion("cash"), flags: {} },
    { id: "a2", code: "4000", name: "Sales", category: null, suggestion: suggestion("revenue"), flags: {} },
  ],
  chart: { leaves: [{ code: "cash" }, { code: "revenue" }] },
};
const SAVED = { progress: { mapped: 2, total: 2 }, changed: 2 };
const MATCH = {
  key: "k".repeat(20),
  decision: "pending",
  bank: [{ id: "b1" }],
  ledger: [{ id: "l1" }],
};
const RECON = { months: ["2026-03"], month: "2026-03", accounts: [{ name: "Checking", matches: [MATCH] }] };
const RECONCILED = {
  reliable_through: "2026-03-31",
  summary: { match_rate: { count: 0.9 }, confirmed: 1, rejected: 0, pending: 0 },
};

/** The state on entering the step after connect, for a token holding `scopes` (books and a bank connected). */
function entered(scopes) {
  const connections = [BOOKS, BANK].map((a) => ({ integration: a.key, status: "healthy", sync_progress: 100 }));
  const state = reduce(initialState(), { type: "loaded", session: { scopes, connections }, apps: [BOOKS, BANK] });
  return reduce(state, { type: "finish" });
}

/** A `fetch` answering each call with the next of `answers` ([status, body]) and recording what was asked. */
function scriptedFetch(answers) {
  const asked = [];
  const fetchImpl = async (url, init) => {
    asked.push([init.method, url, init.body ? JSON.parse(init.body) : null]);
    const [status, body] = answers.shift();
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
  return { asked, fetchImpl };
}

describe("the map step's effects", () => {
  it("load the mapping, and a save that meets a broker restart is retried, then goes on to reconcile", async () => {
    const { asked, fetchImpl } = scriptedFetch([
      [200, MAPPING],
      [503, { error: { code: "unavailable" } }],
      [200, SAVED],
    ]);
    const io = fakeIo(entered(["link", "map", "reconcile"]), createBroker("tok", fetchImpl, [0]));
    const map = mapEffects(io);
    await map.load();
    assert.equal(io.state.map.status, "ready");
    await map.actions.mapSave();
    assert.deepEqual(
      asked.map(([method, url]) => `${method} ${url}`),
      ["GET /v1/link/mapping", "PUT /v1/link/mapping", "PUT /v1/link/mapping"],
    );
    assert.deepEqual(asked[2][2], {
      mappings: [
        { account_id: "a1", category: "cash" },
        { account_id: "a2", category: "revenue" },
      ],
    });
    assert.deepEqual(io.events, [["mapping_saved", { mapped: 2, total: 2, changed: 2 }]]);
    assert.equal(io.state.step, STEP.RECONCILE);
    assert.deepEqual(io.entered, [STEP.RECONCILE]);
  });

  it("keep the owner's choices when a save fails, so that Save can be pressed again", async () => {
    const answers = [Promise.reject(Object.assign(new Error("down"), { code: "broker_error" })), SAVED];
    const io = fakeIo(entered(["link", "map"]), {
      mapping: async () => MAPPING,
      saveMapping: async () => answers.shift(),
    });
    const map = mapEffects(io);
    await map.load();
    await map.actions.mapSave();
    assert.equal(io.state.step, STEP.MAP);
    assert.deepEqual(io.state.map.error, { key: "map.saveFailed", code: "broker_error" });
    assert.equal(io.state.map.choices.a1, "cash");
    await map.actions.mapSave();
    assert.equal(io.state.step, STEP.REVIEW, "the review before sharing comes last");
  });

  it("hand an expired token to the frame instead of showing a failed load", async () => {
    const io = fakeIo(entered(["link", "map"]), {
      mapping: async () => {
        throw expiredToken();
      },
    });
    await mapEffects(io).load();
    assert.deepEqual(io.failed, [["token_expired", undefined]]);
    assert.equal(io.state.map.status, "loading");
  });
});

describe("the reconcile step's effects", () => {
  const page = (typed = "") => {
    const focused = [];
    return {
      focused,
      locale: "fr",
      fieldValue: (id) => (id === "reliable-through" ? typed : undefined),
      focus: (id) => focused.push(id),
      today: () => "2026-04-15",
    };
  };

  it("check the typed date in the owner's format before saving it", async () => {
    const saved = [];
    const io = fakeIo(entered(["link", "reconcile"]), {
      reconciliation: async () => RECON,
      saveReconciliation: async (body) => (saved.push(body), RECONCILED),
    });
    const effects = reconcileEffects(io, page("31/12/2026"));
    await effects.load();
    await effects.actions.reconSave();
    assert.deepEqual(io.state.recon.error, { field: "reliable-through", key: "reconcile.dateFuture" });
    assert.deepEqual(saved, []);
    const later = reconcileEffects(io, page("31/03/2026"));
    await later.actions.reconSave();
    assert.deepEqual(saved, [{ decisions: [], reliable_through: "2026-03-31" }]);
    assert.deepEqual(io.events, [
      ["reconciled", { reliable_through: "2026-03-31", match_rate: 0.9, confirmed: 1, rejected: 0, pending: 0 }],
    ]);
    assert.equal(io.state.step, STEP.COMPLETING);
  });

  it("show the month once the owner's notes are in, even when they come after it", async () => {
    let notesArrive;
    const NOTE = { subject_kind: "bank_transaction", subject_id: "b1", reason: "timing" };
    const io = fakeIo(entered(["link", "reconcile"]), {
      reconciliation: async () => RECON,
      notes: () => new Promise((resolve) => (notesArrive = () => resolve({ owner_notes: [NOTE] }))),
    });
    const loading = reconcileEffects(io, page()).load();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(io.state.recon.data, null, "the month waits for the notes");
    notesArrive();
    await loading;
    assert.deepEqual(io.actions.slice(-2), ["notes_loaded", "recon_loaded"]);
    assert.equal(Object.keys(io.state.recon.notes).length, 1);
    assert.deepEqual(io.state.recon.data, RECON);
  });

  it("save a chosen candidate as confirmed, reload the month and focus its Confirm button", async () => {
    const asked = [];
    const io = fakeIo(entered(["link", "reconcile"]), {
      reconciliation: async (month) => (asked.push(["load", month]), RECON),
      saveReconciliation: async (body) => asked.push(["save", body]),
    });
    const shown = page();
    const effects = reconcileEffects(io, shown);
    await effects.load();
    await effects.actions.reconChoose(MATCH);
    assert.deepEqual(asked, [
      ["load", undefined],
      ["save", { decisions: [{ bank_ids: ["b1"], ledger_ids: ["l1"], decision: "confirmed" }] }],
      ["load", "2026-03"],
    ]);
    assert.equal(io.state.recon.decisions[MATCH.key], "confirmed");
    assert.deepEqual(io.said, ["reconcile.announce.chosen"]);
    assert.deepEqual(shown.focused, [`confirmed-${"k".repeat(16)}`]);
  });

  it("put a decision back to pending when its save fails", async () => {
    const io = fakeIo(entered(["link", "reconcile"]), {
      reconciliation: async () => RECON,
      saveReconciliation: async () => {
        throw Object.assign(new Error("no"), { code: "conflict" });
      },
    });
    const effects = reconcileEffects(io, page());
    await effects.load();
    await effects.actions.reconDecide([MATCH], "rejected");
    assert.equal(io.state.recon.decisions[MATCH.key], undefined);
    assert.deepEqual(io.state.recon.error, { key: "reconcile.saveFailed", code: "conflict" });
    assert.deepEqual(io.said, []);
  });
});
