import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { installLinkWidget, validateOptions } from "../src/loader.js";
import { MESSAGE } from "../src/messages.js";
import { fakeWindow, iframes } from "./fake_dom.js";

const BROKER = "https://broker.example";
const TOKEN = "link-token-abc";

describe("validateOptions", () => {
  const container = { nodeType: 1 };
  const bad = [
    [undefined, "options must be an object"],
    ["token", "options must be an object"],
    [{}, "options.token"],
    [{ token: "" }, "options.token"],
    [{ token: 42 }, "options.token"],
    [{ token: TOKEN, onSuccess: "done" }, "options.onSuccess is not valid"],
    [{ token: TOKEN, onExit: {} }, "options.onExit is not valid"],
    [{ token: TOKEN, categories: "banking" }, "options.categories is not valid"],
    [{ token: TOKEN, apps: "ledgerly" }, "options.apps is not valid"],
    [{ token: TOKEN, locale: 1 }, "options.locale is not valid"],
    [{ token: TOKEN, theme: "dark" }, "options.theme is not valid"],
    [{ token: TOKEN, theme: null }, "options.theme is not valid"],
    [{ token: TOKEN, container: "#widget" }, "options.container is not valid"],
    [{ token: TOKEN, onsuccess() {} }, 'unknown option "options.onsuccess"'],
  ];
  // The values inside well-typed display options (an unknown category, a colour that is not #rrggbb) are the
  // frame's to check: see "initProblem" in messages.test.js and the invalid_options exit in e2e/test_widget_messages.
  for (const [options, problem] of bad) {
    it(`rejects ${JSON.stringify(options) ?? "undefined"} naming the problem and the expected shape`, () => {
      assert.throws(
        () => validateOptions(options),
        (error) => {
          assert.ok(error instanceof TypeError);
          assert.ok(error.message.includes(problem), error.message);
          assert.ok(error.message.includes("Expected {token: string, onSuccess?: function"), error.message);
          return true;
        },
      );
    });
  }
  it("accepts every documented option", () => {
    const options = {
      token: TOKEN,
      onSuccess() {},
      onExit() {},
      onEvent() {},
      categories: ["banking", "accounting"],
      apps: ["ledgerly"],
      locale: "fr",
      theme: { accent: "#0b5fff", logoUrl: "https://cdn.example/l.svg", name: "Acme" },
      container,
    };
    assert.equal(validateOptions(options), options);
  });
});

describe("installLinkWidget", () => {
  it("is harmless without a DOM", () => {
    assert.equal(installLinkWidget(undefined), undefined);
  });
  it("keeps the first definition when included twice", () => {
    const win = fakeWindow();
    const first = installLinkWidget(win);
    const second = installLinkWidget(win);
    assert.equal(first, second);
    assert.equal(win.LinkWidget, first);
    assert.deepEqual(Object.keys(first).sort(), ["create", "version"]);
  });
});

describe("a handle", () => {
  let win;
  let calls;
  let handle;
  let lastFrame = null;
  const frameOf = () => (lastFrame = iframes(win.document)[0] || lastFrame);
  const fromFrame = (type, payload, overrides = {}) =>
    win.dispatchMessage({ source: frameOf().contentWindow, origin: BROKER, data: { type, payload }, ...overrides });
  const meta = { step: "catalogue", integration: null, connections_made: [] };

  beforeEach(() => {
    lastFrame = null;
    win = fakeWindow();
    calls = [];
    handle = installLinkWidget(win).create({
      token: TOKEN,
      locale: "fr",
      onSuccess: (...args) => calls.push(["success", ...args]),
      onExit: (...args) => calls.push(["exit", ...args]),
      onEvent: (...args) => calls.push(["event", ...args]),
    });
  });

  it("opens one modal frame on the broker origin with no secret in its URL", () => {
    handle.open();
    handle.open();
    assert.equal(iframes(win.document).length, 1);
    const src = new URL(frameOf().src);
    assert.equal(src.origin, BROKER);
    assert.equal(src.pathname, "/widget/v1/frame");
    assert.equal(src.searchParams.get("origin"), "https://lender.example");
    assert.equal(src.searchParams.get("locale"), "fr", "the frame fetches these words while it shakes hands");
    assert.ok(!frameOf().src.includes(TOKEN));
    const dialog = win.document.body.children.at(-1);
    assert.equal(dialog.tagName, "DIALOG");
    assert.equal(win.document.modal, dialog, "a modal dialog: the host page behind it is inert");
  });

  it("names the frame by its token (read by the frame's first script) until the frame's handshake", () => {
    handle.open();
    assert.equal(frameOf().name, TOKEN, "the frame's name: never sent over the network, unlike its URL");
    fromFrame(MESSAGE.READY, {});
    assert.equal(frameOf().name, "", "gone from the host page's DOM once the frame has read it");
  });

  it("posts the token only after the frame's handshake, to the exact broker origin", () => {
    handle.open();
    assert.equal(frameOf().contentWindow.posted.length, 0);
    fromFrame(MESSAGE.READY, {});
    fromFrame(MESSAGE.READY, {});
    const posted = frameOf().contentWindow.posted;
    assert.deepEqual(
      posted.map((p) => [p.data.type, p.origin]),
      [
        [MESSAGE.INIT, BROKER],
        [MESSAGE.SHOW, BROKER],
      ],
    );
    assert.equal(posted[0].data.payload.token, TOKEN);
    assert.equal(posted[0].data.payload.options.locale, "fr");
  });

  it("create() warms the frame up hidden: it shakes hands before open(), which only shows it", () => {
    const root = win.document.body.children.at(-1);
    assert.equal(iframes(win.document).length, 1);
    assert.ok(!root.open, "a closed dialog is not displayed");
    assert.equal(win.document.modal, null, "the page stays usable until open()");
    fromFrame(MESSAGE.READY, {});
    assert.deepEqual(
      frameOf().contentWindow.posted.map((p) => p.data.type),
      [MESSAGE.INIT],
    );
    fromFrame(MESSAGE.EVENT, { name: "open", metadata: meta });
    handle.open();
    assert.equal(root.open, true);
    assert.equal(iframes(win.document).length, 1, "the warm frame is the one shown");
    assert.deepEqual(
      frameOf().contentWindow.posted.map((p) => p.data.type),
      [MESSAGE.INIT, MESSAGE.SHOW],
    );
    assert.equal(win.document.activeElement, frameOf());
    assert.deepEqual(win.pendingTimers(), [], "no ready timeout once the frame is ready");
  });

  it("waits for the page's load event before warming up (a frame added earlier would hold that event back)", () => {
    const loading = fakeWindow();
    loading.document.readyState = "loading";
    const later = installLinkWidget(loading).create({ token: TOKEN });
    assert.equal(iframes(loading.document).length, 0);
    loading.document.readyState = "complete";
    [...loading.listeners.load].forEach((fn) => fn());
    assert.equal(iframes(loading.document).length, 1);
    later.open();
    assert.equal(iframes(loading.document).length, 1, "open() shows the warm frame");
  });

  for (const how of ["close button", "Escape"]) {
    it(`the loader's own ${how} closes the widget before the frame is ready, at the loading step`, () => {
      const opener = win.document.body.children[0];
      opener.focus();
      handle.open();
      const button = win.document.body.children.at(-1).children[1];
      assert.equal(button.tagName, "BUTTON");
      assert.equal(button.textContent, "Fermer", "its name is its text");
      assert.equal(win.document.activeElement, button, "focus starts on the only thing that works yet");
      if (how === "Escape") win.press("Escape");
      else button.fire("click");
      const metadata = { step: "loading", integration: null, connections_made: [] };
      assert.deepEqual(calls, [
        ["event", "exit", metadata],
        ["exit", null, metadata],
      ]);
      assert.equal(iframes(win.document).length, 0);
      assert.equal(win.document.body.children.length, 1);
      assert.equal(win.document.modal, null);
      assert.equal(win.document.activeElement, opener, "the focus goes back to what had it");
      assert.equal(win.listeners.message.size, 0);
    });
  }

  it("the close button goes once the frame is ready, and Escape is then the frame's", () => {
    handle.open();
    fromFrame(MESSAGE.READY, {});
    assert.equal(win.document.body.children.at(-1).children.length, 1);
    assert.equal(win.document.activeElement, frameOf());
    win.press("Escape");
    assert.deepEqual(calls, []);
  });

  for (const [name, loaded, wait] of [
    ["loads but never shakes hands", true, 2500],
    ["never loads", false, 10000],
  ]) {
    it(`a frame that ${name} is given up after ${wait} ms with frame_unavailable and a hint`, () => {
      handle.open();
      if (loaded) frameOf().fire("load");
      assert.deepEqual(win.pendingTimers(), [wait]);
      win.runTimers();
      const metadata = { step: "loading", integration: null, connections_made: [] };
      assert.deepEqual(calls, [
        ["event", "error", { code: "frame_unavailable", step: "loading", integration: null }],
        ["event", "exit", metadata],
        ["exit", { code: "frame_unavailable", message: "The widget could not be loaded." }, metadata],
      ]);
      assert.equal(iframes(win.document).length, 0);
      assert.equal(win.document.modal, null);
      assert.equal(win.listeners.message.size, 0);
      assert.match(win.console.errors[0], /register https:\/\/lender\.example for your broker client/);
      assert.match(win.console.errors[0], /frame-src https:\/\/broker\.example/);
    });
  }

  it("exit() that the frame does not answer reports the last step, app and connections the frame told", () => {
    handle.open();
    fromFrame(MESSAGE.READY, {});
    fromFrame(MESSAGE.EVENT, { name: "open", metadata: { step: "catalogue", locale: "fr", apps: 5 } });
    fromFrame(MESSAGE.EVENT, { name: "connected", metadata: { integration: "ledgerly", category: "accounting" } });
    fromFrame(MESSAGE.EVENT, { name: "app_selected", metadata: { integration: "northbank", category: "banking" } });
    fromFrame(MESSAGE.EVENT, { name: "error", metadata: { code: "x", step: "mfa", integration: "northbank" } });
    calls.length = 0;
    handle.exit();
    win.runTimers(1500);
    const metadata = { step: "mfa", integration: "northbank", connections_made: ["ledgerly"], reason: "host_exit" };
    assert.deepEqual(calls, [
      ["event", "exit", metadata],
      ["exit", null, metadata],
    ]);
  });

  it("ignores a message from a foreign window or origin", () => {
    handle.open();
    const stranger = { postMessage() {} };
    fromFrame(MESSAGE.READY, {}, { source: stranger });
    fromFrame(MESSAGE.READY, {}, { origin: "https://evil.example" });
    assert.equal(frameOf().contentWindow.posted.length, 0);
    fromFrame(MESSAGE.READY, {});
    fromFrame(MESSAGE.EXIT, { error: null, metadata: meta }, { origin: "https://evil.example" });
    assert.deepEqual(calls, []);
    assert.equal(iframes(win.document).length, 1);
  });

  it("ignores, from the frame itself, a message off the protocol or with fields it cannot use", () => {
    handle.open();
    fromFrame(MESSAGE.READY, {});
    const fromFrameData = (data) => win.dispatchMessage({ source: frameOf().contentWindow, origin: BROKER, data });
    fromFrame(MESSAGE.SUCCESS, { result: { account_key: 42, connections: [] } });
    fromFrame(MESSAGE.SUCCESS, { result: null });
    fromFrame(MESSAGE.EXIT, { error: "expired", metadata: meta });
    fromFrame(MESSAGE.EXIT, { error: null, metadata: null });
    fromFrame(MESSAGE.EVENT, { name: 42, metadata: meta });
    fromFrame(MESSAGE.RESIZE, { height: Infinity });
    fromFrameData({ type: MESSAGE.EXIT, payload: { error: null, metadata: meta }, extra: 1 });
    fromFrameData({ type: "ledgerlink:v2:exit", payload: { error: null, metadata: meta } });
    fromFrameData({ type: MESSAGE.EXIT, payload: "x" });
    fromFrameData("ledgerlink:v1:exit");
    fromFrameData(null);
    fromFrameData({
      type: MESSAGE.EVENT,
      get payload() {
        throw new Error("boom");
      },
    });
    assert.deepEqual(calls, []);
    assert.equal(iframes(win.document).length, 1);
  });

  it("relays events and fires onExit exactly once, then cleans up", () => {
    handle.open();
    fromFrame(MESSAGE.READY, {});
    fromFrame(MESSAGE.EVENT, { name: "open", metadata: meta });
    fromFrame(MESSAGE.EXIT, { error: null, metadata: meta });
    fromFrame(MESSAGE.EXIT, { error: null, metadata: meta });
    fromFrame(MESSAGE.SUCCESS, { result: { account_key: "k", connections: [] } });
    assert.deepEqual(calls, [
      ["event", "open", meta],
      ["exit", null, meta],
    ]);
    assert.equal(iframes(win.document).length, 0);
    assert.equal(win.listeners.message.size, 0);
    assert.equal(win.document.modal, null);
  });

  it("fires onSuccess once with the result", () => {
    handle.open();
    fromFrame(MESSAGE.READY, {});
    const result = { account_key: "acct", connections: [{ integration: "ledgerly", status: "healthy" }] };
    fromFrame(MESSAGE.SUCCESS, { result });
    fromFrame(MESSAGE.SUCCESS, { result });
    assert.deepEqual(calls, [["success", result]]);
  });

  it("ignores events sent before the handshake", () => {
    handle.open();
    fromFrame(MESSAGE.EVENT, { name: "open", metadata: meta });
    assert.deepEqual(calls, []);
  });

  it("exit() before the frame is ready closes at once with the loading step", () => {
    handle.open();
    handle.exit();
    handle.exit();
    const metadata = { step: "loading", integration: null, connections_made: [], reason: "host_exit" };
    assert.deepEqual(calls, [
      ["event", "exit", metadata],
      ["exit", null, metadata],
    ]);
    assert.equal(iframes(win.document).length, 0);
  });

  it("exit() after the handshake asks the frame, which answers with its step", () => {
    handle.open();
    fromFrame(MESSAGE.READY, {});
    handle.exit();
    const last = frameOf().contentWindow.posted.at(-1);
    assert.deepEqual(last, { data: { type: MESSAGE.CLOSE, payload: {} }, origin: BROKER });
    fromFrame(MESSAGE.EXIT, { error: null, metadata: meta });
    win.runTimers();
    assert.deepEqual(calls, [["exit", null, meta]]);
  });

  it("destroy() removes everything and silences callbacks; create() again starts afresh", () => {
    handle.open();
    fromFrame(MESSAGE.READY, {});
    const oldFrame = frameOf();
    handle.destroy();
    win.dispatchMessage({
      source: oldFrame.contentWindow,
      origin: BROKER,
      data: { type: MESSAGE.EXIT, payload: { error: null, metadata: meta } },
    });
    assert.deepEqual(calls, []);
    assert.equal(iframes(win.document).length, 0);
    assert.equal(win.listeners.message.size, 0);
    assert.throws(() => handle.open(), /destroyed/);
    const again = win.LinkWidget.create({ token: TOKEN });
    again.open();
    assert.equal(iframes(win.document).length, 1);
    again.destroy();
    assert.equal(win.listeners.message.size, 0);
  });

  it("can be opened again after an exit, with a new frame", () => {
    handle.open();
    fromFrame(MESSAGE.READY, {});
    fromFrame(MESSAGE.EXIT, { error: null, metadata: meta });
    handle.open();
    assert.equal(iframes(win.document).length, 1);
    assert.equal(win.listeners.message.size, 1);
  });

  it("inline mode renders in the container and follows the frame's height", () => {
    const container = win.document.createElement("div");
    win.document.body.appendChild(container);
    const inline = win.LinkWidget.create({ token: TOKEN, container });
    inline.open();
    assert.equal(container.children.length, 1);
    assert.equal(container.children[0].tagName, "IFRAME");
    assert.equal(new URL(container.children[0].src).searchParams.get("mode"), "inline");
    win.dispatchMessage({
      source: container.children[0].contentWindow,
      origin: BROKER,
      data: { type: MESSAGE.READY, payload: {} },
    });
    win.dispatchMessage({
      source: container.children[0].contentWindow,
      origin: BROKER,
      data: { type: MESSAGE.RESIZE, payload: { height: 733.2 } },
    });
    assert.equal(container.children[0].style.height, "734px");
    inline.destroy();
    assert.equal(container.children.length, 0);
  });
});
