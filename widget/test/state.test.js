import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canConnect, syncFinished, visibleApps } from "../src/frame/connect/state.js";
import { exitMetadata, initialState, reduce } from "../src/frame/state.js";
import { STEP, nextStep } from "../src/frame/steps.js";

const APPS = [
  { key: "ledgerly", name: "Ledgerly", category: "accounting", auth_type: "oauth2", connected: false, status: null },
  {
    key: "northbank",
    name: "Northbank",
    category: "banking",
    auth_type: "credentials",
    connected: false,
    status: null,
  },
  {
    key: "paperbooks",
    name: "PaperBooks",
    category: "accounting",
    auth_type: "upload",
    connected: false,
    status: null,
  },
  { key: "shopwave", name: "Shopwave", category: "commerce", auth_type: "oauth2", connected: false, status: null },
];
const SESSION = { scopes: ["link", "read"], connections: [] };

function loaded(extra = {}) {
  return reduce(initialState(), { type: "loaded", session: SESSION, apps: APPS, ...extra });
}

function run(state, ...actions) {
  return actions.reduce(reduce, state);
}

describe("catalogue", () => {
  it("loads into the catalogue with connections marked", () => {
    const state = loaded({
      session: { ...SESSION, connections: [{ integration: "shopwave", status: "error", sync_progress: 0 }] },
    });
    assert.equal(state.step, STEP.CATALOGUE);
    const shopwave = state.apps.find((a) => a.key === "shopwave");
    assert.equal(shopwave.connected, true);
    assert.equal(shopwave.status, "error");
    assert.equal(canConnect(shopwave), true, "an app in error can be reconnected");
  });

  it("searches by name, filters by category and keeps the preselection first", () => {
    let state = loaded({ preselected: ["shopwave", "unknown_app"] });
    assert.deepEqual(state.preselected, ["shopwave"]);
    assert.deepEqual(
      visibleApps(state).recommended.map((a) => a.key),
      ["shopwave"],
    );
    state = reduce(state, { type: "search", query: "  LEDG " });
    assert.deepEqual(
      visibleApps(state).others.map((a) => a.key),
      ["ledgerly"],
    );
    state = run(state, { type: "search", query: "" }, { type: "filter", category: "accounting" });
    assert.deepEqual(
      visibleApps(state).others.map((a) => a.key),
      ["ledgerly", "paperbooks"],
    );
    assert.deepEqual(visibleApps(state).recommended, []);
  });

  it("limits the catalogue to the host's categories", () => {
    const state = loaded({ categories: ["banking"] });
    const { recommended, others } = visibleApps(state);
    assert.deepEqual(
      [...recommended, ...others].map((a) => a.key),
      ["northbank"],
    );
  });

  it("does not select an app that is already connected and healthy", () => {
    const state = loaded({
      session: { ...SESSION, connections: [{ integration: "ledgerly", status: "healthy", sync_progress: 100 }] },
    });
    assert.equal(reduce(state, { type: "select", key: "ledgerly" }), state);
  });
});

describe("connect flows", () => {
  const cases = [
    ["ledgerly", STEP.POPUP],
    ["northbank", STEP.CREDENTIALS],
    ["paperbooks", STEP.UPLOAD],
  ];
  for (const [key, step] of cases) {
    it(`selecting ${key} goes to ${step}`, () => {
      assert.equal(reduce(loaded(), { type: "select", key }).step, step);
    });
  }

  it("OAuth: blocked popup, retried, then connected and syncing", () => {
    const attempt = { attempt_id: "a1", kind: "popup", connect_url: "https://up/connect/ledgerly" };
    let state = run(loaded(), { type: "select", key: "ledgerly" }, { type: "popup_blocked" });
    assert.equal(state.step, STEP.BLOCKED);
    state = run(state, { type: "attempt_started", attempt }, { type: "popup_opened" });
    assert.equal(state.step, STEP.POPUP);
    state = reduce(state, { type: "attempt_result", attempt_id: "other", status: "connected" });
    assert.equal(state.step, STEP.POPUP, "a result for another attempt is ignored");
    state = reduce(state, { type: "attempt_result", attempt_id: "a1", status: "connected" });
    assert.equal(state.step, STEP.SYNC);
    assert.deepEqual(state.made, ["ledgerly"]);
    assert.equal(syncFinished(state), false);
  });

  it("OAuth denied: a screen, then retry goes back to the popup step", () => {
    let state = run(loaded(), { type: "select", key: "ledgerly" }, { type: "attempt_result", status: "denied" });
    assert.equal(state.step, STEP.DENIED);
    assert.equal(exitMetadata(state).integration, "ledgerly");
    state = reduce(state, { type: "retry" });
    assert.equal(state.step, STEP.POPUP);
    assert.equal(state.selected, "ledgerly");
  });

  it("a late second attempt does not replace the one a form was sent on", () => {
    let state = run(
      loaded(),
      { type: "select", key: "northbank" },
      { type: "attempt_started", attempt: { attempt_id: "first" } },
      { type: "busy" },
      { type: "attempt_started", attempt: { attempt_id: "late" } },
    );
    assert.equal(state.attempt.attempt_id, "first");
    state = reduce(state, { type: "attempt_result", attempt_id: "first", status: "mfa_required", challenge: {} });
    assert.equal(state.step, STEP.MFA);
    assert.equal(state.busy, false);
  });

  it("credentials: wrong password, then MFA with a wrong code, then connected", () => {
    let state = run(
      loaded(),
      { type: "select", key: "northbank" },
      { type: "attempt_started", attempt: { attempt_id: "a2" } },
    );
    state = run(state, { type: "busy" }, { type: "attempt_result", status: "invalid_credentials" });
    assert.equal(state.step, STEP.CREDENTIALS);
    assert.deepEqual(state.formError, { field: "password", key: "credentials.invalid" });
    state = run(
      state,
      { type: "busy" },
      { type: "attempt_result", status: "mfa_required", challenge: { id: "c1", destination: "•••• 42" } },
    );
    assert.equal(state.step, STEP.MFA);
    assert.equal(state.formError, null);
    state = run(state, { type: "busy" }, { type: "attempt_result", status: "invalid_code" });
    assert.equal(state.step, STEP.MFA);
    assert.equal(state.formError.key, "mfa.wrong");
    assert.equal(state.busy, false);
    state = reduce(state, { type: "attempt_result", status: "connected" });
    assert.equal(state.step, STEP.SYNC);
  });

  it("a locked account fails with its code", () => {
    const state = run(
      loaded(),
      { type: "select", key: "northbank" },
      { type: "attempt_result", status: "locked", error: "account_locked" },
    );
    assert.equal(state.step, STEP.FAILED);
    assert.equal(state.error.code, "account_locked");
  });

  it("upload rejected stays on the form with the reason", () => {
    const state = run(
      loaded(),
      { type: "select", key: "paperbooks" },
      { type: "attempt_result", status: "rejected", reason: "no header" },
    );
    assert.equal(state.step, STEP.UPLOAD);
    assert.equal(state.formError.reason, "no header");
  });
});

describe("several apps, sync and finishing", () => {
  it("connects two apps, waits for both syncs, then completes", () => {
    let state = run(loaded(), { type: "select", key: "ledgerly" }, { type: "attempt_result", status: "connected" });
    assert.equal(reduce(state, { type: "finish" }), state, "cannot finish while syncing");
    state = run(
      state,
      { type: "back" },
      { type: "select", key: "northbank" },
      { type: "attempt_result", status: "connected" },
    );
    assert.deepEqual(state.made, ["ledgerly", "northbank"]);
    state = reduce(state, {
      type: "connections",
      connections: [
        { integration: "ledgerly", status: "healthy", sync_progress: 100 },
        { integration: "northbank", status: "syncing", sync_progress: 50 },
      ],
    });
    assert.equal(syncFinished(state), false);
    state = reduce(state, {
      type: "connections",
      connections: [
        { integration: "ledgerly", status: "healthy", sync_progress: 100 },
        { integration: "northbank", status: "healthy", sync_progress: 100 },
      ],
    });
    assert.equal(syncFinished(state), true);
    state = reduce(state, { type: "finish" });
    assert.equal(state.step, STEP.COMPLETING);
    state = reduce(state, { type: "completed", result: { account_key: "k", connections: [] } });
    assert.equal(state.step, STEP.DONE);
  });

  it("cannot finish with nothing connected", () => {
    const state = loaded();
    assert.equal(reduce(state, { type: "finish" }), state);
  });

  it("an expired token ends on the expired screen from any step", () => {
    for (const key of ["ledgerly", "northbank", "paperbooks"]) {
      const state = run(loaded(), { type: "select", key }, { type: "expired", error: { code: "invalid_token" } });
      assert.equal(state.step, STEP.EXPIRED);
    }
  });

  it("exit metadata names the step and what was connected, never a token", () => {
    const state = run(loaded(), { type: "select", key: "ledgerly" }, { type: "attempt_result", status: "connected" });
    assert.deepEqual(exitMetadata(state), { step: STEP.SYNC, integration: null, connections_made: ["ledgerly"] });
  });
});

describe("step registry", () => {
  const registry = [
    { id: "map", scope: "map", title: "Map" },
    { id: "reconcile", scope: "reconcile", title: "Reconcile" },
  ];
  const cases = [
    ["connect", ["link"], "complete"],
    ["connect", ["link", "map"], "map"],
    ["connect", ["link", "reconcile"], "reconcile"],
    ["map", ["link", "map", "reconcile"], "reconcile"],
    ["reconcile", ["link", "map", "reconcile"], "complete"],
    ["unknown", ["map"], "complete"],
  ];
  for (const [current, scopes, expected] of cases) {
    it(`after ${current} with ${scopes} comes ${expected}`, () => {
      assert.equal(nextStep(current, scopes, registry), expected);
    });
  }
});
