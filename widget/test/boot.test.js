import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { runInNewContext } from "node:vm";
import { BOOT_OUTPUT } from "../scripts/bundle.js";

const HOST = "https://lender.example";
const BOOT = readFileSync(BOOT_OUTPUT, "utf8");

/** Run dist/boot.js in a frame whose parent is `HOST`; return what it did. */
function boot({ claimed = HOST, ancestors = [HOST], locale = "fr", name = "" } = {}) {
  const parent = { posted: [], postMessage: (data, origin) => parent.posted.push({ data, origin }) };
  const listeners = new Set();
  const errorListeners = new Set();
  const timers = new Map();
  class HTMLScriptElement {}
  const fetched = [];
  const scripts = [];
  const document = {
    querySelector: (selector) =>
      selector === "script[src]"
        ? scripts[0] || null
        : selector === 'link[rel="modulepreload"]'
          ? { href: "/widget/v1/assets/frame/bundle.js?v=1" }
          : null,
    createElement: (tag) => ({ tag }),
    head: { appendChild: (element) => scripts.push(element) },
  };
  const window = {
    name,
    parent,
    addEventListener: (type, listener) => (type === "message" ? listeners : errorListeners).add(listener),
    removeEventListener: (type, listener) => (type === "message" ? listeners : errorListeners).delete(listener),
  };
  const context = {
    window,
    document,
    location: {
      search: `?origin=${encodeURIComponent(claimed)}&mode=modal&locale=${locale}`,
      ancestorOrigins: ancestors,
    },
    navigator: { languages: ["en-GB"] },
    URLSearchParams,
    HTMLScriptElement,
    console: { error: () => {} },
    setTimeout: (run, ms) => timers.set(timers.size + 1, { run, ms }).size,
    clearTimeout: (id) => timers.delete(id),
    FormData,
    fetch: (url, init) => {
      fetched.push({ url, init });
      return Promise.resolve({ ok: true, json: async () => ({}) });
    },
  };
  runInNewContext(BOOT, context);
  const hear = (event) => [...listeners].forEach((listener) => listener(event));
  const failScript = () => [...errorListeners].forEach((listener) => listener({ target: new HTMLScriptElement() }));
  return { window, parent, fetched, hear, listeners, timers, failScript, scripts };
}

/** A value made in the script's realm, as plain data of this one (deepEqual compares prototypes too). */
const plain = (value) => JSON.parse(JSON.stringify(value));
const init = (token) => ({ type: "ledgerlink:v1:init", payload: { token, options: { mode: "modal" } } });

describe("the frame's inline boot script (dist/boot.js)", () => {
  it("says ready to the verified parent at its exact origin and fetches the URL's locale's words", () => {
    const { parent, fetched } = boot();
    assert.deepEqual(plain(parent.posted), [{ data: { type: "ledgerlink:v1:ready", payload: {} }, origin: HOST }]);
    assert.deepEqual(
      fetched.map((f) => f.url),
      ["/widget/v1/assets/i18n/fr.json"],
    );
  });

  it("starts the bootstrap call with the token of the parent's init, and hands over what it heard", () => {
    const { window, parent, fetched, hear, listeners } = boot();
    const message = { source: parent, origin: HOST, data: init("tok-1") };
    hear(message);
    hear({ source: parent, origin: HOST, data: init("tok-2") }); // one call only
    const calls = fetched.filter((f) => f.url === "/v1/link/bootstrap");
    assert.equal(calls.length, 1);
    assert.equal(calls[0].init.headers.Authorization, "Bearer tok-1");
    assert.equal(calls[0].init.headers["X-LedgerLink-Parent-Origin"], HOST);
    assert.equal(calls[0].init.credentials, "omit");
    const taken = window.ledgerlinkBoot.takeOver();
    assert.equal(listeners.size, 0, "it stops listening once the bundle takes over");
    assert.equal(taken.heard[0], message);
    assert.equal(taken.bootstrap.token, "tok-1");
    assert.equal(taken.bootstrap.url, "/v1/link/bootstrap");
    assert.deepEqual(Object.keys(taken.words), ["fr"]);
  });

  it("starts the bootstrap call at once with the token the loader put in the frame's name, and clears the name", () => {
    const { window, parent, fetched, hear } = boot({ name: "tok-named" });
    assert.equal(window.name, "", "nothing after this page may read it");
    const calls = () => fetched.filter((f) => f.url === "/v1/link/bootstrap");
    assert.equal(calls().length, 1, "before any message from the host page");
    assert.equal(calls()[0].init.headers.Authorization, "Bearer tok-named");
    assert.equal(calls()[0].init.headers["X-LedgerLink-Parent-Origin"], HOST);
    hear({ source: parent, origin: HOST, data: init("tok-named") });
    assert.equal(calls().length, 1, "the handshake's init does not ask again");
    // app.js uses the answer only when the init brings the same token (fetchFramedBy and the early call).
    assert.equal(window.ledgerlinkBoot.takeOver().bootstrap.token, "tok-named");
  });

  it("runs the bundle once the host page has said something, once", () => {
    const { parent, hear, scripts } = boot();
    assert.equal(scripts.length, 0, "fetched by the page's modulepreload link, not run yet");
    hear({ source: {}, origin: HOST, data: init("stranger") });
    assert.equal(scripts.length, 0, "not for a stranger");
    hear({ source: parent, origin: HOST, data: init("tok-1") });
    hear({ source: parent, origin: HOST, data: { type: "ledgerlink:v1:show", payload: {} } });
    assert.deepEqual(plain(scripts), [{ tag: "script", type: "module", src: "/widget/v1/assets/frame/bundle.js?v=1" }]);
  });

  it("ignores messages from another window or another origin", () => {
    const { window, parent, fetched, hear } = boot();
    hear({ source: {}, origin: HOST, data: init("stranger") });
    hear({ source: parent, origin: "https://evil.example", data: init("evil") });
    assert.equal(fetched.filter((f) => f.url === "/v1/link/bootstrap").length, 0);
    assert.equal(window.ledgerlinkBoot.takeOver().heard.length, 0);
  });

  it("does nothing in a page whose claimed origin is not its parent's but run the bundle, which says so", () => {
    const { window, parent, fetched, scripts } = boot({ ancestors: ["https://evil.example"], name: "tok-named" });
    assert.deepEqual(parent.posted, []);
    assert.deepEqual(fetched, []);
    assert.equal(window.ledgerlinkBoot, undefined);
    assert.equal(scripts.length, 1);
  });

  it("ends the widget with frame_unavailable when the bundle fails to load or never takes over", () => {
    const exits = (posted) => plain(posted).filter((m) => m.data.type === "ledgerlink:v1:exit");
    const failed = boot();
    failed.failScript();
    assert.equal(exits(failed.parent.posted).length, 0, "a frame warming up hidden says nothing yet");
    failed.hear({ source: failed.parent, origin: HOST, data: { type: "ledgerlink:v1:show", payload: {} } });
    const [exit] = exits(failed.parent.posted);
    assert.equal(exit.origin, HOST);
    assert.equal(exit.data.payload.error.code, "frame_unavailable");
    assert.deepEqual(exit.data.payload.metadata, { step: "loading", integration: null, connections_made: [] });
    const names = plain(failed.parent.posted)
      .map((m) => m.data.payload.name)
      .filter(Boolean);
    assert.deepEqual(names, ["error", "exit"]);

    const stalled = boot();
    stalled.hear({ source: stalled.parent, origin: HOST, data: { type: "ledgerlink:v1:show", payload: {} } });
    const [timer] = stalled.timers.values();
    assert.equal(timer.ms, 10000);
    timer.run();
    assert.equal(exits(stalled.parent.posted).length, 1);

    const fine = boot();
    fine.window.ledgerlinkBoot.takeOver();
    assert.equal(fine.timers.size, 0, "taking over stops the clock");
    fine.failScript();
    assert.equal(exits(fine.parent.posted).length, 0);
  });
});
