import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrokerError } from "../src/frame/api.js";
import { connectEffects } from "../src/frame/connect/effects.js";
import { resumeEffects } from "../src/frame/resume/effects.js";
import { progressToRecord, sessionStep } from "../src/frame/resume/state.js";
import { exitMetadata, initialState, reduce } from "../src/frame/state.js";
import { STEP } from "../src/frame/steps.js";
import { APPS, fakeIo, fakeTimers, fakeWindow, settle } from "./effects_fakes.js";

const ACCOUNTING_AND_BANK = [
  { integration: "ledgerly", status: "healthy", sync_progress: 100 },
  { integration: "northbank", status: "healthy", sync_progress: 100 },
];

/** A progress answer of the broker (GET /v1/link/bootstrap's `progress`). */
function progress(extra = {}, resume = {}) {
  return {
    link_session_id: "lks_new",
    mode: "create",
    integration: null,
    status: "open",
    step: "connect",
    steps_done: [],
    apps_connected: [],
    resumable: false,
    resumed_from: null,
    open_at: "connect",
    resume: { available: false, link_session_id: null, step: null, steps_done: [], apps_connected: [], ...resume },
    ...extra,
  };
}

function loaded(answer, { scopes = ["link", "map", "reconcile"], connections = ACCOUNTING_AND_BANK } = {}) {
  return reduce(initialState(), {
    type: "loaded",
    session: { scopes, connections },
    apps: APPS,
    progress: answer,
  });
}

describe("where the frame opens", () => {
  it("opens at the catalogue when there is nothing to resume", () => {
    assert.equal(loaded(progress()).step, STEP.CATALOGUE);
  });

  it("offers to continue when an earlier session can be resumed, or to start from the catalogue", () => {
    const offered = loaded(progress({ open_at: "map" }, { available: true, step: "map", steps_done: ["connect"] }));
    assert.equal(offered.step, STEP.RESUME);
    assert.deepEqual(offered.life.offer, { step: "map", steps_done: ["connect"] });
    assert.equal(reduce(offered, { type: "start_fresh" }).step, STEP.CATALOGUE);
  });

  it("resumes at the furthest step the broker says that the token and the connected apps allow", () => {
    const offered = loaded(progress({}, { available: true, step: "reconcile" }));
    const resumed = (openAt, state = offered) =>
      reduce(state, { type: "resumed", progress: progress({ open_at: openAt, step: openAt, resumable: true }) });
    assert.equal(resumed("map").step, STEP.MAP);
    assert.equal(resumed("reconcile").step, STEP.RECONCILE);
    assert.equal(resumed("review").step, STEP.RECONCILE, "no step of its own yet: the last one before it");
    assert.equal(resumed("connect").step, STEP.CATALOGUE);
    const mapOnly = loaded(progress({}, { available: true, step: "reconcile" }), { scopes: ["link", "map"] });
    assert.equal(resumed("reconcile", mapOnly).step, STEP.MAP, "the token cannot reconcile");
    const noBank = loaded(progress({}, { available: true }), { connections: [ACCOUNTING_AND_BANK[0]] });
    assert.equal(resumed("reconcile", noBank).step, STEP.MAP, "reconciling needs a bank");
    assert.equal(resumed("map").life.resumable, true);
  });

  it("in update mode opens on the app's reconnect screen, and every way back leads there", () => {
    const state = loaded(progress({ mode: "update", integration: "ledgerly" }));
    assert.equal(state.step, STEP.RECONNECT);
    assert.equal(exitMetadata(state).integration, "ledgerly");
    const signing = reduce(state, { type: "select", key: "ledgerly" });
    assert.equal(signing.step, STEP.POPUP, "a healthy-looking connection can be reconnected too");
    assert.equal(reduce(signing, { type: "back" }).step, STEP.RECONNECT);
    assert.equal(reduce(state, { type: "select", key: "northbank" }).step, STEP.RECONNECT, "only its own app");
  });

  it("in update mode for an app the catalogue does not know, says it failed", () => {
    assert.equal(loaded(progress({ mode: "update", integration: "gone" })).step, STEP.FAILED);
  });
});

describe("what the broker records", () => {
  it("names the broker's step of each screen", () => {
    assert.deepEqual(
      [STEP.CATALOGUE, STEP.MFA, STEP.RECONNECT, STEP.MAP, STEP.RECONCILE, STEP.DONE, STEP.RESUME].map(sessionStep),
      ["connect", "connect", "connect", "map", "reconcile", null, null],
    );
  });

  it("records a new step, and the step finished when moving forward, once the session is known", () => {
    const catalogue = loaded(progress());
    assert.equal(progressToRecord(initialState(), catalogue), null, "the first screen is where the broker says");
    const map = { ...catalogue, step: STEP.MAP };
    assert.deepEqual(progressToRecord(catalogue, map), { step: "map", done: ["connect"] });
    assert.deepEqual(progressToRecord(map, { ...map, step: STEP.RECONCILE }), { step: "reconcile", done: ["map"] });
    assert.equal(progressToRecord(catalogue, { ...catalogue, step: STEP.SYNC }), null, "the same broker step");
    assert.deepEqual(progressToRecord({ ...catalogue, step: STEP.RESUME }, map), { step: "map", done: ["connect"] });
    const recorded = reduce(map, { type: "progress", progress: progress({ step: "map" }) });
    assert.equal(progressToRecord(catalogue, recorded), null, "the broker has it already");
    const unknown = reduce(initialState(), { type: "loaded", session: { scopes: [], connections: [] }, apps: APPS });
    assert.equal(progressToRecord(unknown, { ...unknown, step: STEP.MAP }), null);
  });
});

/** The session life's effects over the fake io, with connect's real select behind them. */
function effects(state, broker) {
  const io = fakeIo(state, broker);
  const win = fakeWindow();
  const connect = connectEffects(io, win);
  const timers = fakeTimers();
  const life = resumeEffects(io, { select: connect.actions.select, setTimeout: timers.setTimeout });
  return { io, win, life, timers };
}

describe("the session life's effects", () => {
  it("opens a form app's sign-in straight away in update mode; an OAuth app waits for the owner's click", async () => {
    const attempts = [];
    const broker = { startAttempt: async (key) => (attempts.push(key), { attempt_id: "att_1", connect_url: "u" }) };
    const bank = effects(loaded(progress({ mode: "update", integration: "northbank" })), broker);
    bank.life.opened(progress({ mode: "update", integration: "northbank" }));
    assert.equal(bank.io.state.step, STEP.CREDENTIALS);
    await settle();
    assert.deepEqual(attempts, ["northbank"]);
    const books = effects(loaded(progress({ mode: "update", integration: "ledgerly" })), broker);
    books.life.opened(progress({ mode: "update", integration: "ledgerly" }));
    assert.equal(books.io.state.step, STEP.RECONNECT);
    assert.deepEqual(books.win.opened, [], "no window without a click");
    books.life.actions.reconnect();
    assert.equal(books.io.state.step, STEP.POPUP);
    assert.equal(books.win.opened.length, 1);
  });

  it("continues where the owner left off: resume, then the step's data is loaded", async () => {
    const calls = [];
    const answer = progress({ open_at: "map", step: "map", steps_done: ["connect"], resumable: true });
    const { io, life } = effects(loaded(progress({}, { available: true, step: "map" })), {
      resume: async () => (calls.push("resume"), answer),
    });
    life.actions.resume();
    assert.equal(io.state.life.busy, true);
    life.actions.resume(); // a second press while the first is answered
    await settle();
    assert.deepEqual(calls, ["resume"]);
    assert.equal(io.state.step, STEP.MAP);
    assert.deepEqual(io.entered, [STEP.MAP]);
  });

  it("says so when resuming fails, and an expired token ends in the expired step", async () => {
    const refused = effects(loaded(progress({}, { available: true, step: "map" })), {
      resume: async () => {
        throw new BrokerError(409, "nothing_to_resume", "Nothing to resume.");
      },
    });
    await refused.life.actions.resume();
    assert.equal(refused.io.state.step, STEP.RESUME);
    assert.equal(refused.io.state.life.failed, true);
    const expired = effects(loaded(progress({}, { available: true, step: "map" })), {
      resume: async () => {
        throw new BrokerError(401, "token_expired", "Expired.");
      },
    });
    await expired.life.actions.resume();
    assert.deepEqual(expired.io.failed, [["token_expired", undefined]]);
  });

  it("records each new step in order, and leaving says what the broker says is resumable", async () => {
    const saved = [];
    const { io, life } = effects(loaded(progress()), {
      saveProgress: async (body) => (saved.push(body), progress({ step: body.step, resumable: true })),
      exitSession: async (step) => ({ link_session_id: "lks_new", resumable: step === "map", step }),
    });
    life.opened(progress());
    const before = io.state;
    io.state = { ...before, step: STEP.MAP };
    life.stepChanged(before, io.state);
    await settle();
    assert.deepEqual(saved, [{ step: "map", done: ["connect"] }]);
    assert.equal(await life.leaving(), true);
  });

  it("falls back on the last progress answer when the exit call fails or takes too long", async () => {
    const { life, timers } = effects(loaded(progress({ resumable: true })), {
      exitSession: async () => {
        throw new BrokerError(401, "token_expired", "Expired.");
      },
    });
    life.opened(progress({ resumable: true }));
    assert.equal(await life.leaving(), true);
    const connected = effects(
      { ...loaded(progress()), made: ["northbank"] },
      {
        exitSession: async () => {
          throw new BrokerError(401, "token_revoked", "Revoked.");
        },
      },
    );
    connected.life.opened(progress());
    assert.equal(await connected.life.leaving(), true, "an app connected since the last answer");
    const slow = effects(loaded(progress()), { exitSession: () => new Promise(() => {}) });
    slow.life.opened(progress());
    const leaving = slow.life.leaving();
    await slow.timers.runNext();
    assert.equal(await leaving, false);
    assert.ok(timers.pending.size <= 1);
  });

  it("has nothing to say on the way out when the session never loaded", async () => {
    const { life } = effects(initialState(), { exitSession: async () => assert.fail("no call") });
    assert.equal(await life.leaving(), null);
  });
});
