import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MESSAGE } from "../src/messages.js";
import { POLL_MS, connectEffects } from "../src/frame/connect/effects.js";
import { STEP } from "../src/frame/steps.js";
import { catalogueState, expiredToken, fakeIo, fakeWindow, settle } from "./effects_fakes.js";

const ATTEMPT = { attempt_id: "att_1", connect_url: "https://broker.test/connect/att_1" };

describe("the OAuth popup", () => {
  it("opens inside the click, loads the attempt's URL, and is watched until the app answers", async () => {
    const answers = [{ status: "pending" }, { status: "connected" }];
    const io = fakeIo(catalogueState(), {
      startAttempt: async (key) => ({ ...ATTEMPT, key }),
      attempt: async (id) => ({ attempt_id: id, ...answers.shift() }),
      connections: async () => ({ connections: [] }),
    });
    const win = fakeWindow();
    const { actions } = connectEffects(io, win);
    actions.select("ledgerly");
    assert.deepEqual(win.opened, [["", "ledgerlink_connect", "popup,width=500,height=720"]]);
    assert.equal(io.state.step, STEP.POPUP);
    await settle();
    assert.deepEqual(win.popup.loaded, [ATTEMPT.connect_url]);
    assert.equal(await win.timers.runNext(), POLL_MS); // pending: polled again
    assert.equal(io.state.step, STEP.POPUP);
    await win.timers.runNext();
    assert.equal(io.state.step, STEP.SYNC);
    assert.ok(win.popup.closed, "the popup is closed once the app answered");
    assert.deepEqual(
      io.events.map(([name]) => name),
      ["app_selected", "connected"],
    );
    assert.deepEqual(io.events[1][1], { integration: "ledgerly", category: "accounting", auth_type: "oauth2" });
  });

  it("says when the owner closed it, and a blocked one asks for a click", async () => {
    const io = fakeIo(catalogueState(), {
      startAttempt: async () => ATTEMPT,
      attempt: async () => ({ status: "pending" }),
    });
    const win = fakeWindow();
    connectEffects(io, win).actions.select("ledgerly");
    await settle();
    win.popup.closed = true;
    await win.timers.runNext();
    assert.equal(io.state.popupClosed, true);

    const blockedIo = fakeIo(catalogueState(), { startAttempt: async () => ATTEMPT });
    connectEffects(blockedIo, fakeWindow({ blocked: true })).actions.select("ledgerly");
    assert.equal(blockedIo.state.step, STEP.BLOCKED);
    assert.deepEqual(blockedIo.events[1], ["error", { code: "popup_blocked", step: "popup", integration: "ledgerly" }]);
  });

  it("takes the callback page's message only from its own popup, then asks the broker", async () => {
    const asked = [];
    const io = fakeIo(catalogueState(), {
      startAttempt: async () => ATTEMPT,
      attempt: async (id) => (asked.push(id), { attempt_id: id, status: "denied" }),
    });
    const win = fakeWindow();
    connectEffects(io, win).actions.select("ledgerly");
    await settle();
    const data = { type: MESSAGE.ATTEMPT, payload: { attempt_id: "att_1", status: "denied", error: null } };
    await win.message({ source: {}, origin: win.location.origin, data });
    await win.message({ source: win.popup, origin: "https://evil.test", data });
    assert.deepEqual(asked, []);
    await win.message({ source: win.popup, origin: win.location.origin, data });
    assert.deepEqual(asked, ["att_1"]);
    assert.equal(io.state.step, STEP.DENIED);
    assert.deepEqual(io.events.at(-1), ["error", { code: "denied", step: "popup", integration: "ledgerly" }]);
  });

  it("stops polling on an expired token and hands it to the frame", async () => {
    const io = fakeIo(catalogueState(), {
      startAttempt: async () => ATTEMPT,
      attempt: async () => {
        throw expiredToken();
      },
    });
    const win = fakeWindow();
    connectEffects(io, win).actions.select("ledgerly");
    await settle();
    await win.timers.runNext();
    assert.deepEqual(io.failed, [["token_expired", undefined]]);
    assert.equal(win.timers.pending.size, 0);
  });
});

describe("the sign-in forms", () => {
  const signIn = () =>
    fakeIo(catalogueState(), {
      startAttempt: async () => ATTEMPT,
      credentials: async (id, fields) => ({ attempt_id: id, status: "mfa_required", challenge: {}, sent: fields }),
      mfa: async (id) => ({ attempt_id: id, status: "invalid_code", attempts_left: 1 }),
    });

  it("say what is missing before anything is sent", async () => {
    const io = signIn();
    const { actions } = connectEffects(io, fakeWindow());
    actions.select("northbank");
    await actions.submitCredentials({ username: "", password: "x" });
    assert.equal(io.state.formError.key, "credentials.required");
    assert.equal(io.state.formError.field, "username");
    await actions.submitCredentials({ username: "owner", password: "" });
    assert.equal(io.state.formError.field, "password");
  });

  it("send the credentials on the attempt started at selection, then a wrong code says the tries left", async () => {
    const io = signIn();
    const { actions } = connectEffects(io, fakeWindow());
    actions.select("northbank");
    await actions.submitCredentials({ username: "owner", password: "secret" });
    assert.equal(io.state.step, STEP.MFA);
    await actions.submitMfa({ code: "12a" });
    assert.equal(io.state.formError.key, "mfa.format");
    await actions.submitMfa({ code: "123456" });
    assert.equal(io.state.formError.key, "mfa.wrongLeft.one");
    assert.deepEqual(io.said, ['mfa.wrongLeft.one {"app":"Northbank","field":"","reason":"","count":1}']);
  });

  it("refuse a file that is not a CSV or too large", async () => {
    const io = fakeIo(catalogueState(), {});
    const { actions } = connectEffects(io, fakeWindow());
    await actions.submitUpload({ chart: { name: "chart.xlsx", size: 10 }, trial: { name: "t.csv", size: 10 } });
    assert.deepEqual(io.state.formError, { field: "chart", key: "upload.type" });
    await actions.submitUpload({ chart: { name: "c.csv", size: 10 }, trial: { name: "t.csv", size: 3 * 1024 * 1024 } });
    assert.deepEqual(io.state.formError, { field: "trial", key: "upload.size" });
  });
});

describe("the first sync", () => {
  it("is polled until done, then says so once and stops", async () => {
    const progress = [40, 100];
    const state = catalogueState(["link"], [{ integration: "ledgerly", status: "syncing", sync_progress: 0 }]);
    const io = fakeIo(
      { ...state, made: ["ledgerly"] },
      {
        connections: async () => ({
          connections: [{ integration: "ledgerly", status: "syncing", sync_progress: progress.shift() }],
        }),
      },
    );
    const win = fakeWindow();
    connectEffects(io, win).pollSync();
    assert.equal(await win.timers.runNext(), POLL_MS / 2);
    assert.deepEqual(io.said, []);
    assert.equal(await win.timers.runNext(), POLL_MS);
    assert.deepEqual(io.said, ['sync.done {"app":"Ledgerly"}']);
    assert.equal(win.timers.pending.size, 0);
  });

  it("stops once the widget has exited", async () => {
    let asked = 0;
    const io = fakeIo(catalogueState(), { connections: async () => (asked++, { connections: [] }) });
    const win = fakeWindow();
    connectEffects(io, win).pollSync();
    io.done = true;
    await win.timers.runNext();
    assert.equal(asked, 0);
  });
});
