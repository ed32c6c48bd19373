import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FROM_POPUP,
  MESSAGE,
  TO_FRAME,
  TO_HOST,
  acceptMessage,
  initProblem,
  isMessage,
  send,
  themeProblem,
} from "../src/messages.js";

const BROKER = "https://broker.example";
const frameWindow = { name: "frame" };
const otherWindow = { name: "other" };
const expected = { source: frameWindow, origin: BROKER, guards: TO_HOST };
const ready = { type: MESSAGE.READY, payload: {} };

describe("acceptMessage checks source, then exact origin, then shape", () => {
  const cases = [
    ["the expected window, origin and shape", { source: frameWindow, origin: BROKER, data: ready }, true],
    ["another window", { source: otherWindow, origin: BROKER, data: ready }, false],
    ["no source", { source: null, origin: BROKER, data: ready }, false],
    ["another origin", { source: frameWindow, origin: "https://evil.example", data: ready }, false],
    ["a sub-domain of the origin", { source: frameWindow, origin: "https://x.broker.example", data: ready }, false],
    ["the origin with a trailing slash", { source: frameWindow, origin: `${BROKER}/`, data: ready }, false],
    ["http instead of https", { source: frameWindow, origin: "http://broker.example", data: ready }, false],
    ["a string", { source: frameWindow, origin: BROKER, data: "ledgerlink:v1:ready" }, false],
    [
      "an unknown type",
      { source: frameWindow, origin: BROKER, data: { type: "ledgerlink:v1:hello", payload: {} } },
      false,
    ],
    [
      "another version",
      { source: frameWindow, origin: BROKER, data: { type: "ledgerlink:v2:ready", payload: {} } },
      false,
    ],
    ["an extra top-level key", { source: frameWindow, origin: BROKER, data: { ...ready, token: "x" } }, false],
    [
      "a message for the other direction",
      { source: frameWindow, origin: BROKER, data: { type: MESSAGE.CLOSE, payload: {} } },
      false,
    ],
  ];
  for (const [name, event, accepted] of cases) {
    it(`${accepted ? "accepts" : "ignores"} ${name}`, () => {
      assert.equal(acceptMessage(event, expected) !== null, accepted);
    });
  }
  it("never accepts the opaque origin, even when expected", () => {
    const event = { source: frameWindow, origin: "null", data: ready };
    assert.equal(acceptMessage(event, { ...expected, origin: "null" }), null);
  });
  it("does not throw on hostile payloads", () => {
    const hostile = {
      get name() {
        throw new Error("boom");
      },
    };
    assert.equal(isMessage({ type: MESSAGE.EVENT, payload: hostile }, TO_HOST), false);
    assert.equal(isMessage(Object.create(null), TO_HOST), false);
  });
});

describe("payload guards", () => {
  const meta = { step: "catalogue", integration: null, connections_made: ["ledgerly"] };
  const options = {
    locale: "fr",
    categories: ["banking"],
    apps: ["ledgerly"],
    theme: { accent: "#0b5fff" },
    mode: "modal",
  };
  const cases = [
    [TO_HOST, MESSAGE.EVENT, { name: "open", metadata: meta }, true],
    [TO_HOST, MESSAGE.EVENT, { name: "mapping_saved", metadata: meta }, true],
    [TO_HOST, MESSAGE.EVENT, { name: "money_moved", metadata: meta }, false],
    [TO_HOST, MESSAGE.EVENT, { name: "open", metadata: { nested: { token: "x" } } }, false],
    [TO_HOST, MESSAGE.EXIT, { error: null, metadata: meta }, true],
    [TO_HOST, MESSAGE.EXIT, { error: { code: "invalid_token", message: "expired" }, metadata: meta }, true],
    [TO_HOST, MESSAGE.EXIT, { error: "expired", metadata: meta }, false],
    [TO_HOST, MESSAGE.SUCCESS, { result: { account_key: "k", connections: [{ integration: "ledgerly" }] } }, true],
    [TO_HOST, MESSAGE.SUCCESS, { result: { connections: [] } }, false],
    [TO_HOST, MESSAGE.RESIZE, { height: 480 }, true],
    [TO_HOST, MESSAGE.RESIZE, { height: Infinity }, false],
    [TO_HOST, MESSAGE.RESIZE, { height: "480px" }, false],
    [TO_FRAME, MESSAGE.INIT, { token: "t", options }, true],
    [TO_FRAME, MESSAGE.INIT, { token: "", options }, false],
    [TO_FRAME, MESSAGE.INIT, { token: "t", options: { ...options, locale: "de" } }, false],
    [TO_FRAME, MESSAGE.INIT, { token: "t", options: { ...options, mode: "popup" } }, false],
    [TO_FRAME, MESSAGE.INIT, { token: "t", options: { ...options, theme: { accent: "red" } } }, false],
    [TO_FRAME, MESSAGE.INIT, { token: "t", options: { ...options, apps: ["Not A Key"] } }, false],
    [TO_FRAME, MESSAGE.CLOSE, {}, true],
    [TO_FRAME, MESSAGE.CLOSE, { now: true }, false],
    [FROM_POPUP, MESSAGE.ATTEMPT, { attempt_id: "a1", status: "connected", error: null }, true],
    [FROM_POPUP, MESSAGE.ATTEMPT, { attempt_id: "a1", status: "owned", error: null }, false],
  ];
  for (const [guards, type, payload, ok] of cases) {
    it(`${type} ${JSON.stringify(payload).slice(0, 70)} -> ${ok}`, () => {
      assert.equal(isMessage({ type, payload }, guards), ok);
    });
  }
});

describe("send", () => {
  it("names the exact target origin and refuses a wildcard", () => {
    const posted = [];
    const target = { postMessage: (data, origin) => posted.push([data, origin]) };
    assert.equal(send(target, BROKER, MESSAGE.CLOSE), true);
    assert.deepEqual(posted, [[{ type: MESSAGE.CLOSE, payload: {} }, BROKER]]);
    assert.equal(send(target, "*", MESSAGE.CLOSE), false);
    assert.equal(send(target, `${BROKER}/path`, MESSAGE.CLOSE), false);
    assert.equal(posted.length, 1);
  });
});

describe("themeProblem", () => {
  const cases = [
    [{ accent: "#0b5fff", logoUrl: "https://cdn.example/logo.svg", name: "Acme Capital" }, ""],
    [{ logoUrl: "http://127.0.0.1:8000/logo.png" }, ""],
    [{ logoUrl: "http://cdn.example/logo.png" }, "logoUrl"],
    [{ logoUrl: "javascript:alert(1)" }, "logoUrl"],
    [{ accent: "blue" }, "accent"],
    [{ name: "" }, "name"],
    [{ colour: "#000000" }, "unknown key"],
    ["dark", "object"],
  ];
  for (const [theme, problem] of cases) {
    it(`${JSON.stringify(theme)} -> ${problem || "ok"}`, () => {
      const found = themeProblem(theme);
      assert.equal(problem ? found.includes(problem) : found === "", true, found);
    });
  }
});

describe("initProblem names the display option the frame refuses (the loader checks only names and types)", () => {
  const init = (options) => ({ token: "t", options: { mode: "modal", ...options } });
  const cases = [
    [init({}), ""],
    [init({ locale: null, categories: null, apps: null, theme: null }), ""],
    [init({ locale: "fr", categories: ["banking"], apps: ["ledgerly"], theme: { accent: "#0b5fff" } }), ""],
    [{ token: "", options: { mode: "modal" } }, "options.token is not valid"],
    [{ token: "x".repeat(2049), options: { mode: "modal" } }, "options.token is not valid"],
    [init({ locale: "de" }), "options.locale is not valid"],
    [init({ categories: ["crypto"] }), "options.categories is not valid"],
    [init({ apps: ["Ledgerly!"] }), "options.apps is not valid"],
    [init({ theme: { accent: "red" } }), "options.theme.accent is not valid"],
    [init({ theme: { logoUrl: "ftp://x/y.png" } }), "options.theme.logoUrl is not valid"],
    [init({ theme: { colour: "#000000" } }), 'options.theme has an unknown key "colour"'],
    [init({ theme: "dark" }), "options.theme must be an object"],
    [init({ mode: "popup" }), "options.mode is not valid"],
  ];
  for (const [payload, problem] of cases) {
    it(`${JSON.stringify(payload).slice(0, 80)} -> ${problem || "ok"}`, () => {
      assert.equal(initProblem(payload), problem);
      assert.equal(isMessage({ type: MESSAGE.INIT, payload }, TO_FRAME), problem === "");
    });
  }
});
