import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { translator } from "../src/frame/i18n.js";
import { mapErrorText } from "../src/frame/map/view.js";
import {
  mapGaps,
  mapProgress,
  mappingPayload,
  mappingSavedMetadata,
  needsDecision,
  orderAccounts,
  visibleAccounts,
} from "../src/frame/map/state.js";
import {
  choiceKey,
  decisionOf,
  decisionPayload,
  pendingMatches,
  pickedCandidate,
  reconciledMetadata,
  reliableThroughProblem,
} from "../src/frame/reconcile/state.js";
import { evidenceText } from "../src/frame/reconcile/match_view.js";
import { initialState, reduce } from "../src/frame/state.js";
import { AFTER_CONNECT, STEP, nextStep } from "../src/frame/steps.js";

const EN = JSON.parse(readFileSync(new URL("../src/i18n/en.json", import.meta.url), "utf8"));
const LEAVES = [
  { code: "cash", name: "Cash", name_fr: "Encaisse", path: ["Balance sheet"] },
  { code: "revenue", name: "Revenue", name_fr: "Chiffre d'affaires", path: ["Profit and loss"] },
];
const suggestion = (category, confidence = 0.9) => ({
  category,
  confidence,
  reason: "r",
  needs_review: confidence < 0.6,
});
const ACCOUNTS = [
  { id: "a1", code: "1010", name: "Checking", category: null, suggestion: suggestion("cash"), flags: {} },
  { id: "a2", code: "4000", name: "Sales", category: "revenue", suggestion: suggestion("revenue"), flags: {} },
  { id: "a3", code: "9999", name: "Mystery", category: null, suggestion: suggestion(null, 0), flags: {} },
];
const MAPPING = { accounts: ACCOUNTS, chart: { leaves: LEAVES }, progress: { mapped: 1, total: 3 } };
const MATCH = (key, decision = "pending") => ({
  key,
  decision,
  score: 1,
  reason: "same amount",
  bank: [{ id: `b-${key}`, date: "2026-03-02", amount: 500, currency: "USD" }],
  ledger: [{ id: `l-${key}`, date: "2026-03-02", amount: 500, currency: "USD" }],
});
const RECON = {
  months: ["2026-02", "2026-03"],
  month: "2026-03",
  accounts: [{ name: "Checking", matches: [MATCH("k1"), MATCH("k2", "confirmed")] }],
  reliable_through: null,
  suggested_reliable_through: "2026-02-28",
};

const BOOKS = { key: "ledgerly", name: "Ledgerly", category: "accounting", auth_type: "oauth2" };
const BANK = { key: "northbank", name: "Northbank", category: "banking", auth_type: "credentials" };

/** A session that connected `apps` (books and a bank by default) and pressed Done, holding `scopes`. */
function atStep(scopes, apps = [BOOKS, BANK]) {
  const connections = apps.map((a) => ({ integration: a.key, status: "healthy", sync_progress: 100 }));
  const session = { scopes, connections };
  const state = reduce(initialState(), { type: "loaded", session, apps });
  return reduce(state, { type: "finish" });
}

describe("the steps after connect", () => {
  it("are a frozen list: nothing can add, drop or change a step at run time", () => {
    assert.ok(
      Object.isFrozen(AFTER_CONNECT) && AFTER_CONNECT.every((s) => Object.isFrozen(s) && Object.isFrozen(s.needs)),
    );
    assert.throws(() => AFTER_CONNECT.push({ id: "extra", scope: "extra", title: "x" }), TypeError);
  });
  it("are map, reconcile then the review, each behind its scopes", () => {
    assert.deepEqual(
      AFTER_CONNECT.map((s) => [s.id, s.scope]),
      [
        ["map", "map"],
        ["reconcile", "reconcile"],
        ["review", ["link", "map"]],
      ],
    );
    const cases = [
      [["link", "map", "reconcile"], "connect", "map"],
      [["link", "map", "reconcile"], "map", "reconcile"],
      [["link", "map", "reconcile"], "reconcile", "review"],
      [["link", "map", "reconcile"], "review", "complete"],
      [["link", "reconcile"], "connect", "reconcile"],
      [["link", "reconcile"], "reconcile", "complete"],
      [["link", "map"], "map", "review"],
      [["map", "reconcile"], "reconcile", "complete"], // an accountant's token cannot share
      [["link", "read"], "connect", "complete"],
    ];
    for (const [scopes, current, expected] of cases)
      assert.equal(nextStep(current, scopes), expected, `${scopes} ${current}`);
  });
  it("follow connect when the token carries their scope", () => {
    assert.equal(atStep(["link", "map", "reconcile"]).step, STEP.MAP);
    assert.equal(atStep(["link", "reconcile"]).step, STEP.RECONCILE);
    assert.equal(atStep(["link"]).step, STEP.COMPLETING);
  });
  it("are skipped when the apps they need are not connected", () => {
    const all = ["link", "map", "reconcile"];
    assert.equal(atStep(all, [BANK]).step, STEP.COMPLETING, "no books: nothing to map or reconcile");
    assert.equal(atStep(all, [BOOKS]).step, STEP.MAP, "books alone can be mapped");
    assert.equal(nextStep("map", all, undefined, ["accounting"]), "review", "no bank: nothing to reconcile");
    assert.equal(nextStep("connect", ["link", "map"], undefined, ["banking"]), "complete", "no books: no preview");
    assert.equal(nextStep("map", all, undefined, ["accounting", "banking"]), "reconcile");
  });
});

describe("map step", () => {
  const loaded = () => reduce(atStep(["link", "map"]), { type: "map_loaded", data: MAPPING });

  it("starts from the saved categories, then the suggestions, and counts progress", () => {
    const state = loaded();
    assert.equal(state.map.status, "ready");
    assert.deepEqual(state.map.choices, { a1: "cash", a2: "revenue" });
    assert.deepEqual(mapProgress(state.map), { mapped: 2, total: 3 });
    assert.equal(state.busy, false);
  });

  const cases = [
    [
      "choose a leaf",
      { type: "map_choose", id: "a3", category: "cash" },
      { a1: "cash", a2: "revenue", a3: "cash" },
      null,
    ],
    ["unmap", { type: "map_choose", id: "a2", category: null }, { a1: "cash" }, null],
    [
      "unknown category",
      { type: "map_choose", id: "a1", category: "?" },
      { a1: "cash", a2: "revenue" },
      "map.unknownCategory",
    ],
    ["unknown account", { type: "map_choose", id: "zz", category: "cash" }, { a1: "cash", a2: "revenue" }, null],
    ["accept all (not the unsuggested)", { type: "map_accept_all" }, { a1: "cash", a2: "revenue" }, null],
  ];
  for (const [name, action, choices, error] of cases) {
    it(name, () => {
      const state = reduce(loaded(), action);
      assert.deepEqual(state.map.choices, choices);
      assert.equal(state.map.error ? state.map.error.key : null, error);
    });
  }

  it("accepts all only among the accounts the search shows", () => {
    let state = reduce(loaded(), { type: "map_search", query: "myst" });
    assert.deepEqual(
      visibleAccounts(state.map).map((a) => a.id),
      ["a3"],
    );
    state = reduce(state, { type: "map_accept_all" });
    assert.deepEqual(state.map.choices, { a1: "cash", a2: "revenue" });
  });

  const FLAGGED = [
    { id: "small", name: "Petty cash", category: null, balance: 5000, suggestion: suggestion("cash", 0.9), flags: {} },
    { id: "big", name: "Sales", category: null, balance: -900000, suggestion: suggestion("revenue"), flags: {} },
    { id: "doubt", name: "Misc", category: null, balance: 100, suggestion: suggestion("cash", 0.4), flags: {} },
    { id: "none", name: "Suspense", category: null, balance: -20000, suggestion: suggestion(null, 0), flags: {} },
    { id: "kept", name: "Bank", category: "cash", balance: 7000000, suggestion: suggestion("cash", 0.4), flags: {} },
  ];
  const flagged = () =>
    reduce(atStep(["link", "map"]), {
      type: "map_loaded",
      data: { accounts: FLAGGED, chart: { leaves: LEAVES }, progress: { mapped: 1, total: 5 } },
    });

  it("lists the accounts needing a decision first, then by balance, largest absolute first", () => {
    assert.deepEqual(
      flagged().map.accounts.map((a) => a.id),
      ["none", "doubt", "kept", "big", "small"],
    );
    assert.deepEqual(
      orderAccounts(FLAGGED).map((a) => needsDecision(a)),
      [true, true, false, false, false],
    );
  });

  it("saves only once nothing is missing and every flagged suggestion is decided, and says what is missing", () => {
    let state = flagged();
    assert.deepEqual(mapGaps(state.map), { missing: 1, unchecked: 1 });
    state = reduce(state, { type: "map_incomplete" });
    const t = translator(EN);
    assert.equal(
      mapErrorText(state.map.error, t),
      "1 account has no category yet: pick one. 1 suggestion marked “Please check” needs your decision: keep it or " +
        "pick another category. They are at the top of the list.",
    );
    state = reduce(state, { type: "map_keep", id: "doubt" });
    assert.deepEqual(mapGaps(state.map), { missing: 1, unchecked: 0 });
    assert.equal(state.map.error, null);
    state = reduce(state, { type: "map_choose", id: "none", category: "revenue" });
    assert.deepEqual(mapGaps(state.map), { missing: 0, unchecked: 0 });
    assert.equal(mappingPayload(state.map).mappings.length, 5, "the suggestions taken as they are are saved too");
  });

  it("says why a save failed in words, never as a code", () => {
    const t = translator(EN);
    const text = mapErrorText({ key: "map.saveFailed", code: "internal_error" }, t);
    assert.equal(text, "Your mapping could not be saved. Something went wrong on our side. Try again in a moment.");
    assert.ok(!mapErrorText({ key: "map.saveFailed", code: "some_new_code" }, t).includes("some_new_code"));
  });

  it("saves every chosen account and moves on to the step it is given", () => {
    let state = reduce(loaded(), { type: "map_choose", id: "a3", category: "cash" });
    assert.deepEqual(mappingPayload(state.map), {
      mappings: [
        { account_id: "a3", category: "cash" },
        { account_id: "a1", category: "cash" },
        { account_id: "a2", category: "revenue" },
      ],
    });
    state = reduce(state, { type: "map_saving" });
    assert.equal(state.map.status, "saving");
    assert.equal(reduce(state, { type: "map_choose", id: "a3", category: "cash" }), state, "no edits while saving");
    const failed = reduce(state, { type: "map_failed", code: "upstream_timeout" });
    assert.equal(failed.map.status, "ready");
    assert.equal(failed.map.error.code, "upstream_timeout");
    const result = { changed: 1, progress: { mapped: 2, total: 3 }, saved_at: "2026-11-01T00:00:00Z" };
    const saved = reduce(state, { type: "map_saved", result, next: STEP.RECONCILE });
    assert.equal(saved.step, STEP.RECONCILE);
    assert.deepEqual(mappingSavedMetadata(result), { mapped: 2, total: 3, changed: 1 });
  });

  it("ignores its actions on other steps", () => {
    const other = reduce(initialState(), { type: "map_loaded", data: MAPPING });
    assert.equal(other.map.status, "loading");
  });
});

describe("reconcile step", () => {
  const loaded = () => reduce(atStep(["link", "reconcile"]), { type: "recon_loaded", data: RECON });

  it("takes saved decisions and the suggested date from the broker", () => {
    const state = loaded();
    assert.deepEqual(state.recon.decisions, { k2: "confirmed" });
    assert.equal(state.recon.reliableThrough, "2026-02-28");
    assert.deepEqual(
      pendingMatches(state.recon).map((m) => m.key),
      ["k1"],
    );
  });

  it("shows a decision while it is saved and keeps it only once the broker took it", () => {
    let state = reduce(loaded(), { type: "recon_deciding", keys: ["k1"], decision: "rejected" });
    assert.equal(decisionOf(state.recon, RECON.accounts[0].matches[0]), "rejected");
    const lost = reduce(state, { type: "recon_decided", keys: ["k1"], decision: "rejected", ok: false, code: "x" });
    assert.equal(decisionOf(lost.recon, RECON.accounts[0].matches[0]), "pending");
    assert.equal(lost.recon.error.key, "reconcile.saveFailed");
    state = reduce(state, { type: "recon_decided", keys: ["k1"], decision: "rejected", ok: true });
    assert.equal(decisionOf(state.recon, RECON.accounts[0].matches[0]), "rejected");
    assert.deepEqual(pendingMatches(state.recon), []);
  });

  it("asks the broker for another month only when it changes", () => {
    assert.equal(reduce(loaded(), { type: "recon_month", month: "2026-02" }).recon.status, "loading");
    const same = loaded();
    assert.equal(reduce(same, { type: "recon_month", month: "2026-03" }), same);
  });

  const dates = [
    ["", "reconcile.dateRequired"],
    ["30/09/2026", "reconcile.dateFormat"],
    ["2026-02-30x", "reconcile.dateFormat"],
    ["2026-12-01", "reconcile.dateFuture"],
    ["2026-09-30", ""],
  ];
  for (const [value, problem] of dates) {
    it(`reliable-through ${JSON.stringify(value)} -> ${problem || "ok"}`, () =>
      assert.equal(reliableThroughProblem(value, "2026-11-15"), problem));
  }

  it("sends the exact lines of each match and reports counts without amounts", () => {
    assert.deepEqual(decisionPayload([MATCH("k1")], "confirmed"), {
      decisions: [{ bank_ids: ["b-k1"], ledger_ids: ["l-k1"], decision: "confirmed" }],
    });
    const result = {
      reliable_through: "2026-09-30",
      summary: { match_rate: { count: 0.99, amount: 1 }, confirmed: 5, rejected: 1, pending: 0 },
    };
    assert.deepEqual(reconciledMetadata(result), {
      reliable_through: "2026-09-30",
      match_rate: 0.99,
      confirmed: 5,
      rejected: 1,
      pending: 0,
    });
    const done = reduce(reduce(loaded(), { type: "recon_completing" }), {
      type: "recon_saved",
      result,
      next: STEP.COMPLETING,
    });
    assert.equal(done.step, STEP.COMPLETING);
  });

  it("keeps the owner's pick among a choice's candidates and confirms exactly that candidate", () => {
    const choice = {
      bank: [{ id: "b9", amount: 85000, currency: "CAD" }],
      candidates: [MATCH("c1"), MATCH("c2"), MATCH("c3")],
    };
    assert.equal(choiceKey(choice), "c-b9");
    let state = loaded();
    assert.equal(pickedCandidate(state.recon, choice), null);
    state = reduce(state, { type: "recon_pick", choice: choiceKey(choice), key: "c2" });
    assert.equal(pickedCandidate(state.recon, choice).key, "c2");
    state = reduce(state, { type: "recon_pick", choice: choiceKey(choice), key: "c3" });
    assert.deepEqual(decisionPayload([pickedCandidate(state.recon, choice)], "confirmed"), {
      decisions: [{ bank_ids: ["b-c3"], ledger_ids: ["l-c3"], decision: "confirmed" }],
    });
  });

  it("names each piece of evidence in the owner's language and shows names as they are", () => {
    const t = (key, params) => `${key}(${params.value})`;
    assert.equal(evidenceText("cheque 3035", t), "reconcile.ev.cheque(3035)");
    assert.equal(evidenceText("2 days", t), "reconcile.ev.days(2)");
    assert.equal(evidenceText("1 day", t), "reconcile.ev.day()");
    assert.equal(evidenceText("same day", t), "reconcile.ev.sameDay()");
    assert.equal(evidenceText("differs by -13.50 CAD", t), "reconcile.ev.differs(-13.50 CAD)");
    assert.equal(evidenceText("Nina Lee", t), "Nina Lee");
  });
});
