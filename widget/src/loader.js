/**
 * The LinkWidget loader: the one script a lender adds to its page. It defines one global, `LinkWidget`, whose
 * `create(options)` returns a handle `{open, exit, destroy}` that shows the broker's frame as a modal or inline.
 * Served by the broker as one classic script (messages.js inlined ahead of it); importing it in Node does nothing.
 */
import {
  LOCALES,
  MESSAGE,
  TO_HOST,
  acceptMessage,
  isAppKey,
  isCategory,
  isList,
  send,
  themeProblem,
} from "./messages.js";

export const VERSION = "1";
const SHAPE =
  "{token: string, onSuccess?, onExit?, onEvent?: function, categories?: string[], apps?: string[], " +
  "locale?: 'en'|'fr', theme?: {accent?, logoUrl?, name?}, container?: Element}";
const CALLBACKS = ["onSuccess", "onExit", "onEvent"];
const KNOWN = ["token", ...CALLBACKS, "categories", "apps", "locale", "theme", "container"];
const FRAME_PATH = "/widget/v1/frame";
const TITLES = { en: "Connect your business apps", fr: "Connectez vos applications" };

/**
 * Check `options` at the boundary; throw an Error naming the problem and the expected shape.
 * @param {unknown} options
 * @returns {Record<string, any>} the options, unchanged
 */
export function validateOptions(options) {
  const fail = (what) => {
    throw new TypeError(`LinkWidget.create: ${what}. Expected ${SHAPE}`);
  };
  if (typeof options !== "object" || options === null || Array.isArray(options)) fail("options must be an object");
  for (const key of Object.keys(options)) if (!KNOWN.includes(key)) fail(`unknown option "${key}"`);
  const { token, categories, apps, locale, theme, container } = options;
  if (typeof token !== "string" || !token || token.length > 2048) fail("options.token must be a non-empty string");
  for (const name of CALLBACKS) {
    if (options[name] !== undefined && typeof options[name] !== "function") fail(`options.${name} must be a function`);
  }
  if (!isList(categories, isCategory))
    fail("options.categories must be an array of accounting, banking, commerce, payroll");
  if (!isList(apps, isAppKey)) fail("options.apps must be an array of app keys");
  if (locale !== undefined && !LOCALES.includes(locale)) fail('options.locale must be "en" or "fr"');
  const bad = theme === undefined ? "" : themeProblem(theme);
  if (bad) fail(`options.theme ${bad}`);
  if (container !== undefined && !(container && container.nodeType === 1))
    fail("options.container must be a DOM element");
  return options;
}

/** @param {Window} win */
function brokerOrigin(win) {
  const doc = win.document;
  const script = doc.currentScript || doc.querySelector('script[src*="/widget/v1/loader.js"]');
  return script && script.src ? new URL(script.src, win.location.href).origin : win.location.origin;
}

/**
 * Define `win.LinkWidget` once; a second inclusion keeps the first definition (and its instances).
 * @param {Window | undefined} win
 */
export function installLinkWidget(win) {
  if (!win || !win.document) return undefined;
  if (win.LinkWidget) return win.LinkWidget;
  const origin = brokerOrigin(win);
  const api = Object.freeze({
    version: VERSION,
    /** @param {Record<string, any>} options */
    create: (options) => createHandle(win, origin, validateOptions(options)),
  });
  Object.defineProperty(win, "LinkWidget", { value: api, configurable: false, writable: false });
  return api;
}

/**
 * @param {Window} win
 * @param {string} origin the broker's origin
 * @param {Record<string, any>} options
 */
function createHandle(win, origin, options) {
  const doc = win.document;
  const inline = Boolean(options.container);
  let destroyed = false;
  /** Per-open state; null while closed. */
  let run = null;

  const call = (name, ...args) => {
    if (typeof options[name] !== "function") return;
    try {
      options[name](...args);
    } catch (error) {
      win.setTimeout(() => {
        throw error;
      });
    }
  };

  const close = () => {
    if (!run) return;
    const { root, onMessage, onKey, inerted, lastFocus, overflow } = run;
    run = null;
    win.removeEventListener("message", onMessage);
    doc.removeEventListener("keydown", onKey, true);
    root.remove();
    for (const el of inerted) el.inert = false;
    if (!inline) {
      doc.documentElement.style.overflow = overflow;
      if (lastFocus && lastFocus.focus) lastFocus.focus();
    }
  };

  const finish = (fire) => {
    if (!run || run.finished) return;
    run.finished = true;
    close();
    fire();
  };

  const open = () => {
    if (destroyed) throw new Error("LinkWidget: this handle was destroyed; call LinkWidget.create again");
    if (run) return;
    const frame = doc.createElement("iframe");
    // Same rule as the frame: the option, else the browser's language, else English.
    const browser = String((win.navigator && win.navigator.language) || "").slice(0, 2);
    const locale = options.locale || (LOCALES.includes(browser) ? browser : "en");
    const url = new URL(FRAME_PATH, origin);
    url.searchParams.set("origin", win.location.origin);
    url.searchParams.set("mode", inline ? "inline" : "modal");
    frame.src = url.href;
    frame.title = (options.theme && options.theme.name ? options.theme.name + ": " : "") + TITLES[locale];
    Object.assign(frame.style, { border: "0", width: "100%", display: "block" });
    let root = frame;
    const inerted = [];
    if (inline) {
      frame.style.height = "560px";
      options.container.appendChild(frame);
    } else {
      root = doc.createElement("div");
      root.setAttribute("data-linkwidget", "");
      Object.assign(root.style, {
        position: "fixed",
        inset: "0",
        zIndex: "2147483647",
        background: "rgba(15,23,42,.55)",
        display: "flex",
        alignItems: "center",
        justifyContent: "center",
      });
      Object.assign(frame.style, { width: "min(100%, 480px)", height: "min(100%, 680px)", borderRadius: "12px" });
      root.appendChild(frame);
      for (const el of doc.body.children) {
        if (!el.inert) {
          el.inert = true;
          inerted.push(el);
        }
      }
      doc.body.appendChild(root);
    }
    const ready = { source: null, origin, guards: TO_HOST };
    const onMessage = (event) => {
      ready.source = frame.contentWindow;
      const message = acceptMessage(event, ready);
      if (!message || !run) return;
      const { type, payload } = message;
      if (type === MESSAGE.READY) {
        if (run.started) return;
        run.started = true;
        const { token, categories, apps, theme } = options;
        send(frame.contentWindow, origin, MESSAGE.INIT, {
          token,
          options: {
            locale: options.locale || null,
            categories: categories || null,
            apps: apps || null,
            theme: theme ? { ...theme } : null,
            mode: inline ? "inline" : "modal",
          },
        });
      } else if (!run.started) {
        return;
      } else if (type === MESSAGE.EVENT) {
        call("onEvent", payload.name, payload.metadata);
      } else if (type === MESSAGE.RESIZE) {
        if (inline) frame.style.height = `${Math.max(320, Math.ceil(payload.height))}px`;
      } else if (type === MESSAGE.SUCCESS) {
        finish(() => call("onSuccess", payload.result));
      } else if (type === MESSAGE.EXIT) {
        finish(() => call("onExit", payload.error, payload.metadata));
      }
    };
    // The frame traps Tab itself; this only catches a focus that escaped to the (inert) host page.
    const onKey = (event) => {
      if (!inline && event.key === "Tab" && doc.activeElement !== frame) {
        event.preventDefault();
        frame.focus();
      }
    };
    run = {
      root,
      frame,
      onMessage,
      onKey,
      inerted,
      lastFocus: doc.activeElement,
      overflow: doc.documentElement.style.overflow,
      started: false,
      finished: false,
    };
    win.addEventListener("message", onMessage);
    if (!inline) {
      doc.addEventListener("keydown", onKey, true);
      doc.documentElement.style.overflow = "hidden";
      frame.addEventListener("load", () => frame.focus(), { once: true });
    }
  };

  const exit = () => {
    if (!run) return;
    if (run.started && send(run.frame.contentWindow, origin, MESSAGE.CLOSE, {})) {
      // The frame answers with an exit message carrying the step it was on; force it if it does not.
      const pending = run;
      win.setTimeout(() => {
        if (run === pending) finish(() => call("onExit", null, { step: "unknown", reason: "host_exit" }));
      }, 1500);
      return;
    }
    finish(() => call("onExit", null, { step: "loading", reason: "host_exit" }));
  };

  const destroy = () => {
    destroyed = true;
    if (run) run.finished = true;
    close();
  };

  return Object.freeze({ open, exit, destroy });
}

installLinkWidget(typeof window === "undefined" ? undefined : window);
